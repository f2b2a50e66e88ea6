"""Visits and applications raise clues: one open clue per household and risk, merging, deadlines."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import Conflict
from core.models import AuditLog
from monitoring import services
from monitoring.discovery import selectors
from monitoring.models import ClueEvidence, ClueState, RiskClue
from monitoring.tests.factories import make_household, new_id_number

pytestmark = pytest.mark.django_db


def _open(household):
    return RiskClue.objects.filter(household=household, state__in=["new", "verifying"])


def _visit(tree, household, **extra):
    extra.setdefault("visited_on", timezone.localdate())
    return services.visit_record(actor=tree.g1_member, household=household, **extra)


def test_visit_with_at_risk_checks_and_risk_types_opens_one_clue_per_risk(grid_tree):
    household = make_household(grid_tree.g1)

    _visit(grid_tree, household, checks={"housing": "at_risk"}, risk_types=["illness", "housing"])

    assert sorted(_open(household).values_list("risk_type", flat=True)) == ["housing", "illness"]
    assert ClueEvidence.objects.filter(clue__household=household).count() == 2


def test_secure_visit_raises_no_clue(grid_tree):
    household = make_household(grid_tree.g1)
    _visit(grid_tree, household)
    assert not RiskClue.objects.exists()


def test_food_at_risk_without_named_risk_opens_other(grid_tree):
    household = make_household(grid_tree.g1)
    _visit(grid_tree, household, checks={"food": "at_risk", "clothing": "at_risk"})
    assert list(_open(household).values_list("risk_type", flat=True)) == ["other"]


def test_second_signal_merges_and_keeps_both_sources(grid_tree):
    id_number = new_id_number()
    household = make_household(grid_tree.g1, head_id=id_number)
    visit = _visit(grid_tree, household, checks={"water": "at_risk"})
    application, created = services.application_submit(
        actor=grid_tree.g1_member,
        channel="proxy",
        applicant_name="和文华",
        applicant_id_number=id_number,
        phone="13800000000",
        matter="water",
        description="自来水断了两个月",
        risk_types=["drinking_water"],
        consent=True,
    )
    services.application_start_verifying(actor=grid_tree.v1_leader, application=application)
    services.application_record_result(
        actor=grid_tree.v1_leader, application=application, eligible=True, reason="情况属实"
    )

    clue = _open(household).get()
    assert clue.risk_type == "drinking_water" and clue.source == "visit"
    evidence = list(clue.evidence.order_by("id"))
    assert [e.source for e in evidence] == ["visit", "application"]
    assert evidence[0].visit_id == visit.pk and evidence[1].application_id == application.pk
    assert AuditLog.objects.filter(action="clue.merge", object_id=str(clue.pk)).count() == 1


def test_ineligible_application_raises_no_clue(grid_tree):
    id_number = new_id_number()
    make_household(grid_tree.g1, head_id=id_number)
    application, _ = services.application_submit(
        actor=grid_tree.g1_member,
        channel="proxy",
        applicant_name="甲",
        applicant_id_number=id_number,
        phone="1",
        matter="living",
        description="困难",
        consent=True,
        risk_types=["illness"],
    )
    services.application_start_verifying(actor=grid_tree.g1_member, application=application)
    services.application_record_result(
        actor=grid_tree.v1_leader, application=application, eligible=False, reason="收入稳定"
    )
    services.application_complete(actor=grid_tree.v1_leader, application=application)
    application.refresh_from_db()
    assert application.status == "completed" and application.completed_at is not None
    assert application.result_reason == "收入稳定"
    assert not RiskClue.objects.exists()
    assert (
        AuditLog.objects.filter(
            object_id=str(application.pk), action__startswith="application."
        ).count()
        == 4
    )


def test_database_refuses_a_second_open_clue_for_the_same_risk(grid_tree):
    household = make_household(grid_tree.g1)
    clue, _ = services.clue_raise(
        actor=grid_tree.v1_leader, household=household, risk_type="illness", source="department"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskClue.objects.create(
            household=household,
            risk_type="illness",
            source="visit",
            found_on=clue.found_on,
            verify_by=clue.verify_by,
            decide_by=clue.decide_by,
        )


def test_after_dismissal_a_new_signal_opens_a_new_clue(grid_tree):
    household = make_household(grid_tree.g1)
    first, _ = services.clue_raise(
        actor=grid_tree.v1_leader, household=household, risk_type="illness", source="department"
    )
    services.clue_dismiss(actor=grid_tree.v1_leader, clue=first, reason="已痊愈")
    second, created = services.clue_raise(
        actor=grid_tree.v1_leader, household=household, risk_type="illness", source="department"
    )
    assert created and second.pk != first.pk


def test_dismiss_requires_reason_and_nothing_changes(grid_tree):
    household = make_household(grid_tree.g1)
    clue, _ = services.clue_raise(
        actor=grid_tree.v1_leader, household=household, risk_type="illness", source="department"
    )
    with pytest.raises(ValidationError) as exc:
        services.clue_dismiss(actor=grid_tree.v1_leader, clue=clue, reason="  ")
    assert "reason" in exc.value.error_dict
    clue.refresh_from_db()
    assert clue.state == ClueState.NEW


def test_transitions_follow_the_states(grid_tree):
    household = make_household(grid_tree.g1)
    clue, _ = services.clue_raise(
        actor=grid_tree.g1_member, household=household, risk_type="housing", source="visit"
    )
    clue = services.clue_start_verifying(actor=grid_tree.g1_member, clue=clue)
    assert clue.state == "verifying" and clue.verifying_since
    with pytest.raises(ValidationError):
        services.clue_start_verifying(actor=grid_tree.g1_member, clue=clue)
    clue = services.clue_confirm(actor=grid_tree.v1_leader, clue=clue, reason="C 级危房")
    assert clue.state == "confirmed" and clue.decided_by == grid_tree.v1_leader
    # Decided already: a conflict naming who decided it and when (409 over the API).
    with pytest.raises(Conflict, match="v1"):
        services.clue_dismiss(actor=grid_tree.v1_leader, clue=clue, reason="x")


def test_group_member_may_verify_but_not_confirm(grid_tree):
    household = make_household(grid_tree.g1)
    clue, _ = services.clue_raise(
        actor=grid_tree.g1_member, household=household, risk_type="housing", source="visit"
    )
    with pytest.raises(PermissionDenied):
        services.clue_confirm(actor=grid_tree.g1_member, clue=clue)
    clue.refresh_from_db()
    assert clue.state == "new"


def test_other_village_leader_cannot_touch_the_clue(grid_tree):
    household = make_household(grid_tree.g1)
    clue, _ = services.clue_raise(
        actor=grid_tree.v1_leader, household=household, risk_type="housing", source="visit"
    )
    with pytest.raises(PermissionDenied):
        services.clue_dismiss(actor=grid_tree.v3_leader, clue=clue, reason="越权")
    with pytest.raises(PermissionDenied):
        services.clue_raise(
            actor=grid_tree.v3_leader, household=household, risk_type="illness", source="visit"
        )


def test_visit_outside_scope_is_refused_and_writes_nothing(grid_tree):
    household = make_household(grid_tree.g4)
    with pytest.raises(PermissionDenied):
        _visit(grid_tree, household, checks={"housing": "at_risk"})
    assert not household.visits.exists() and not RiskClue.objects.exists()


def test_visit_rejects_six_risk_types_and_future_date(grid_tree):
    household = make_household(grid_tree.g1)
    with pytest.raises(ValidationError) as exc:
        _visit(
            grid_tree,
            household,
            visited_on=timezone.localdate() + datetime.timedelta(days=1),
            risk_types=["illness", "schooling", "disability", "disaster", "accident", "other"],
        )
    assert set(exc.value.error_dict) == {"visited_on", "risk_types"}
    assert not household.visits.exists()


def test_deadlines_follow_configured_days(grid_tree, settings):
    settings.CLUE_VERIFY_DAYS = 3
    settings.CLUE_DECIDE_DAYS = 10
    household = make_household(grid_tree.g1)
    found = datetime.date(2026, 3, 1)
    clue, _ = services.clue_raise(
        actor=grid_tree.v1_leader,
        household=household,
        risk_type="illness",
        source="department",
        found_on=found,
    )
    assert clue.verify_by == datetime.date(2026, 3, 4)
    assert clue.decide_by == datetime.date(2026, 3, 11)


def test_default_deadlines_are_5_and_15_days(grid_tree):
    household = make_household(grid_tree.g1)
    found = datetime.date(2026, 1, 28)
    clue, _ = services.clue_raise(
        actor=grid_tree.v1_leader,
        household=household,
        risk_type="illness",
        source="department",
        found_on=found,
    )
    assert (clue.verify_by, clue.decide_by) == (
        datetime.date(2026, 2, 2),
        datetime.date(2026, 2, 12),
    )


def _overdue(user, clue, today=None):
    return selectors.clue_list(user=user, today=today).get(pk=clue.pk).is_overdue


def test_overdue_flag_moves_with_the_clock(grid_tree, monkeypatch):
    household = make_household(grid_tree.g1)
    found = datetime.date(2026, 3, 1)
    clue, _ = services.clue_raise(
        actor=grid_tree.v1_leader,
        household=household,
        risk_type="illness",
        source="department",
        found_on=found,
    )
    user = grid_tree.v1_leader

    def at(day):
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        monkeypatch.setattr(timezone, "now", lambda: moment)

    at(datetime.date(2026, 3, 6))  # the home-check day itself: not late yet
    assert _overdue(user, clue) is False
    at(datetime.date(2026, 3, 7))  # home check missed
    assert _overdue(user, clue) is True
    clue = services.clue_start_verifying(actor=user, clue=clue)
    assert _overdue(user, clue) is False  # verifying: only the decision deadline counts now
    at(datetime.date(2026, 3, 17))
    assert _overdue(user, clue) is True
    services.clue_dismiss(actor=user, clue=clue, reason="核实无风险")
    assert _overdue(user, clue) is False


def test_overdue_follows_configured_days(grid_tree, settings):
    settings.CLUE_VERIFY_DAYS = 2
    household = make_household(grid_tree.g1)
    clue, _ = services.clue_raise(
        actor=grid_tree.v1_leader,
        household=household,
        risk_type="illness",
        source="department",
        found_on=datetime.date(2026, 3, 1),
    )
    assert _overdue(grid_tree.v1_leader, clue, today=datetime.date(2026, 3, 3)) is False
    assert _overdue(grid_tree.v1_leader, clue, today=datetime.date(2026, 3, 4)) is True
