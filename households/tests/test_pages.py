"""Phone pages: a grid's households, a household with its members, the import page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditLog
from households.models import Household
from households.tests.factories import PersonFactory, household_with_members, synthetic_id

pytestmark = pytest.mark.django_db


def _count(client, url):
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response


def test_household_list_query_count_is_pinned_and_flat(grid_tree, client):
    client.force_login(grid_tree.v1_leader)
    url = f"/households/?grid={grid_tree.v1.code}"
    counts = []
    for total in (3, 30):
        Household.objects.all().delete()
        for i in range(total):
            household_with_members([grid_tree.g1, grid_tree.g2][i % 2], members=2)
        n, response = _count(client, url)
        counts.append(n)
        assert response.context["page"].paginator.count == total
    # session, user, scope (also answers "may import"), grid by code, count, page
    assert counts == [6, 6], counts


def test_household_detail_query_count_is_pinned_and_flat(grid_tree, client):
    client.force_login(grid_tree.v1_leader)
    counts = []
    for members in (3, 30):
        household = household_with_members(grid_tree.g1, members=members)
        n, response = _count(client, f"/households/{household.pk}/")
        counts.append(n)
        assert len(response.context["members"]) == members
    # session, user, scope (also answers "may write"), household (+grid, parent), members,
    # permissions (user, groups), and the monitoring section: case, open clues, visits,
    # applications
    assert counts == [11, 11], counts


def test_pages_show_masked_numbers_only(grid_tree, client):
    number = synthetic_id()
    household = household_with_members(grid_tree.g1, members=1, head_name="和文华")
    PersonFactory(household=household, id_number=number)
    client.force_login(grid_tree.county)
    for url in (f"/households/?grid={grid_tree.c.code}", f"/households/{household.pk}/"):
        body = client.get(url).content.decode()
        assert number not in body
    body = client.get(f"/households/{household.pk}/").content.decode()
    assert number[:6] + "********" + number[14:] in body
    assert "查看完整号码" not in body  # no permission, no button


def test_reveal_from_the_page_is_audited(grid_tree, client, revealer):
    number = synthetic_id()
    household = household_with_members(grid_tree.g1, members=1)
    person = PersonFactory(household=household, id_number=number)
    client.force_login(revealer)
    assert "查看完整号码" in client.get(f"/households/{household.pk}/").content.decode()
    response = client.post(f"/persons/{person.pk}/reveal/")
    assert number in response.content.decode()
    assert AuditLog.objects.filter(action="person.reveal_id", object_id=str(person.pk)).exists()
    client.force_login(grid_tree.v1_leader)
    assert client.post(f"/persons/{person.pk}/reveal/").status_code == 403


def test_out_of_scope_pages_are_404(grid_tree, client):
    household = household_with_members(grid_tree.g4)
    client.force_login(grid_tree.v1_leader)
    assert client.get(f"/households/{household.pk}/").status_code == 404
    assert client.get(f"/households/?grid={grid_tree.v3.code}").status_code == 404


def test_grid_page_links_to_its_households(grid_tree, client):
    client.force_login(grid_tree.v1_leader)
    body = client.get(f"/grids/{grid_tree.v1.code}/").content.decode()
    assert f"/households/?grid={grid_tree.v1.code}" in body


def test_import_page_for_township_leaders_only(
    grid_tree, client, xlsx_file, django_capture_on_commit_callbacks
):
    from households.tests.test_importing import good_rows

    client.force_login(grid_tree.v1_leader)
    assert client.get("/households/import/").status_code == 403
    client.force_login(grid_tree.t1_leader)
    assert client.get("/households/import/").status_code == 200
    upload = xlsx_file(good_rows(grid_tree))
    # The upload answers at once with the job's page; the job runs after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/households/import/", {"file": upload, "dry_run": "on"})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "预检通过" in page and Household.objects.count() == 0
    upload.seek(0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/households/import/", {"file": upload})
    assert "已导入 2 户" in client.get(response["Location"]).content.decode()
    assert Household.objects.count() == 2
    assert client.get("/households/import/template.xlsx").status_code == 200


def test_export_page_is_scoped(grid_tree, client, django_capture_on_commit_callbacks):
    household_with_members(grid_tree.g1, number="IN")
    household_with_members(grid_tree.g4, number="OUT")
    client.force_login(grid_tree.v1_leader)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.get("/households/export.xlsx")
    assert started.status_code == 302 and "/jobs/" in started["Location"]
    response = client.get(started["Location"] + "file/")
    assert response.status_code == 200
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert {r[0] for r in rows[1:]} == {"IN"}


def test_search_by_id_number_posts_and_opens_the_household(grid_tree, client):
    from .factories import HouseholdFactory, PersonFactory, synthetic_id

    number = synthetic_id()
    household = HouseholdFactory(grid=grid_tree.g1)
    PersonFactory(household=household, id_number=number)
    client.force_login(grid_tree.v1_leader)
    response = client.post("/households/", {"q": number})
    assert response.status_code == 302
    assert response["Location"] == f"/households/{household.pk}/"
    # Out of scope: like nobody, and the number is in no URL.
    client.force_login(grid_tree.v3_leader)
    response = client.post("/households/", {"q": number})
    assert response.status_code == 302 and number not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "没有该身份证号的成员" in page and number not in page
    # Anything else becomes the usual list query.
    response = client.post("/households/", {"q": household.number, "grid": grid_tree.g1.code})
    assert response["Location"] == f"/households/?grid={grid_tree.g1.code}&q={household.number}"
