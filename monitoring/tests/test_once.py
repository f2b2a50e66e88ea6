"""One tap is one visit; the loser of two decisions on a clue is told who won."""

import pytest
from django.utils import timezone

from core.exceptions import Conflict
from monitoring import services
from monitoring.models import RiskClue, Visit
from monitoring.tests.factories import make_household

pytestmark = pytest.mark.django_db


def test_the_same_client_key_records_one_visit_through_the_api(grid_tree, api):
    household = make_household(grid_tree.g1)
    client = api.as_user(grid_tree.g1_member)
    payload = {
        "household": household.pk,
        "visited_on": str(timezone.localdate()),
        "housing": "at_risk",
        "client_key": "phone-0001-abcd",
    }
    first = client.post("/api/v1/visits/", payload, format="json")
    again = client.post("/api/v1/visits/", payload, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Visit.objects.filter(household=household).count() == 1
    assert RiskClue.objects.filter(household=household).count() == 1


def test_the_idempotency_key_header_works_too(grid_tree, api):
    household = make_household(grid_tree.g1)
    client = api.as_user(grid_tree.g1_member)
    payload = {"household": household.pk, "visited_on": str(timezone.localdate())}
    for _ in range(3):
        client.post("/api/v1/visits/", payload, format="json", HTTP_IDEMPOTENCY_KEY="tap-12345678")
    assert Visit.objects.filter(household=household).count() == 1


def test_a_bad_client_key_is_a_field_error(grid_tree, api):
    household = make_household(grid_tree.g1)
    response = api.as_user(grid_tree.g1_member).post(
        "/api/v1/visits/",
        {"household": household.pk, "visited_on": str(timezone.localdate()), "client_key": "短"},
        format="json",
    )
    assert response.status_code == 400 and "client_key" in response.json()["errors"]


def test_the_visit_form_submitted_twice_records_one_visit(grid_tree, client):
    household = make_household(grid_tree.g1)
    client.force_login(grid_tree.g1_member)
    url = f"/monitoring/households/{household.pk}/visit/"
    html = client.get(url).content.decode()
    # The key travels in the page itself: the browser sends it back with the form.
    import re

    key = re.search(r'name="client_key" value="([0-9a-f]{32})"', html)[1]
    data = {
        "visited_on": str(timezone.localdate()),
        "mode": "in_person",
        "income_change": "stable",
        "client_key": key,
    }
    from monitoring.discovery.models.visits import CHECKS

    for name in CHECKS:
        data[name] = "secure"
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert first.status_code == 302
    assert Visit.objects.filter(household=household).count() == 1
    assert "已经记录过" in second.content.decode()


def test_confirm_after_someone_dismissed_is_a_409_naming_them(grid_tree, api):
    household = make_household(grid_tree.g1)
    clue, _ = services.clue_raise(
        actor=grid_tree.superuser, household=household, risk_type="illness", source="visit"
    )
    services.clue_dismiss(actor=grid_tree.v1_leader, clue=clue, reason="核实无风险")
    with pytest.raises(Conflict, match="v1"):
        services.clue_confirm(actor=grid_tree.county, clue=clue, reason="确认")
    response = api.as_user(grid_tree.county).post(
        f"/api/v1/clues/{clue.pk}/confirm/", {"reason": "确认"}, format="json"
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "v1" in detail and "未生效" in detail
    clue.refresh_from_db()
    assert clue.state == "dismissed"


def test_the_inbox_offers_confirm_and_dismiss_to_leaders_only(grid_tree, client):
    household = make_household(grid_tree.g1)
    clue, _ = services.clue_raise(
        actor=grid_tree.superuser, household=household, risk_type="illness", source="visit"
    )
    url = f"/monitoring/grids/{grid_tree.g1.code}/clues/"
    client.force_login(grid_tree.g1_member)
    member_page = client.get(url).content.decode()
    assert f"/clues/{clue.pk}/verify/" in member_page or "开始核实" in member_page
    assert "/confirm/" not in member_page and "/dismiss/" not in member_page
    client.force_login(grid_tree.v1_leader)
    leader_page = client.get(f"/monitoring/grids/{grid_tree.v1.code}/clues/").content.decode()
    assert "/confirm/" in leader_page and "/dismiss/" in leader_page


def test_the_household_page_shows_its_monitoring_and_the_visit_says_what_it_raised(
    grid_tree, client
):
    from monitoring.discovery.models.visits import CHECKS

    household = make_household(grid_tree.g1)
    client.force_login(grid_tree.g1_member)
    data = {
        "visited_on": str(timezone.localdate()),
        "mode": "in_person",
        "income_change": "stable",
        "client_key": "k" * 16,
    }
    for name in CHECKS:
        data[name] = "secure"
    data["housing"] = "at_risk"
    response = client.post(f"/monitoring/households/{household.pk}/visit/", data, follow=True)
    html = response.content.decode()
    assert "已新建线索" in html and "前办结" in html
    assert 'id="monitoring"' in html and "在办线索" in html and "最近走访" in html
    assert "有风险" in html


def test_the_inbox_pages_and_filters(grid_tree, client):
    for i in range(55):
        household = make_household(grid_tree.g1 if i % 5 else grid_tree.g4)
        services.clue_raise(
            actor=grid_tree.superuser,
            household=household,
            risk_type="illness" if i % 2 else "housing",
            source="visit",
        )
    client.force_login(grid_tree.county)
    url = f"/monitoring/grids/{grid_tree.c.code}/clues/"
    first = client.get(url)
    assert len(first.context["clues"]) == 50 and first.context["total"] == 55
    assert "page=2" in first.content.decode()
    second = client.get(url, {"page": 2})
    assert len(second.context["clues"]) == 5
    housing = client.get(url, {"risk": "housing"})
    assert housing.context["total"] == 28
    assert all(c.risk_type == "housing" for c in housing.context["clues"])
    township = client.get(url, {"grid": grid_tree.t2.code})
    assert township.context["total"] == 11  # the g4 households
    assert client.get(url, {"grid": "nope", "risk": "nope"}).context["total"] == 55
