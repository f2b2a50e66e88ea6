"""Raise-or-merge for many (household, risk type) signals at once, set-based.

The same rules as ``clue_raise`` — one open clue per household and risk type (the conditional
unique constraint ``monitoring_riskclue_one_open_per_household_risk``), a second signal merges
as ``ClueEvidence``, deadlines from ``deadlines(found_on)`` — but for a whole set of signals in
two statements (lock, then write) instead of a Python loop, for the monthly department comparison.

The signals come as one SQL ``SELECT`` (``hits_sql`` with ``params``) yielding the columns
``household_id``, ``risk_type``, ``reference``, ``note``. ``reference`` is the signal's stable key
(e.g. ``2026-10/yibao/B1/1-17``): a signal whose reference is already evidence on a clue of the
same household (in any state) is skipped, so running the same set again changes nothing.
"""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from core.services import audit_record
from monitoring.discovery.models.clues import ClueSource
from monitoring.discovery.services.clues import deadlines

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
    group_by: str | None = None,
) -> dict:
    """Open clues (or add evidence to the open ones) for every signal ``hits_sql`` yields.

    Returns ``{"created", "merged", "evidence"}``: clues opened, open clues that received
    evidence without being opened now, evidence rows added. With ``group_by`` (a further column
    of ``hits_sql`` that is the same for all signals of a household, e.g. the township), the
    same three counts per value of that column come as ``"groups"``. Households are locked
    first (in id order, PostgreSQL) so ``clue_raise`` on one of them waits; ``ON CONFLICT DO
    NOTHING`` on the partial unique index is the last line of defence. One audit record
    (``clue.bulk_raise``) on ``audit_obj`` summarises the call.

    The clues and their evidence are written by ONE statement: the clue insert's ``RETURNING``
    and the clues already open (read in the same snapshot, so the two never overlap) feed the
    evidence insert directly. No statement reads a table another one has just filled, so the
    plans do not depend on fresh statistics of the clue tables.
    """
    params = list(params)
    verify_by, decide_by = deadlines(found_on)
    now = timezone.now()
    group = f"h.{group_by}" if group_by else "NULL"
    values = {
        "source": source,
        "found_on": _adapt(found_on),
        "verify_by": _adapt(verify_by),
        "decide_by": _adapt(decide_by),
        "now": _adapt(now),
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id FROM households_household WHERE id IN "
                f"(SELECT household_id FROM ({hits_sql}) h) ORDER BY id FOR UPDATE",
                params,
            )
            groups = _write_one_statement(cursor, hits_sql, params, group, values)
        else:
            groups = _write_two_statements(cursor, hits_sql, params, group, values)
    result = {
        key: sum(g[key] for g in groups.values()) for key in ("created", "merged", "evidence")
    }
    audit_record(
        actor=actor,
        action="clue.bulk_raise",
        obj=audit_obj,
        after={**result, "source": source, "found_on": found_on},
        tree_id=tree_id,
    )
    if group_by:
        result["groups"] = groups
    return result


def _fresh(h="h"):
    """The signal is not yet evidence on a clue of its household and risk type (any state)."""
    return (
        "NOT EXISTS (SELECT 1 FROM monitoring_clueevidence e "
        "JOIN monitoring_riskclue c2 ON c2.id = e.clue_id "
        f"WHERE c2.household_id = {h}.household_id AND c2.risk_type = {h}.risk_type "
        f"AND e.reference = {h}.reference)"
    )


def _write_one_statement(cursor, hits_sql, params, group, v) -> dict:
    """PostgreSQL: clues and evidence in one statement (data-modifying CTEs)."""
    cursor.execute(
        # h: the signals not yet evidence on a clue of their household and risk type.
        # The same signal twice (a record sent twice in a batch) is one piece of evidence.
        "WITH h AS MATERIALIZED (SELECT DISTINCT ON (h.household_id, h.risk_type, h.reference) "
        "h.household_id, h.risk_type, h.reference, h.note, "
        f"{group} AS grp FROM ({hits_sql}) h WHERE {_fresh()} "
        "ORDER BY h.household_id, h.risk_type, h.reference), "
        "pairs AS MATERIALIZED (SELECT DISTINCT household_id, risk_type FROM h), "
        "opened AS (INSERT INTO monitoring_riskclue (household_id, risk_type, source, "
        "found_on, verify_by, decide_by, state, decision_reason, created_at, updated_at) "
        "SELECT household_id, risk_type, %s, %s, %s, %s, 'new', '', %s, %s FROM pairs "
        f"ON CONFLICT (household_id, risk_type) WHERE state IN {_OPEN} DO NOTHING "
        "RETURNING id, household_id, risk_type), "
        # The clues opened now and those already open, read in the statement's snapshot
        # (which does not see ``opened``), so the two never overlap.
        "clues AS MATERIALIZED ("
        "SELECT id, household_id, risk_type, TRUE AS created FROM opened UNION ALL "
        "SELECT c.id, c.household_id, c.risk_type, FALSE FROM monitoring_riskclue c "
        "JOIN pairs p ON p.household_id = c.household_id AND p.risk_type = c.risk_type "
        f"WHERE c.state IN {_OPEN}), "
        "added AS (INSERT INTO monitoring_clueevidence (clue_id, source, reference, note, "
        "found_on, created_at) "
        "SELECT c.id, %s, SUBSTR(h.reference, 1, 100), h.note, %s, %s FROM h "
        "JOIN clues c ON c.household_id = h.household_id AND c.risk_type = h.risk_type) "
        # The evidence rows are exactly h joined to clues: count them there, per group.
        "SELECT h.grp, COUNT(DISTINCT c.id) FILTER (WHERE c.created), "
        "COUNT(DISTINCT c.id) FILTER (WHERE NOT c.created), COUNT(*) FROM h "
        "JOIN clues c ON c.household_id = h.household_id AND c.risk_type = h.risk_type "
        "GROUP BY h.grp",
        [
            *params,
            v["source"],
            v["found_on"],
            v["verify_by"],
            v["decide_by"],
            v["now"],
            v["now"],
            v["source"],
            v["found_on"],
            v["now"],
        ],
    )
    return {
        grp: {"created": created, "merged": merged, "evidence": evidence}
        for grp, created, merged, evidence in cursor.fetchall()
    }


def _write_two_statements(cursor, hits_sql, params, group, v) -> dict:
    """Other databases (SQLite in tests): the clue insert, then the evidence insert."""
    cursor.execute(f"SELECT DISTINCT h.household_id, {group} FROM ({hits_sql}) h", params)
    group_of = dict(cursor.fetchall())
    cursor.execute(
        "INSERT INTO monitoring_riskclue (household_id, risk_type, source, found_on, "
        "verify_by, decide_by, state, decision_reason, created_at, updated_at) "
        "SELECT DISTINCT h.household_id, h.risk_type, %s, %s, %s, %s, 'new', '', %s, %s "
        f"FROM ({hits_sql}) h WHERE {_fresh()} "
        f"ON CONFLICT (household_id, risk_type) WHERE state IN {_OPEN} DO NOTHING "
        "RETURNING id, household_id",
        [v["source"], v["found_on"], v["verify_by"], v["decide_by"], v["now"], v["now"], *params],
    )
    created = dict(cursor.fetchall())
    cursor.execute(
        f"SELECT c.id, c.household_id FROM monitoring_riskclue c WHERE c.state IN {_OPEN} "
        f"AND c.household_id IN (SELECT h.household_id FROM ({hits_sql}) h)",
        params,
    )
    household_of = dict(cursor.fetchall())
    cursor.execute(
        "INSERT INTO monitoring_clueevidence (clue_id, source, reference, note, found_on, "
        "created_at) "
        "SELECT c.id, %s, SUBSTR(h.reference, 1, 100), h.note, %s, %s "
        "FROM (SELECT DISTINCT household_id, risk_type, reference, note "
        f"FROM ({hits_sql}) d) h JOIN monitoring_riskclue c ON c.household_id = h.household_id "
        f"AND c.risk_type = h.risk_type AND c.state IN {_OPEN} WHERE {_fresh()} "
        "RETURNING clue_id",
        [v["source"], v["found_on"], v["now"], *params],
    )
    groups: dict = {}
    touched = {}
    for (clue_id,) in cursor.fetchall():
        grp = group_of.get(household_of[clue_id])
        groups.setdefault(grp, {"created": 0, "merged": 0, "evidence": 0})["evidence"] += 1
        touched[clue_id] = grp
    for clue_id, grp in touched.items():
        groups[grp]["created" if clue_id in created else "merged"] += 1
    return groups
