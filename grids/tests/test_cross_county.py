"""Identifiers of another county never show in an answer (issue: one county never touches
another). Values unique in the deployment are refused with one neutral wording; what is not
the user's to reference answers like nothing at all."""

import io

import pytest

from households import importing
from households.tests.factories import HouseholdFactory, PersonFactory, synthetic_id
from monitoring.tests.factories import make_household

pytestmark = pytest.mark.django_db


def _body(response, *secrets):
    text = response.content.decode()
    for secret in secrets:
        assert secret not in text, (secret, text)
    return response.json()


def test_household_number_of_another_county_is_refused_neutrally(grid_tree, other_county, api):
    theirs = HouseholdFactory(grid=other_county.g, number="D-0001")
    mine = HouseholdFactory(grid=grid_tree.g1, number="C-0001")
    HouseholdFactory(grid=grid_tree.g1, number="C-0002")
    client = api.as_user(grid_tree.county)

    elsewhere = client.patch(f"/api/v1/households/{mine.pk}/", {"number": theirs.number})
    here = client.patch(f"/api/v1/households/{mine.pk}/", {"number": "C-0002"})

    assert elsewhere.status_code == here.status_code == 400
    a = _body(elsewhere, other_county.d.name, other_county.g.name)["errors"]["number"][0]
    b = _body(here)["errors"]["number"][0]
    assert a.replace(theirs.number, "<n>") == b.replace("C-0002", "<n>")
    assert "不可用" in a and "已被使用" not in a


def test_grid_code_of_another_county_is_refused_neutrally(grid_tree, other_county, api):
    response = api.as_user(grid_tree.county).patch(
        f"/api/v1/grids/{grid_tree.g2.code}/", {"code": other_county.g.code}, format="json"
    )
    assert response.status_code == 400
    message = _body(response, other_county.g.name)["errors"]["code"][0]
    assert "不可用" in message and "已被使用" not in message


def test_assignment_naming_another_countys_user_answers_like_an_unknown_one(
    grid_tree, other_county, api
):
    client = api.as_user(grid_tree.county)
    payload = {"grid": grid_tree.g1.code, "role": "member"}
    theirs = client.post(
        "/api/v1/grid-assignments/", {**payload, "user": other_county.member.username}
    )
    nobody = client.post("/api/v1/grid-assignments/", {**payload, "user": "no-such-user"})
    assert theirs.status_code == nobody.status_code == 400
    assert theirs.content.decode().replace(other_county.member.username, "<u>") == (
        nobody.content.decode().replace("no-such-user", "<u>")
    )


def test_assignment_of_a_new_account_still_works(grid_tree, make_user, api):
    newcomer = make_user("newcomer")
    response = api.as_user(grid_tree.county).post(
        "/api/v1/grid-assignments/",
        {"grid": grid_tree.g1.code, "role": "member", "user": newcomer.username},
    )
    assert response.status_code == 201, response.content


def _import_file(rows):
    header = "户编号,组网格编码,户类型,姓名,身份证号,与户主关系\n"
    body = "".join(",".join(r) + "\n" for r in rows)
    return io.BytesIO((header + body).encode("utf-8"))


def test_import_dry_run_does_not_say_where_a_number_or_id_is_registered(grid_tree, other_county):
    theirs = HouseholdFactory(grid=other_county.g, number="D-0009")
    their_id = synthetic_id()
    PersonFactory(household=theirs, id_number=their_id)
    mine = HouseholdFactory(grid=grid_tree.g1, number="C-0009")
    my_id = synthetic_id()
    PersonFactory(household=mine, id_number=my_id)
    g = grid_tree.g1.code
    source = _import_file(
        [
            ["D-0009", g, "一般农户", "甲", synthetic_id(), "户主"],
            ["C-0009", g, "一般农户", "乙", synthetic_id(), "户主"],
            ["N-1", g, "一般农户", "丙", their_id, "户主"],
            ["N-2", g, "一般农户", "丁", my_id, "户主"],
        ]
    )
    report = importing.import_households(
        source, filename="f.csv", actor=grid_tree.county, dry_run=True
    )
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert messages[(2, "户编号")].replace("D-0009", "<n>") == messages[(3, "户编号")].replace(
        "C-0009", "<n>"
    )
    assert messages[(4, "身份证号")] == messages[(5, "身份证号")]
    assert all(other_county.d.name not in m and "已" not in m for m in messages.values())


def test_application_naming_another_countys_platform_id_shows_nothing_of_it(
    grid_tree, other_county, api
):
    from monitoring import services
    from monitoring.tests.test_api import _payload

    number = synthetic_id()
    household = make_household(other_county.g, head_id=number)
    services.application_submit(actor=grid_tree.superuser, **_payload(number, platform_id="D-77"))
    mine = synthetic_id()
    make_household(grid_tree.g1, head_id=mine)
    response = api.as_user(grid_tree.county).post(
        "/api/v1/applications/", _payload(mine, platform_id="D-77"), format="json"
    )
    assert response.status_code == 400
    _body(response, household.number, other_county.g.name, other_county.d.name)
