"""The phone pages: record a visit, the clue inbox, coverage."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitoring import services
from monitoring.models import RiskClue, Visit
from monitoring.tests.factories import make_household

pytestmark = pytest.mark.django_db


def test_record_visit_page_creates_visit_and_clue(grid_tree, client):
    household = make_household(grid_tree.g1)
    client.force_login(grid_tree.g1_member)
    url = f"/monitoring/households/{household.pk}/visit/"
    assert client.get(url).status_code == 200
    data = {
        "visited_on": str(timezone.localdate()),
        "mode": "in_person",
        "income_change": "down",
        "food": "secure",
        "clothing": "secure",
        "education": "secure",
        "medical": "at_risk",
        "housing": "secure",
        "water": "secure",
        "risk_types": ["illness"],
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Visit.objects.get().income_change == "down"
    assert RiskClue.objects.get().risk_type == "illness"


def test_record_visit_page_out_of_scope_is_404(grid_tree, client):
    household = make_household(grid_tree.g4)
    client.force_login(grid_tree.g1_member)
    assert client.get(f"/monitoring/households/{household.pk}/visit/").status_code == 404


def test_inbox_shows_overdue_and_dismisses(grid_tree, client):
    household = make_household(grid_tree.g1)
    import datetime

    clue, _ = services.clue_raise(
        actor=grid_tree.v1_leader,
        household=household,
        risk_type="illness",
        source="department",
        found_on=timezone.localdate() - datetime.timedelta(days=20),
    )
    client.force_login(grid_tree.v1_leader)
    page = client.get(f"/monitoring/grids/{grid_tree.v1.code}/clues/").content.decode()
    assert "mon-overdue" in page and "因病" in page
    response = client.post(
        f"/monitoring/clues/{clue.pk}/dismiss/", {"reason": "已核实", "next": "/"}
    )
    assert response.status_code == 302
    clue.refresh_from_db()
    assert clue.state == "dismissed"


def test_inbox_query_count_is_flat(grid_tree, client):
    client.force_login(grid_tree.t1_leader)
    url = f"/monitoring/grids/{grid_tree.t1.code}/clues/"
    counts = []
    for n in (3, 30):
        RiskClue.objects.all().delete()
        for i in range(n):
            household = make_household(grid_tree.g1 if i % 2 else grid_tree.g3)
            services.clue_raise(
                actor=grid_tree.superuser,
                household=household,
                risk_type="illness",
                source="visit",
            )
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_coverage_page(grid_tree, client):
    make_household(grid_tree.g1)
    client.force_login(grid_tree.v1_leader)
    page = client.get(f"/monitoring/grids/{grid_tree.v1.code}/coverage/").content.decode()
    assert "盲区" in page and grid_tree.g1.name in page
    assert client.get(f"/monitoring/grids/{grid_tree.v3.code}/coverage/").status_code == 404


def test_grid_page_links_to_inbox_and_coverage(grid_tree, client):
    client.force_login(grid_tree.v1_leader)
    page = client.get(f"/grids/{grid_tree.v1.code}/").content.decode()
    assert f"/monitoring/grids/{grid_tree.v1.code}/clues/" in page
    assert f"/monitoring/grids/{grid_tree.v1.code}/coverage/" in page


def test_clue_step_ignores_foreign_next_and_member_cannot_dismiss(grid_tree, client):
    household = make_household(grid_tree.g1)
    clue, _ = services.clue_raise(
        actor=grid_tree.v1_leader, household=household, risk_type="illness", source="visit"
    )
    client.force_login(grid_tree.g1_member)
    response = client.post(
        f"/monitoring/clues/{clue.pk}/dismiss/", {"reason": "x", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/monitoring/grids/{grid_tree.v1.code}/clues/"
    clue.refresh_from_db()
    assert clue.state == "new"


def test_a_clue_confirmed_with_photos_from_the_inbox(grid_tree, client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from households.models import Photo

    household = make_household(grid_tree.g1)
    clue = services.clue_raise(
        actor=grid_tree.superuser, household=household, risk_type="housing", source="visit"
    )[0]
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 90, 90)).save(out, "JPEG")
    client.force_login(grid_tree.v1_leader)
    response = client.post(
        f"/monitoring/clues/{clue.pk}/confirm/",
        {"reason": "房屋开裂", "photos": [SimpleUploadedFile("房屋.jpg", out.getvalue())]},
        follow=True,
    )
    assert "线索已更新" in response.content.decode()
    clue.refresh_from_db()
    assert clue.state == "confirmed"
    photo = Photo.objects.get()
    assert photo.subject == f"clue:{clue.pk}"
    # A bad photo: nothing done, the reason said.
    other = services.clue_raise(
        actor=grid_tree.superuser, household=household, risk_type="illness", source="visit"
    )[0]
    response = client.post(
        f"/monitoring/clues/{other.pk}/confirm/",
        {"photos": [SimpleUploadedFile("x.jpg", b"nope")]},
        follow=True,
    )
    assert "不是可识别的照片" in response.content.decode()
    other.refresh_from_db()
    assert other.state == "new" and Photo.objects.count() == 1
