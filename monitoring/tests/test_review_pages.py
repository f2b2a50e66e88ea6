"""The review pages: compose, lock banner, queues, batch confirmation, cases, notice."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from households.models import Person
from monitoring import services
from monitoring.models import MonitoringCase, ReviewState, RiskClue, VillageReview
from monitoring.tests.factories import make_case, make_household, make_person, new_id_number

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _clue(tree, household, risk="illness"):
    return services.clue_raise(
        actor=tree.superuser, household=household, risk_type=risk, source="visit"
    )[0]


def _ready_review(tree, household, village=None):
    village = village or tree.v1
    review = services.review_create(actor=tree.superuser, village=village, month=TODAY)
    item = review.items.get(household=household)
    services.review_item_set(
        actor=tree.superuser,
        item=item,
        decision="include",
        category="sudden",
        risk_types=["illness"],
        income_12m="8000",
        spending_12m="40000",
        evidence="",
    )
    services.review_update(
        actor=tree.superuser,
        review=review,
        meeting_on=TODAY,
        attendance="村两委",
        minutes="研判",
        notice_start=TODAY,
        notice_end=TODAY + datetime.timedelta(days=6),
    )
    return review


def test_village_leader_opens_the_review_and_saves_a_decision(grid_tree, client):
    household = make_household(grid_tree.g1)
    _clue(grid_tree, household)
    client.force_login(grid_tree.v1_leader)
    response = client.post(
        f"/monitoring/grids/{grid_tree.v1.code}/reviews/", {"month": TODAY.strftime("%Y-%m")}
    )
    review = VillageReview.objects.get()
    assert response.status_code == 302 and response.url == f"/monitoring/reviews/{review.pk}/"
    page = client.get(response.url).content.decode()
    assert household.head_name in page and "因病" in page and "rv-submit" in page

    item = review.items.get()
    response = client.post(
        f"/monitoring/review-items/{item.pk}/",
        {
            "decision": "include",
            "category": "marginal",
            "risk_types": ["illness", "housing"],
            "income_12m": "9000",
            "spending_12m": "20000",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.decision, item.risk_types) == ("include", ["illness", "housing"])


def test_submitted_review_page_says_why_it_is_locked_and_who_holds_it(grid_tree, client):
    household = make_household(grid_tree.g1)
    _clue(grid_tree, household)
    review = _ready_review(grid_tree, household)
    services.review_submit(actor=grid_tree.v1_leader, review=review)
    client.force_login(grid_tree.v1_leader)
    page = client.get(f"/monitoring/reviews/{review.pk}/").content.decode()
    assert "已锁定" in page and "甲镇 乡镇网格长 t1" in page
    assert "rv-submit" not in page and "保存本户意见" not in page
    # Posting anyway changes nothing and says who holds it.
    item = review.items.get()
    client.post(f"/monitoring/review-items/{item.pk}/", {"decision": "dismiss", "note": "x"})
    item.refresh_from_db()
    assert item.decision == "include"


def test_township_queue_approves_and_returns_in_place(grid_tree, client):
    first = make_household(grid_tree.g1)
    _clue(grid_tree, first)
    second = make_household(grid_tree.g3)
    _clue(grid_tree, second)
    r1 = _ready_review(grid_tree, first)
    r2 = _ready_review(grid_tree, second, village=grid_tree.v2)
    for review in (r1, r2):
        services.review_submit(actor=grid_tree.superuser, review=review)
    client.force_login(grid_tree.t1_leader)
    url = f"/monitoring/grids/{grid_tree.t1.code}/approvals/"
    page = client.get(url).content.decode()
    assert "一村" in page and "二村" in page and "拟纳入 1" in page
    client.post(f"/monitoring/reviews/{r1.pk}/approve/", {"next": url})
    response = client.post(
        f"/monitoring/reviews/{r2.pk}/return/", {"next": url, "reason": "补充会议记录"}
    )
    assert response.status_code == 302 and response.url == url
    assert VillageReview.objects.get(pk=r1.pk).state == ReviewState.APPROVED
    r2.refresh_from_db()
    assert (r2.state, r2.return_reason) == (ReviewState.RETURNED, "补充会议记录")


def test_county_batch_confirmation_page(grid_tree, client):
    households = []
    reviews = []
    for grid, village in ((grid_tree.g1, grid_tree.v1), (grid_tree.g4, grid_tree.v3)):
        household = make_household(grid)
        _clue(grid_tree, household)
        review = _ready_review(grid_tree, household, village=village)
        services.review_submit(actor=grid_tree.superuser, review=review)
        services.review_approve(actor=grid_tree.superuser, review=review)
        households.append(household)
        reviews.append(review)
    client.force_login(grid_tree.county)
    url = f"/monitoring/grids/{grid_tree.c.code}/confirmations/"
    page = client.get(url).content.decode()
    assert "一村" in page and "三村" in page
    client.post(url, {"ids": [r.pk for r in reviews]})
    assert set(VillageReview.objects.values_list("state", flat=True)) == {"confirmed"}
    assert MonitoringCase.objects.filter(household__in=households).count() == 2


def test_county_returns_an_approved_review_from_its_page(grid_tree, client):
    household = make_household(grid_tree.g1)
    _clue(grid_tree, household)
    review = _ready_review(grid_tree, household)
    services.review_submit(actor=grid_tree.superuser, review=review)
    services.review_approve(actor=grid_tree.t1_leader, review=review)
    client.force_login(grid_tree.t1_leader)
    assert 'id="rv-return"' not in client.get(f"/monitoring/reviews/{review.pk}/").content.decode()

    client.force_login(grid_tree.county)
    page = client.get(f"/monitoring/reviews/{review.pk}/").content.decode()
    assert 'id="rv-return"' in page and 'id="rv-confirm"' in page
    client.post(f"/monitoring/reviews/{review.pk}/return/", {"reason": "收入核算有误"})

    review.refresh_from_db()
    assert (review.state, review.return_reason) == (ReviewState.RETURNED, "收入核算有误")
    client.force_login(grid_tree.v1_leader)
    page = client.get(f"/monitoring/reviews/{review.pk}/").content.decode()
    assert "收入核算有误" in page and grid_tree.county.first_name in page
    assert not MonitoringCase.objects.filter(household=household).exists()


def test_cases_page_and_history(grid_tree, client):
    case = make_case(make_household(grid_tree.g1))
    client.force_login(grid_tree.v1_leader)
    page = client.get(f"/monitoring/grids/{grid_tree.v1.code}/cases/").content.decode()
    assert case.household.head_name in page and 'id="cases-open">1<' in page
    page = client.get(f"/monitoring/cases/{case.pk}/").content.decode()
    assert "识别纳入" in page
    client.force_login(grid_tree.v3_leader)
    assert client.get(f"/monitoring/cases/{case.pk}/").status_code == 404


def test_notice_dates_follow_the_language(grid_tree, client):
    household = make_household(grid_tree.g1)
    _clue(grid_tree, household)
    review = _ready_review(grid_tree, household)
    services.review_update(
        actor=grid_tree.superuser,
        review=review,
        notice_start=datetime.date(2026, 3, 2),
        notice_end=datetime.date(2026, 3, 8),
    )
    client.force_login(grid_tree.v1_leader)
    url = f"/monitoring/reviews/{review.pk}/notice/"
    page = client.get(url, headers={"accept-language": "zh-hans"}).content.decode()
    assert "2026年3月2日" in page and "2026年3月8日" in page
    page = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "March 2, 2026" in page and "March 8, 2026" in page and "2026年3月2日" not in page


def test_notice_shows_no_id_numbers_phones_bank_accounts_or_health(grid_tree, client):
    number = new_id_number()
    household = make_household(
        grid_tree.g1, head_id=number, phone="13912345678", contact_phone="13887654321"
    )
    make_person(household, relation="spouse", health="serious", disability_grade="")
    _clue(grid_tree, household)
    review = _ready_review(grid_tree, household)
    item = review.items.get()
    services.review_item_set(
        actor=grid_tree.superuser, item=item, note="配偶患尿毒症住院，银行卡 6222020200112233445"
    )
    client.force_login(grid_tree.v1_leader)
    response = client.get(f"/monitoring/reviews/{review.pk}/notice/")
    page = response.content.decode()
    assert response.status_code == 200
    assert household.head_name in page and "突发严重困难户" in page and "公示" in page
    assert "@media print" not in page and "notice.css" in page
    masked = Person.objects.filter(household=household).values_list("id_masked", flat=True)
    for secret in [
        number,
        *masked,
        "13912345678",
        "13887654321",
        "6222020200112233445",
        "尿毒症",
        "住院",
        "患大病",
        household.number,
    ]:
        assert secret not in page, secret


def test_review_page_of_a_village_with_200_households_has_bounded_queries(grid_tree, client):
    def render(n):
        VillageReview.objects.all().delete()
        for _ in range(n):
            household = make_household(grid_tree.g2)
            RiskClue.objects.create(
                household=household,
                risk_type="illness",
                source="visit",
                found_on=TODAY,
                verify_by=TODAY,
                decide_by=TODAY,
            )
        review = services.review_create(
            actor=grid_tree.superuser, village=grid_tree.v1, month=TODAY
        )
        client.force_login(grid_tree.v1_leader)
        client.get(f"/monitoring/reviews/{review.pk}/")  # warm
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/monitoring/reviews/{review.pk}/")
        assert response.status_code == 200
        return len(ctx.captured_queries), review.items.count()

    small, small_items = render(3)
    large, large_items = render(197)  # 3 + 197 households on the review
    assert (small_items, large_items) == (3, 200)
    assert small == large, (small, large)
    # session, user, scope (also answers the roles), review, holders, items, open clues
    assert large == 7, large


def test_admin_lists_lines_and_scoped_reviews_and_audits_line_changes(grid_tree, client):
    from core.models import AuditLog

    review = services.review_create(actor=grid_tree.superuser, village=grid_tree.v3, month=TODAY)
    client.force_login(grid_tree.superuser)
    response = client.post(
        "/admin/monitoring/monitoringline/add/",
        {"year": "2026", "area_code": "53", "area_name": "云南省", "yuan": "9000"},
    )
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="monitoring_line.create").exists()
    page = client.get("/admin/monitoring/villagereview/").content.decode()
    assert review.village.name in page


@pytest.mark.parametrize(
    "posted,reason",
    [
        # Refused by the form: a negative income.
        ({"income_12m": "-5"}, "近12个月家庭纯收入（元）"),
        # Refused by the service: inclusion without a category.
        ({"category": ""}, "类别"),
    ],
)
def test_a_refused_decision_keeps_what_was_typed_with_the_error_beside_it(
    grid_tree, client, posted, reason
):
    household = make_household(grid_tree.g1)
    other = make_household(grid_tree.g1)
    _clue(grid_tree, household)
    _clue(grid_tree, other)
    client.force_login(grid_tree.v1_leader)
    client.post(
        f"/monitoring/grids/{grid_tree.v1.code}/reviews/", {"month": TODAY.strftime("%Y-%m")}
    )
    item = VillageReview.objects.get().items.get(household=household)
    data = {
        "decision": "include",
        "category": "marginal",
        "risk_types": ["illness", "housing"],
        "income_12m": "9000",
        "spending_12m": "23456",
        "note": "户主住院两次，已核实费用单据",
        **posted,
    }
    response = client.post(f"/monitoring/review-items/{item.pk}/", data)
    assert response.status_code == 400
    page = response.content.decode()
    # The error sits in this household's own block, before the next household's …
    mine = page.index(f'id="item-{item.pk}"')
    error = page.index(f'id="item-errors-{item.pk}"')
    following = [page.index(f'id="item-{i.pk}"') for i in item.review.items.exclude(pk=item.pk)]
    assert mine < error < min([p for p in following if p > mine] or [len(page)])
    assert reason in page[error : error + 400]
    # … and what was typed is still there, unsaved.
    assert 'value="23456"' in page and "户主住院两次，已核实费用单据" in page
    assert 'value="housing" checked' in page
    item.refresh_from_db()
    assert item.decision == "" and item.spending_12m is None
    # The form posts back to this household's place on the page.
    assert f'action="/monitoring/review-items/{item.pk}/#item-{item.pk}"' in page


def test_cases_page_pages_and_filters(grid_tree, client):
    for n in range(53):
        make_case(
            make_household(grid_tree.g1 if n % 2 else grid_tree.g3),
            category="marginal" if n % 3 else "sudden",
            risk_types=("illness",) if n % 5 else ("housing", "illness"),
        )
    far = make_case(make_household(grid_tree.g4), risk_types=("housing",))
    client.force_login(grid_tree.t1_leader)
    url = f"/monitoring/grids/{grid_tree.t1.code}/cases/"
    first = client.get(url).content.decode()
    assert first.count('href="/monitoring/cases/') == 50
    assert "共 53 户" in first and "page=2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('href="/monitoring/cases/') == 3
    in_v1 = client.get(url, {"grid": grid_tree.v1.code}).content.decode()
    assert "共 26 户" in in_v1
    housing = client.get(url, {"risk": "housing"}).content.decode()
    assert "共 11 户" in housing and f"/monitoring/cases/{far.pk}/" not in housing
    sudden = client.get(url, {"category": "sudden", "grid": grid_tree.v2.code}).content.decode()
    assert "共 9 户" in sudden
    # A filter value that is not one is ignored, not an error.
    assert client.get(url, {"risk": "nonsense", "state": "x"}).status_code == 200
