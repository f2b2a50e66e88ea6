"""The audit log is append-only (PostgreSQL trigger) and tamper-evident (verify_audit)."""

import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from core import audit_chain
from core.models import AuditLog
from core.services import audit_write
from grids import services

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger is PostgreSQL's"
)


def _rows(grid_tree, n=4):
    for i in range(n):
        services.grid_update(actor=grid_tree.county, node=grid_tree.g1, name=f"改名{i}")
    audit_chain.seal()
    return list(AuditLog.objects.filter(seq__isnull=False).order_by("seq"))


def _by_hand(sql, params=()):
    """What a database operator could do: the trigger switched off by the table's owner."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE core_auditlog DISABLE TRIGGER core_auditlog_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE core_auditlog ENABLE TRIGGER core_auditlog_append_only")


def test_rows_are_chained_and_verify(grid_tree):
    rows = _rows(grid_tree)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(len(r.row_mac) == 64 and len(r.chain_hash) == 64 for r in rows)
    report = audit_chain.verify()
    assert report.ok and report.checked == len(rows) and report.head[0] == len(rows)


@postgres_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditlog SET reason = 'x' WHERE id = %s",
        "UPDATE core_auditlog SET seq = seq + 100 WHERE id = %s",
        "DELETE FROM core_auditlog WHERE id = %s",
    ],
)
def test_update_and_delete_are_refused_by_the_database(grid_tree, sql):
    row = _rows(grid_tree, 1)[0]
    with (
        pytest.raises(DatabaseError, match="审计日志只能追加"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [row.pk])
    row.refresh_from_db()
    assert row.reason == "" and row.seq == 1


@postgres_only
def test_sealing_an_unsealed_row_with_other_content_is_refused(grid_tree):
    row = audit_write(actor=None, action="x.y", object_type="t", object_repr="甲")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=row.pk).update(seq=999, chain_hash="0" * 64, reason="改")


@postgres_only
def test_verify_finds_a_row_changed_by_hand(grid_tree, capsys):
    rows = _rows(grid_tree)
    _by_hand("UPDATE core_auditlog SET object_repr = '伪造' WHERE id = %s", [rows[1].pk])
    report = audit_chain.verify()
    assert [(f.kind, f.row_id) for f in report.findings] == [("altered", rows[1].pk)]
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_audit")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"记录 {rows[1].pk} 的内容与校验值不符" in out and "发现问题 1 处" in out


@postgres_only
def test_verify_finds_a_deleted_row(grid_tree):
    rows = _rows(grid_tree)
    _by_hand("DELETE FROM core_auditlog WHERE id = %s", [rows[1].pk])
    kinds = {f.kind for f in audit_chain.verify().findings}
    assert "deleted" in kinds


@postgres_only
def test_verify_finds_a_row_inserted_by_hand(grid_tree):
    rows = _rows(grid_tree, 2)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditlog (uid, at, actor_name, address, action, object_type,"
            " object_id, object_repr, reason, row_mac, chain_hash)"
            " VALUES (gen_random_uuid(), now(), 'x', '', 'grid.update', 'grids.gridnode', '1',"
            " '伪造', '', %s, '')",
            [rows[0].row_mac],
        )
    assert audit_chain.seal() == 0  # the sealer does not take it into the chain
    findings = audit_chain.verify().findings
    assert [f.kind for f in findings] == ["inserted"]


@postgres_only
def test_verify_finds_the_newest_rows_deleted_against_a_kept_head(grid_tree):
    rows = _rows(grid_tree)
    head = audit_chain.verify().head
    _by_hand("DELETE FROM core_auditlog WHERE id = %s", [rows[-1].pk])
    assert audit_chain.verify().ok  # without the head, a cut tail looks like a shorter log
    findings = audit_chain.verify(head=head).findings
    assert [f.kind for f in findings] == ["deleted"] and "最新的记录已被删除" in findings[0].message


def test_verify_audit_head_option_is_checked(grid_tree):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="序号:64位十六进制校验值"):
        call_command("verify_audit", head="12:abc")


def test_rows_outlive_the_account_with_its_name(grid_tree, make_user):
    user = make_user("leaver")
    audit_write(actor=user, action="x.y", object_type="t", object_repr="r")
    get_user_model().objects.filter(pk=user.pk).delete()
    row = AuditLog.objects.get(action="x.y")
    assert row.actor_name == "leaver" and row.actor_id == user.pk
    assert audit_chain.verify().ok


@pytest.mark.django_db(transaction=True)
def test_sealing_runs_after_commit(grid_tree):
    for i in range(3):
        services.grid_update(actor=grid_tree.county, node=grid_tree.g1, name=f"名{i}")
    assert AuditLog.objects.filter(action="grid.update").count() == 3
    assert not AuditLog.objects.filter(seq__isnull=True).exists()
    assert audit_chain.verify().ok


def test_retention_below_three_years_fails_the_system_check(settings):
    from core.checks import audit_retention

    settings.AUDIT_RETENTION_YEARS = 2
    assert [e.id for e in audit_retention(None)] == ["weixi.E001"]
    settings.AUDIT_RETENTION_YEARS = 3
    assert audit_retention(None) == []


def test_verify_audit_command_runs_in_a_process():
    result = subprocess.run(
        [sys.executable, "manage.py", "verify_audit", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "--head" in result.stdout
