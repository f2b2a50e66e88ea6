"""Raise-or-merge for many (household, risk type) signals at once, set-based.

The same rules as ``clue_raise`` — one open clue per household and risk type (the conditional
unique constraint ``monitoring_riskclue_one_open_per_household_risk``), a second signal merges
as ``ClueEvidence``, deadlines from ``deadlines(found_on)`` — but for a whole set of signals in
three statements instead of a Python loop, for the monthly department comparison.

The signals come as one SQL ``SELECT`` (``hits_sql`` with ``params``) yielding the columns
``household_id``, ``risk_type``, ``reference``, ``note``. ``reference`` is the signal's stable key
(e.g. ``2026-10/yibao/B1/1-17``): a signal whose reference is already evidence on a clue of the
same household (in any state) is skipped, so running the same set again changes nothing.
"""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from core.services import audit_record

from ..models import ClueSource
from .clues import deadlines

_OPEN = "('new', 'verifying')"


def _adapt(value):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return connection.ops.adapt_datefield_value(value)


@transaction.atomic
def clue_raise_many(
    *,
    actor,
    hits_sql: str,
    params: list,
    found_on: datetime.date,
    audit_obj,
    tree_id: int | None,
    source: str = ClueSource.DEPARTMENT,
) -> dict:
    """Open clues (or add evidence to the open ones) for every signal ``hits_sql`` yields.

    Returns ``{"created", "merged", "evidence"}``: clues opened, open clues that received
    evidence without being opened now, evidence rows added. Households are locked first (in id
    order, PostgreSQL) so ``clue_raise`` on one of them waits; ``ON CONFLICT DO NOTHING`` on the
    partial unique index is the last line of defence. One audit record (``clue.bulk_raise``) on
    ``audit_obj`` summarises the call.
    """
    params = list(params)
    verify_by, decide_by = deadlines(found_on)
    now = timezone.now()
    fresh = (
        "NOT EXISTS (SELECT 1 FROM monitoring_clueevidence e "
        "JOIN monitoring_riskclue c2 ON c2.id = e.clue_id "
        "WHERE c2.household_id = h.household_id AND c2.risk_type = h.risk_type "
        "AND e.reference = h.reference)"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id FROM households_household WHERE id IN "
                f"(SELECT household_id FROM ({hits_sql}) h) ORDER BY id FOR UPDATE",
                params,
            )
        cursor.execute(
            "INSERT INTO monitoring_riskclue (household_id, risk_type, source, found_on, "
            "verify_by, decide_by, state, decision_reason, created_at, updated_at) "
            "SELECT DISTINCT h.household_id, h.risk_type, %s, %s, %s, %s, 'new', '', %s, %s "
            f"FROM ({hits_sql}) h WHERE {fresh} "
            f"ON CONFLICT (household_id, risk_type) WHERE state IN {_OPEN} DO NOTHING",
            [
                source,
                _adapt(found_on),
                _adapt(verify_by),
                _adapt(decide_by),
                _adapt(now),
                _adapt(now),
                *params,
            ],
        )
        created = max(cursor.rowcount, 0)
        cursor.execute(
            "INSERT INTO monitoring_clueevidence (clue_id, source, reference, note, found_on, "
            "created_at) "
            "SELECT c.id, %s, SUBSTR(h.reference, 1, 100), h.note, %s, %s "
            f"FROM ({hits_sql}) h JOIN monitoring_riskclue c ON c.household_id = h.household_id "
            f"AND c.risk_type = h.risk_type AND c.state IN {_OPEN} WHERE {fresh} "
            "RETURNING clue_id",
            [source, _adapt(found_on), _adapt(now), *params],
        )
        rows = cursor.fetchall()
    touched = {row[0] for row in rows}
    result = {
        "created": created,
        "merged": max(len(touched) - created, 0),
        "evidence": len(rows),
    }
    audit_record(
        actor=actor,
        action="clue.bulk_raise",
        obj=audit_obj,
        after={**result, "source": source, "found_on": found_on},
        tree_id=tree_id,
    )
    return result
