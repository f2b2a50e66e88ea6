"""The audit log's tamper evidence: a keyed hash per row and one chain over all rows.

A row's ``row_mac`` is an HMAC (key ``AUDIT_CHAIN_KEY``, never stored in the database) over its
content, written with the row inside the writer's transaction. After the transaction commits,
``seal()`` gives each new row the next position ``seq`` in the chain and
``chain_hash = HMAC(previous chain_hash | seq | row_mac)``. Sealing happens after commit, under
one short lock, so writers never wait on each other for the chain and the chain follows commit
order (ids are allocated before commit and may commit out of order).

What ``verify()`` finds:
- a row whose content no longer matches its ``row_mac`` (changed by hand);
- a row with no valid ``row_mac`` (inserted by hand: whoever does not hold the key cannot make
  one; the sealer leaves such a row out of the chain);
- a gap in ``seq`` or a ``chain_hash`` that does not follow (rows deleted, or a row moved);
- the newest rows deleted: only against a head kept outside the database. ``verify_audit``
  prints the chain's head (``seq:chain_hash``); the operator keeps it in the operations log and
  passes it back with ``--head``, and the check fails when the chain no longer reaches it.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC

from django.conf import settings
from django.db import connection, transaction

from .models import AuditLog

GENESIS = "0" * 64
# One PostgreSQL advisory lock key for the sealer ("WXAU").
SEAL_LOCK = 0x57584155


def _key() -> bytes:
    return settings.AUDIT_CHAIN_KEY.encode("utf-8")


def content(row: AuditLog) -> str:
    """The canonical text of a row's recorded content."""
    return json.dumps(
        [
            str(row.uid),
            row.at.astimezone(UTC).isoformat(timespec="microseconds"),
            row.actor_id,
            row.actor_name,
            row.address,
            row.action,
            row.object_type,
            row.object_id,
            row.object_repr,
            row.tree_id,
            row.before,
            row.after,
            row.reason,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def row_mac(row: AuditLog) -> str:
    return hmac.new(_key(), content(row).encode("utf-8"), hashlib.sha256).hexdigest()


def link(previous: str, seq: int, mac: str) -> str:
    return hmac.new(_key(), f"{previous}|{seq}|{mac}".encode("ascii"), hashlib.sha256).hexdigest()


def _lock():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK])


def seal(limit: int = 5000) -> int:
    """Chain every committed, unsealed row with a valid ``row_mac``; return how many."""
    sealed = 0
    while True:
        with transaction.atomic():
            _lock()
            head = (
                AuditLog.objects.filter(seq__isnull=False)
                .order_by("-seq")
                .values_list("seq", "chain_hash")
                .first()
            )
            seq, previous = head if head else (0, GENESIS)
            rows = list(
                AuditLog.objects.filter(seq__isnull=True).order_by("id").select_for_update()[:limit]
            )
            batch = []
            for row in rows:
                if not hmac.compare_digest(row.row_mac or "", row_mac(row)):
                    continue  # not written by the application: verify() reports it
                seq += 1
                row.seq = seq
                row.chain_hash = previous = link(previous, seq, row.row_mac)
                batch.append(row)
            AuditLog.objects.bulk_update(batch, ["seq", "chain_hash"], batch_size=500)
        sealed += len(batch)
        if len(rows) < limit or not batch:
            return sealed


def seal_after_commit() -> None:
    """Seal once the current transaction commits (immediately outside one), once per commit.

    Robust: a failure to seal is logged and never turns a committed change into an error page;
    the next write or ``verify_audit --seal`` seals the row.
    """
    if any(entry[1] is seal for entry in connection.run_on_commit):
        return
    transaction.on_commit(seal, robust=True)


@dataclass
class Finding:
    kind: str  # altered | inserted | deleted | broken
    row_id: int | None
    seq: int | None
    message: str


@dataclass
class Report:
    checked: int = 0
    unsealed: int = 0
    head: tuple[int, str] | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def verify(chunk: int = 2000, head: tuple[int, str] | None = None) -> Report:
    """Recompute every row's ``row_mac`` and the chain; never writes.

    ``head`` is a ``(seq, chain_hash)`` printed by an earlier run and kept outside the database:
    the chain must still hold it.
    """
    report = Report()
    previous, expected = GENESIS, 1
    rows = AuditLog.objects.filter(seq__isnull=False).order_by("seq")
    for row in rows.iterator(chunk_size=chunk):
        report.checked += 1
        if row.seq != expected:
            report.findings.append(
                Finding(
                    "deleted",
                    row.id,
                    row.seq,
                    f"链序号 {expected} 至 {row.seq - 1} 的记录缺失（已被删除）",
                )
            )
            # Pick the chain up again after the gap: later rows are still checked.
            previous = None
        mac = row_mac(row)
        if not hmac.compare_digest(row.row_mac, mac):
            report.findings.append(
                Finding("altered", row.id, row.seq, f"记录 {row.id} 的内容与校验值不符（被改动）")
            )
        if previous is not None and not hmac.compare_digest(
            row.chain_hash, link(previous, row.seq, row.row_mac)
        ):
            report.findings.append(
                Finding("broken", row.id, row.seq, f"记录 {row.id} 与前一条记录的链校验值不符")
            )
        if head and row.seq == head[0] and not hmac.compare_digest(row.chain_hash, head[1]):
            report.findings.append(
                Finding("broken", row.id, row.seq, f"链序号 {row.seq} 的校验值与保存的链头不符")
            )
        previous, expected = row.chain_hash, row.seq + 1
    report.head = (expected - 1, previous) if expected > 1 else None
    if head and head[0] >= expected:
        report.findings.append(
            Finding(
                "deleted",
                None,
                head[0],
                f"链只到序号 {expected - 1}，保存的链头是 {head[0]}：最新的记录已被删除",
            )
        )
    for row in AuditLog.objects.filter(seq__isnull=True).order_by("id").iterator(chunk_size=chunk):
        report.checked += 1
        if hmac.compare_digest(row.row_mac or "", row_mac(row)):
            report.unsealed += 1
        else:
            report.findings.append(
                Finding(
                    "inserted",
                    row.id,
                    None,
                    f"记录 {row.id} 没有有效校验值（不是本系统写入的，或写入后被改动）",
                )
            )
    return report
