"""Dashboards and ledgers: scope, links, flat query counts, masking."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.models import AuditLog
from grids import services as grid_services
from grids.models import Level
from households import idnumbers
from households.tests.factories import HouseholdFactory, household_with_members

from .conftest import add_households_everywhere

pytestmark = pytest.mark.django_db


def test_dashboard_shows_the_county_table_and_townships_side_by_side(stats_tree, client):
    t = stats_tree.tree
    client.force_login(t.county)
    response = client.get("/dashboard/?month=2026-05")
    assert response.status_code == 200
    html = response.content.decode()
    assert "测试县统计" in html
    assert 'id="summary"' in html and 'id="children"' in html
    # Drill-down to each township, figure links to the lists behind them.
    assert f'href="/dashboard/{t.t1.code}/?month=2026-05"' in html
    assert f'href="/dashboard/{t.t2.code}/?month=2026-05"' in html
    assert f'href="/households/?grid={t.c.code}"' in html
    assert f'href="/households/?grid={t.t1.code}"' in html
    assert f'href="/monitoring/grids/{t.t1.code}/clues/"' in html
    assert f'href="/monitoring/grids/{t.t1.code}/coverage/?month=2026-05"' in html
    assert f'href="/dashboard/{t.c.code}/crowded/"' in html
    assert "<svg" in html and "cdn" not in html.lower()
    # Charts are drawn on the server: the only scripts are the site's own offline layer and
    # its words as data, no code inline.
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(
        'src="/static/' in tag or 'type="application/json"' in tag for tag in scripts
    ), scripts
    assert response.context["figures"]["households"] == 38
    rows = {r["node"].code: r["f"] for r in response.context["child_rows"]}
    assert rows[t.t1.code]["households"] == 35 and rows[t.t2.code]["households"] == 3


def test_dashboard_of_a_village_lists_its_group_grids(stats_tree, client):
    t = stats_tree.tree
    client.force_login(t.v1_leader)
    response = client.get("/dashboard/")  # default: the leader's own village
    assert response.status_code == 200
    assert response.context["node"] == t.v1
    assert [r["node"].code for r in response.context["child_rows"]] == [t.g1.code, t.g2.code]
    # Crumbs show only what the leader may see: no link up to the township.
    assert f"/dashboard/{t.t1.code}/" not in response.content.decode()


def test_dashboard_respects_scope(stats_tree, client):
    t = stats_tree.tree
    client.force_login(t.v1_leader)
    assert client.get(f"/dashboard/{t.v2.code}/").status_code == 404
    assert client.get(f"/dashboard/{t.t1.code}/").status_code == 404
    assert client.get(f"/dashboard/{t.v2.code}/crowded/").status_code == 404
    assert client.get(f"/dashboard/{t.v2.code}/ledgers/households.xlsx").status_code == 404
    assert client.get(f"/dashboard/{t.g1.code}/").status_code == 200


def test_dashboard_requires_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nav_links_the_dashboard(stats_tree, client):
    client.force_login(stats_tree.tree.county)
    assert 'href="/dashboard/"' in client.get("/dashboard/").content.decode()


def test_crowded_list_is_the_list_behind_the_figure(stats_tree, client):
    t = stats_tree.tree
    client.force_login(t.county)
    response = client.get(f"/dashboard/{t.c.code}/crowded/")
    assert [r["grid__code"] for r in response.context["rows"]] == [t.g1.code, t.g3.code]


def _dashboard_queries(client, code):
    client.get(f"/dashboard/{code}/")  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/dashboard/{code}/?month=2026-05")
    assert response.status_code == 200
    return len(ctx.captured_queries)


#: session, user, OTP device, scope, grid, ancestors, children, 8 figure queries for
#: the subtree and 8 for its children, 2 for the user's permissions (the full-ID ledger link),
#: the unattended grids.
DASHBOARD_QUERIES = 38


def test_dashboard_query_count_is_flat_for_3_and_30_households(grid_tree, client):
    client.force_login(grid_tree.county)
    counts = []
    for per_grid in (1, 10):  # 4 group grids: 4 → 40 households (3 and 30 over the page floor)
        add_households_everywhere(grid_tree, per_grid if not counts else per_grid - 1)
        counts.append(_dashboard_queries(client, grid_tree.c.code))
    assert counts[0] == counts[1] == DASHBOARD_QUERIES


def test_dashboard_query_count_is_flat_for_3_and_30_children(grid_tree, client):
    t = grid_tree
    client.force_login(t.county)
    counts = []
    for total in (3, 30):
        existing = t.v3.get_children().count()
        for i in range(existing, total):
            grid_services.grid_create(
                actor=t.superuser,
                code=f"53342320000102{i:02d}",
                name=f"三村第{i}网格",
                level=Level.GROUP,
                parent=t.v3,
                village_group="第2村民小组",
            )
        t.v3.refresh_from_db()
        for child in t.v3.get_children():
            HouseholdFactory(grid=child)
        counts.append(_dashboard_queries(client, t.v3.code))
    assert counts[0] == counts[1] == DASHBOARD_QUERIES


# -- ledgers ------------------------------------------------------------------------------
@pytest.fixture
def members(grid_tree):
    """Two households with members in G1 (one with a known ID number) and one in G3."""
    number = "533423198005010016"
    number = number[:17] + idnumbers.check_char(number[:17])
    from households.tests.factories import PersonFactory

    h = household_with_members(grid_tree.g1, members=2, platform_registered=False)
    PersonFactory(household=h, id_number=number, name="和丽")
    household_with_members(grid_tree.g1, members=1)
    household_with_members(grid_tree.g3, members=3)
    return number


@pytest.fixture
def download(client, django_capture_on_commit_callbacks):
    """GET a ledger link: it answers with its job's page; the job runs (after the commit) and
    the file is fetched from the job, as a person clicking through does."""

    def get(url):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url)
        assert response.status_code == 302 and "/jobs/" in response["Location"], response
        page = client.get(response["Location"])
        assert "下载结果文件" in page.content.decode()
        return client.get(response["Location"] + "file/")

    return get


def _ledger_bytes(user, node, key):
    """What the ledger job writes (the query count of the job's work)."""
    from reports.ledgers import write_ledger

    with write_ledger(user=user, node=node, key=key) as out:
        return out.read()


def _sheet(response):
    data = b"".join(response.streaming_content)
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return data, [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


def test_household_ledger_is_masked_for_a_role_without_the_permission(
    grid_tree, members, client, download
):
    client.force_login(grid_tree.v1_leader)
    response = download(f"/dashboard/{grid_tree.v1.code}/ledgers/households.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data, rows = _sheet(response)
    assert rows[1][:3] == ["乡镇", "村（社区）", "组网格"] and "身份证号" in rows[1]
    body = rows[2:]
    assert len(body) == 4  # V1's members only: 2 + 1 + the added member
    id_col = rows[1].index("身份证号")
    assert idnumbers.mask(members) in [r[id_col] for r in body]
    assert all("*" in r[id_col] for r in body)
    assert members.encode() not in data
    # Not even inside the zip's compressed streams: check the shared strings uncompressed.
    wb = load_workbook(io.BytesIO(data))
    assert members not in str([c.value for row in wb.worksheets[0].iter_rows() for c in row])
    # Asking for whole numbers without the permission is refused.
    url = f"/dashboard/{grid_tree.v1.code}/ledgers/households.xlsx?full_ids=1"
    assert client.get(url).status_code == 403


def test_household_ledger_full_ids_for_a_permitted_role_are_audited(
    grid_tree, members, client, download
):
    user = grid_tree.county
    user.user_permissions.add(
        Permission.objects.get(codename="view_full_id_number", content_type__app_label="households")
    )
    user = get_user_model().objects.get(pk=user.pk)
    client.force_login(user)
    masked = download(f"/dashboard/{grid_tree.c.code}/ledgers/households.xlsx")
    assert members.encode() not in b"".join(masked.streaming_content)  # masked by default
    assert not AuditLog.objects.filter(action="ledger.export_full_ids").exists()
    full = download(f"/dashboard/{grid_tree.c.code}/ledgers/households.xlsx?full_ids=1")
    _data, rows = _sheet(full)
    id_col = rows[1].index("身份证号")
    assert members in [r[id_col] for r in rows[2:]]
    assert len(rows[2:]) == 7
    assert AuditLog.objects.filter(action="ledger.export_full_ids", actor=user).count() == 1


def test_household_ledger_query_count_is_flat(grid_tree, client):
    client.force_login(grid_tree.county)
    counts = []
    for added in (3, 27):  # 3 households, then 30
        for _ in range(added):
            household_with_members(grid_tree.g2, members=1)
        _ledger_bytes(grid_tree.county, grid_tree.c, "households")
        with CaptureQueriesContext(connection) as ctx:
            _ledger_bytes(grid_tree.county, grid_tree.c, "households")
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_case_ledger_lists_the_subtrees_cases_masked(grid_tree, members, client, download):
    import datetime

    from households.models import Person
    from monitoring.tests.factories import make_case

    with_id = Person.objects.get(name="和丽").household
    with_id.members.filter(relation="head").update(relation="other")
    with_id.members.filter(name="和丽").update(relation="head")
    make_case(with_id, category="unstable", risk_types=["illness", "housing"], income_12m=9000)
    other = household_with_members(grid_tree.g3, members=2)
    make_case(
        other,
        state="eliminated",
        eliminated_on=datetime.date(2026, 6, 1),
        elimination_method="natural",
    )
    client.force_login(grid_tree.v1_leader)
    data, rows = _sheet(download(f"/dashboard/{grid_tree.v1.code}/ledgers/cases.xlsx"))
    headers, body = rows[1], rows[2:]
    assert len(body) == 1  # V1 holds one case; G3's lies in V2
    row = dict(zip(headers, body[0], strict=True))
    assert row["户主身份证号"] == idnumbers.mask(members)
    assert row["监测对象类别"] == "脱贫不稳定户" and row["风险类型"] == "因病、因安全住房"
    assert row["家庭人口"] == 3 and row["人均纯收入（元）"] == 3000
    assert row["状态"] == "监测中（风险未消除）"
    assert members.encode() not in data
    client.force_login(grid_tree.county)
    _data, rows = _sheet(download(f"/dashboard/{grid_tree.c.code}/ledgers/cases.xlsx"))
    states = sorted(r[rows[1].index("消除方式")] or "" for r in rows[2:])
    assert states == ["", "自然消除"]


def test_case_ledger_query_count_is_flat(grid_tree, client):
    from monitoring.tests.factories import make_case

    client.force_login(grid_tree.county)
    counts = []
    for added in (3, 27):
        for _ in range(added):
            make_case(household_with_members(grid_tree.g2, members=2))
        _ledger_bytes(grid_tree.county, grid_tree.c, "cases")  # warm: permissions, catalogue
        with CaptureQueriesContext(connection) as ctx:
            body = _ledger_bytes(grid_tree.county, grid_tree.c, "cases")
        counts.append(len(ctx.captured_queries))
        assert len(_sheet_rows(body)) == 2 + (3 if added == 3 else 30)
    assert counts[0] == counts[1]


def _sheet_rows(data):
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


def test_measure_ledger_and_plan_warnings(grid_tree, client, download):
    from assistance.tests.factories import implement, make_measure, make_plan

    plan = make_plan(grid_tree, "g1", risk_types=("housing",))
    implement(grid_tree, make_measure(grid_tree, plan))  # 医保 subsidy: answers no housing risk
    other = make_plan(grid_tree, "g3")
    make_measure(grid_tree, other, category="health", kind="family_doctor", dept=None)
    client.force_login(grid_tree.v1_leader)
    _data, rows = _sheet(download(f"/dashboard/{grid_tree.v1.code}/ledgers/measures.xlsx"))
    headers, body = rows[1], rows[2:]
    assert len(body) == 1  # G3's plan lies in V2
    row = dict(zip(headers, body[0], strict=True))
    assert (row["措施类别"], row["状态"], row["责任部门"]) == ("综合保障", "已落实", "医保")
    _data, rows = _sheet(download(f"/dashboard/{grid_tree.v1.code}/ledgers/cases.xlsx"))
    warning = dict(zip(rows[1], rows[2], strict=True))["帮扶方案预警"]
    assert "住房" in warning


def test_measure_ledger_query_count_is_flat(grid_tree, client):
    from assistance.tests.factories import make_measure, make_plan

    client.force_login(grid_tree.county)
    counts = []
    for added in (3, 27):
        for _ in range(added):
            make_measure(grid_tree, make_plan(grid_tree, "g2"))
        _ledger_bytes(grid_tree.county, grid_tree.c, "measures")  # warm: permissions, catalogue
        with CaptureQueriesContext(connection) as ctx:
            body = _ledger_bytes(grid_tree.county, grid_tree.c, "measures")
        counts.append(len(ctx.captured_queries))
        assert len(_sheet_rows(body)) == 2 + (3 if added == 3 else 30)
    assert counts[0] == counts[1]


def _review_with_item(village, grid, **item):
    import datetime

    from monitoring.models import ReviewItem, VillageReview
    from monitoring.tests.factories import make_household

    review = VillageReview.objects.get_or_create(
        village=village, month=datetime.date(2026, 10, 1), defaults={"state": "draft"}
    )[0]
    return ReviewItem.objects.create(review=review, household=make_household(grid), **item)


def test_review_ledger_one_row_per_decision_in_scope(grid_tree, client, download):
    _review_with_item(
        grid_tree.v1,
        grid_tree.g1,
        decision="include",
        category="sudden",
        risk_types=["accident"],
        income_12m=12000,
    )
    _review_with_item(grid_tree.v1, grid_tree.g2, decision="dismiss", note="核实无风险")
    _review_with_item(grid_tree.v3, grid_tree.g4, decision="keep")
    client.force_login(grid_tree.v1_leader)
    _data, rows = _sheet(download(f"/dashboard/{grid_tree.v1.code}/ledgers/reviews.xlsx"))
    headers, body = rows[1], rows[2:]
    assert len(body) == 2  # V3's review lies in another township
    by_decision = {r[headers.index("研判意见")]: dict(zip(headers, r, strict=True)) for r in body}
    include = by_decision["拟纳入监测对象"]
    where = (include["月份"], include["村（社区）"], include["研判状态"])
    assert where == ("2026-10", grid_tree.v1.name, "草稿")
    assert include["监测对象类别"] == "突发严重困难户" and include["风险类型"] == "因意外事故"
    assert by_decision["排除线索"]["说明"] == "核实无风险"


def test_review_ledger_query_count_is_flat(grid_tree, client):
    client.force_login(grid_tree.county)
    counts = []
    for added in (3, 27):
        for _ in range(added):
            _review_with_item(grid_tree.v1, grid_tree.g2, decision="keep")
        _ledger_bytes(grid_tree.county, grid_tree.c, "reviews")  # warm: permissions, catalogue
        with CaptureQueriesContext(connection) as ctx:
            body = _ledger_bytes(grid_tree.county, grid_tree.c, "reviews")
        counts.append(len(ctx.captured_queries))
        assert len(_sheet_rows(body)) == 2 + (3 if added == 3 else 30)
    assert counts[0] == counts[1]
