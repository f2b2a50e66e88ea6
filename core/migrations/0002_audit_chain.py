"""The audit log becomes append-only and tamper-evident (core/audit_chain.py).

Existing rows get a record id, their keyed content hash and their place in the chain, in id
order; then PostgreSQL refuses UPDATE (except sealing a row once) and DELETE on the table.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

CONTENT = (
    "id, uid, at, actor_id, actor_name, address, action, object_type, object_id, object_repr, "
    "tree_id, before, after, reason, row_mac"
)
NEW = ", ".join(f"NEW.{c.strip()}" for c in CONTENT.split(","))
OLD = ", ".join(f"OLD.{c.strip()}" for c in CONTENT.split(","))

TRIGGER = f"""
CREATE OR REPLACE FUNCTION core_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND ROW({NEW}) IS NOT DISTINCT FROM ROW({OLD}) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '审计日志只能追加：不允许 % 操作', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog;
CREATE TRIGGER core_auditlog_append_only BEFORE UPDATE OR DELETE ON core_auditlog
    FOR EACH ROW EXECUTE FUNCTION core_auditlog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog;
DROP FUNCTION IF EXISTS core_auditlog_append_only();
"""


def fill(apps, schema_editor):
    from core import audit_chain

    AuditLog = apps.get_model("core", "AuditLog")
    rows = list(AuditLog.objects.order_by("id"))
    for row in rows:
        row.uid = uuid.uuid4()
        row.actor_name = ""
        row.row_mac = audit_chain.row_mac(row)
    AuditLog.objects.bulk_update(rows, ["uid", "actor_name", "row_mac"], batch_size=1000)


def seal(apps, schema_editor):
    AuditLog = apps.get_model("core", "AuditLog")
    from core import audit_chain

    previous, seq = audit_chain.GENESIS, 0
    rows = list(AuditLog.objects.order_by("id"))
    for row in rows:
        seq += 1
        row.seq = seq
        row.chain_hash = previous = audit_chain.link(previous, seq, row.row_mac)
    AuditLog.objects.bulk_update(rows, ["seq", "chain_hash"], batch_size=1000)


def trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A plain cursor: the function body holds a % that is not a query parameter.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(TRIGGER)


def untrigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditlog",
            name="at",
            field=models.DateTimeField(
                db_index=True,
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="时间",
            ),
        ),
        migrations.AlterField(
            model_name="auditlog",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="uid",
            field=models.UUIDField(editable=False, null=True, verbose_name="记录标识"),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="actor_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="操作人账号"),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="address",
            field=models.CharField(blank=True, max_length=45, verbose_name="来源地址"),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="row_mac",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="内容校验值"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditlog",
            name="seq",
            field=models.BigIntegerField(
                blank=True, editable=False, null=True, unique=True, verbose_name="链序号"
            ),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="chain_hash",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="链校验值"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditlog",
            name="uid",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="记录标识"
            ),
        ),
        migrations.RunPython(seal, migrations.RunPython.noop),
        migrations.RunPython(trigger, untrigger),
    ]
