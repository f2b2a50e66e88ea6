"""The monthly village review: composition, transitions, roles, and what confirmation changes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import Conflict
from core.models import AuditLog
from monitoring import services
from monitoring.models import (
    CaseEvent,
    Decision,
    MonitoringCase,
    ReviewItem,
    ReviewState,
    RiskClue,
    VillageReview,
)
from monitoring.tests.factories import make_case, make_household, make_line, make_visit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MONTH = TODAY.replace(day=1)


def _clue(tree, household, risk="illness"):
    clue, _ = services.clue_raise(
        actor=tree.superuser, household=household, risk_type=risk, source="department"
    )
    return clue


def _meeting(tree, review, days=7):
    return services.review_update(
        actor=tree.v1_leader,
        review=review,
        meeting_on=TODAY,
        attendance="村支书、村委会主任、驻村工作队、组网格员",
        minutes="逐户研判本月线索和监测对象。",
        notice_start=TODAY,
        notice_end=TODAY + datetime.timedelta(days=days - 1),
    )


def _include(tree, item, **extra):
    data = {
        "decision": "include",
        "category": "marginal",
        "risk_types": ["illness"],
        "income_12m": "18000",
        "spending_12m": "26000",
    }
    data.update(extra)
    return services.review_item_set(actor=tree.v1_leader, item=item, **data)


@pytest.fixture
def composed(grid_tree):
    """V1's review of this month with one household proposed for monitoring, submitted."""
    household = make_household(grid_tree.g1)
    clue = _clue(grid_tree, household)
    review = services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=MONTH)
    _include(grid_tree, review.items.get())
    _meeting(grid_tree, review)
    return review, household, clue


def _submitted(tree, composed):
    review, household, clue = composed
    return services.review_submit(actor=tree.v1_leader, review=review), household, clue


# -- composition -------------------------------------------------------------------------
def test_review_lists_open_clues_and_open_cases_of_the_village_only(grid_tree):
    with_clue = make_household(grid_tree.g1)
    _clue(grid_tree, with_clue, "illness")
    _clue(grid_tree, with_clue, "housing")
    monitored = make_household(grid_tree.g2)
    make_case(monitored)
    elsewhere = make_household(grid_tree.g3)  # V2
    _clue(grid_tree, elsewhere)

    review = services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=MONTH)

    items = {i.household_id: i for i in review.items.all()}
    assert set(items) == {with_clue.pk, monitored.pk}
    assert sorted(items[with_clue.pk].risk_types) == ["housing", "illness"]
    assert len(items[with_clue.pk].clue_ids) == 2 and items[with_clue.pk].decision == ""
    assert items[monitored.pk].decision == Decision.KEEP and items[monitored.pk].case_id


def test_one_review_per_village_and_month(grid_tree):
    services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=MONTH)
    with pytest.raises(ValidationError) as exc:
        services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=TODAY)
    assert "已存在" in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        VillageReview.objects.create(village=grid_tree.v1, month=MONTH)
    assert VillageReview.objects.count() == 1


@pytest.mark.parametrize("who", ["t1_leader", "g1_member", "v3_leader", "dept"])
def test_only_the_village_leader_opens_the_review(grid_tree, who):
    with pytest.raises(PermissionDenied):
        services.review_create(actor=getattr(grid_tree, who), village=grid_tree.v1, month=MONTH)
    assert not VillageReview.objects.exists()


def test_include_needs_category_risks_income_and_spending(grid_tree):
    household = make_household(grid_tree.g1)
    _clue(grid_tree, household)
    review = services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=MONTH)
    item = review.items.get()
    with pytest.raises(ValidationError) as exc:
        services.review_item_set(
            actor=grid_tree.v1_leader, item=item, decision="include", risk_types=[]
        )
    text = " ".join(exc.value.messages)
    assert "类别" in text and "风险类型" in text and "纯收入" in text and "合规自付" in text
    with pytest.raises(ValidationError):
        _include(
            grid_tree,
            item,
            risk_types=["illness", "housing", "schooling", "disaster", "accident", "other"],
        )
    item.refresh_from_db()
    assert item.decision == ""


def test_dismiss_needs_a_reason(grid_tree):
    household = make_household(grid_tree.g1)
    _clue(grid_tree, household)
    review = services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=MONTH)
    with pytest.raises(ValidationError, match="理由"):
        services.review_item_set(
            actor=grid_tree.v1_leader, item=review.items.get(), decision="dismiss", note=" "
        )


def test_submit_needs_meeting_record_and_notice_days(grid_tree, settings):
    household = make_household(grid_tree.g1)
    _clue(grid_tree, household)
    review = services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=MONTH)
    _include(grid_tree, review.items.get())

    with pytest.raises(ValidationError) as exc:
        services.review_submit(actor=grid_tree.v1_leader, review=review)
    assert {"meeting_on", "attendance", "minutes", "notice_start"} <= set(exc.value.error_dict)

    _meeting(grid_tree, review, days=4)  # inclusion needs 5
    with pytest.raises(ValidationError) as exc:
        services.review_submit(actor=grid_tree.v1_leader, review=review)
    assert "notice_end" in exc.value.error_dict
    assert VillageReview.objects.get().state == ReviewState.DRAFT

    settings.REVIEW_NOTICE_DAYS_INCLUDE = 3
    services.review_submit(actor=grid_tree.v1_leader, review=review)
    assert VillageReview.objects.get().state == ReviewState.SUBMITTED


def test_submit_refuses_undecided_households(grid_tree):
    household = make_household(grid_tree.g1)
    _clue(grid_tree, household)
    review = services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=MONTH)
    _meeting(grid_tree, review)
    with pytest.raises(ValidationError) as exc:
        services.review_submit(actor=grid_tree.v1_leader, review=review)
    assert household.number in " ".join(exc.value.error_dict["items"][0].messages)


# -- transitions and roles ---------------------------------------------------------------
def test_whole_path_confirmation_opens_the_case_and_confirms_the_clue(grid_tree, composed):
    review, household, clue = _submitted(grid_tree, composed)
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    # Nothing changes before the county confirms.
    assert not MonitoringCase.objects.exists()
    assert RiskClue.objects.get().state == "new"

    services.review_confirm(actor=grid_tree.county, review=review)

    review.refresh_from_db()
    assert review.state == ReviewState.CONFIRMED and review.confirmed_by == grid_tree.county
    case = MonitoringCase.objects.get(household=household)
    assert (case.state, case.category, case.risk_types) == ("monitoring", "marginal", ["illness"])
    assert case.income_12m == Decimal("18000") and case.opened_by_item.review == review
    assert list(case.events.values_list("action", flat=True)) == ["identify"]
    clue.refresh_from_db()
    assert clue.state == "confirmed" and clue.decided_by == grid_tree.county
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"review.submit", "review.approve", "review.confirm", "case.identify"} <= actions


def test_returned_review_is_fixed_and_resubmitted(grid_tree, composed):
    review, household, _clue_ = _submitted(grid_tree, composed)
    with pytest.raises(ValidationError):
        services.review_return(actor=grid_tree.t1_leader, review=review, reason="  ")
    services.review_return(actor=grid_tree.t1_leader, review=review, reason="收入数据需核实")
    review.refresh_from_db()
    assert review.state == ReviewState.RETURNED and review.return_reason == "收入数据需核实"

    _include(grid_tree, review.items.get(), income_12m="16000")
    services.review_submit(actor=grid_tree.v1_leader, review=review)
    review.refresh_from_db()
    assert review.state == ReviewState.SUBMITTED and review.return_reason == ""
    assert review.items.get().income_12m == Decimal("16000")
    assert AuditLog.objects.filter(action="review.return", reason="收入数据需核实").exists()


def test_county_returns_an_approved_review_and_the_village_fixes_it(grid_tree, composed):
    from monitoring.reviews.permissions import review_permissions

    review, household, _clue_ = _submitted(grid_tree, composed)
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    review = VillageReview.objects.select_related("village").get()
    assert review_permissions(grid_tree.county, review)["may_return"]
    assert not review_permissions(grid_tree.t1_leader, review)["may_return"]
    assert not review_permissions(grid_tree.dept, review)["may_return"]

    services.review_return(actor=grid_tree.county, review=review, reason="支出票据不全，请补充")

    review.refresh_from_db()
    assert review.state == ReviewState.RETURNED and review.reviewed_by == grid_tree.county
    assert review.return_reason == "支出票据不全，请补充"
    assert AuditLog.objects.filter(
        action="review.return", actor=grid_tree.county, reason="支出票据不全，请补充"
    ).exists()
    assert not MonitoringCase.objects.exists()
    # The usual path again: the village fixes and resubmits, the township approves, the county
    # confirms.
    _include(grid_tree, review.items.get(), spending_12m="26000")
    services.review_submit(actor=grid_tree.v1_leader, review=review)
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    services.review_confirm(actor=grid_tree.county, review=review)
    assert MonitoringCase.objects.get(household=household).spending_12m == Decimal("26000")


def test_an_approved_review_is_returned_by_the_county_only(grid_tree, composed):
    review, _h, _c = _submitted(grid_tree, composed)
    with pytest.raises(PermissionDenied):  # a submitted review is the township's to return
        services.review_return(actor=grid_tree.county, review=review, reason="x")
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    with pytest.raises(Conflict, match="审核通过"):  # the township has decided already
        services.review_return(actor=grid_tree.t1_leader, review=review, reason="x")
    for who in ("dept", "v1_leader", "v3_leader"):
        with pytest.raises(PermissionDenied):
            services.review_return(actor=getattr(grid_tree, who), review=review, reason="x")
    assert VillageReview.objects.get().state == ReviewState.APPROVED


def test_submitted_and_approved_reviews_cannot_be_edited(grid_tree, composed):
    review, _h, _c = _submitted(grid_tree, composed)
    item = review.items.get()
    with pytest.raises(Conflict, match="提交"):
        _include(grid_tree, item, income_12m="1")
    with pytest.raises(Conflict):
        services.review_update(actor=grid_tree.v1_leader, review=review, minutes="改")
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    with pytest.raises(Conflict, match="审核通过"):
        services.review_submit(actor=grid_tree.v1_leader, review=review)
    item.refresh_from_db()
    assert item.income_12m == Decimal("18000")


@pytest.mark.parametrize("who", ["v1_leader", "county", "v3_leader", "g1_member", "dept"])
def test_only_the_township_leader_over_the_village_approves_or_returns(grid_tree, composed, who):
    review, _h, _c = _submitted(grid_tree, composed)
    with pytest.raises(PermissionDenied):
        services.review_approve(actor=getattr(grid_tree, who), review=review)
    with pytest.raises(PermissionDenied):
        services.review_return(actor=getattr(grid_tree, who), review=review, reason="x")
    assert VillageReview.objects.get().state == ReviewState.SUBMITTED


@pytest.mark.parametrize("who", ["v1_leader", "t1_leader", "dept"])
def test_only_the_county_confirms(grid_tree, composed, who):
    review, _h, _c = _submitted(grid_tree, composed)
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    with pytest.raises(PermissionDenied):
        services.review_confirm(actor=getattr(grid_tree, who), review=review)
    assert VillageReview.objects.get().state == ReviewState.APPROVED
    assert not MonitoringCase.objects.exists()


def test_confirming_twice_is_a_conflict_naming_who_confirmed(grid_tree, composed):
    review, _h, _c = _submitted(grid_tree, composed)
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    services.review_confirm(actor=grid_tree.county, review=review)
    with pytest.raises(Conflict) as exc:
        services.review_confirm(actor=grid_tree.superuser, review=review)
    assert "county" in str(exc.value) and "审定" in str(exc.value)
    assert MonitoringCase.objects.count() == 1


def test_approving_a_draft_is_a_conflict(grid_tree, composed):
    review, _h, _c = composed
    with pytest.raises(Conflict):
        services.review_approve(actor=grid_tree.t1_leader, review=review)
    assert VillageReview.objects.get().state == ReviewState.DRAFT


def test_dismissal_dismisses_the_clue_on_confirmation(grid_tree):
    household = make_household(grid_tree.g1)
    clue = _clue(grid_tree, household)
    review = services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=MONTH)
    services.review_item_set(
        actor=grid_tree.v1_leader, item=review.items.get(), decision="dismiss", note="已外出务工"
    )
    _meeting(grid_tree, review, days=1)
    services.review_submit(actor=grid_tree.v1_leader, review=review)
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    services.review_confirm(actor=grid_tree.county, review=review)
    clue.refresh_from_db()
    assert (clue.state, clue.decision_reason) == ("dismissed", "已外出务工")
    assert not MonitoringCase.objects.exists()


def test_batch_confirmation_commits_each_review_alone(grid_tree, composed):
    good, _h, _c = _submitted(grid_tree, composed)
    services.review_approve(actor=grid_tree.t1_leader, review=good)
    # V2's review is still a draft: its confirmation fails, V1's still commits.
    v2_leader = grid_tree.superuser
    other = services.review_create(actor=v2_leader, village=grid_tree.v2, month=MONTH)

    results = services.review_confirm_batch(actor=grid_tree.county, reviews=[good, other])

    assert [bool(error) for _r, error in results] == [False, True]
    assert VillageReview.objects.get(pk=good.pk).state == ReviewState.CONFIRMED
    assert VillageReview.objects.get(pk=other.pk).state == ReviewState.DRAFT
    assert MonitoringCase.objects.count() == 1


def test_confirmation_of_an_inclusion_refused_when_already_monitored_changes_nothing(
    grid_tree, composed
):
    review, household, clue = _submitted(grid_tree, composed)
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    make_case(household)  # identified elsewhere meanwhile
    with pytest.raises(ValidationError):
        services.review_confirm(actor=grid_tree.county, review=review)
    assert VillageReview.objects.get().state == ReviewState.APPROVED
    assert MonitoringCase.objects.count() == 1
    assert RiskClue.objects.get().state == "new"


def test_item_of_another_village_cannot_be_added(grid_tree):
    review = services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=MONTH)
    with pytest.raises(ValidationError):
        services.review_item_add(
            actor=grid_tree.v1_leader, review=review, household=make_household(grid_tree.g3)
        )
    item = services.review_item_add(
        actor=grid_tree.v1_leader, review=review, household=make_household(grid_tree.g2)
    )
    assert ReviewItem.objects.filter(pk=item.pk, review=review).exists()


def test_case_history_records_each_transition(grid_tree):
    make_line()
    household = make_household(grid_tree.g1)
    case = make_case(household, identified_on=TODAY - datetime.timedelta(days=300))
    make_visit(household, visited_on=TODAY)
    review = services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=MONTH)
    services.review_item_set(
        actor=grid_tree.v1_leader,
        item=review.items.get(),
        decision="eliminate",
        method="natural",
        income_12m="60000",
        evidence="两人稳定务工，入户核实两不愁三保障和饮水安全均有保障",
    )
    _meeting(grid_tree, review, days=7)
    services.review_submit(actor=grid_tree.v1_leader, review=review)
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    services.review_confirm(actor=grid_tree.county, review=review)
    case.refresh_from_db()
    assert (case.state, case.elimination_method) == ("eliminated", "natural")
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "identify",
        "eliminate",
    ]


def test_keep_is_refused_at_confirmation_when_the_case_closed_meanwhile(grid_tree):
    household = make_household(grid_tree.g1)
    case = make_case(household)
    review = services.review_create(actor=grid_tree.v1_leader, village=grid_tree.v1, month=MONTH)
    services.review_update(
        actor=grid_tree.v1_leader,
        review=review,
        meeting_on=TODAY,
        attendance="村两委",
        minutes="研判",
    )
    services.review_submit(actor=grid_tree.v1_leader, review=review)
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    case.state, case.eliminated_on, case.elimination_method = "eliminated", TODAY, "natural"
    case.save()
    with pytest.raises(ValidationError, match="已不是监测中的对象"):
        services.review_confirm(actor=grid_tree.county, review=review)
    assert VillageReview.objects.get().state == ReviewState.APPROVED
    assert case.events.count() == 1
