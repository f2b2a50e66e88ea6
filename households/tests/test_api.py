"""The household and person endpoints: scope contract, filters, masking, reveal, import."""

import io
import itertools

import pytest
from openpyxl import load_workbook

from core.models import AuditLog
from core.testing import ScopedEndpointContract
from households import idnumbers
from households.models import Household, Person, Relation
from households.tests.factories import (
    HouseholdFactory,
    PersonFactory,
    household_with_members,
    synthetic_id,
)

_seq = itertools.count()


class TestHouseholdEndpointContract(ScopedEndpointContract):
    url = "/api/v1/households/"
    model = Household
    # session, user, OTP device, scope (assignments), count, page (grid joined, member count
    # annotated)
    list_queries = 6

    def make(self, tree, grid_key):
        return household_with_members(getattr(tree, grid_key), members=2)

    reference_field = "grid"
    audit_create = "household.create"

    def missing_reference(self, tree):
        return "NO-SUCH-CODE"

    def create_payload(self, tree, grid_key):
        return {
            "number": f"X{next(_seq)}",
            "grid": getattr(tree, grid_key).code,
            "household_type": "ordinary",
            "head": {"name": "越权", "id_number": synthetic_id()},
        }

    def update_payload(self, obj):
        return {"address": "越权改地址"}


class TestPersonEndpointContract(ScopedEndpointContract):
    url = "/api/v1/persons/"
    model = Person
    # session, user, OTP device, scope (assignments), count, page (household and grid joined)
    list_queries = 6

    def make(self, tree, grid_key):
        return PersonFactory(household=HouseholdFactory(grid=getattr(tree, grid_key)))

    reference_field = "household"

    def create_payload(self, tree, grid_key):
        household = HouseholdFactory(grid=getattr(tree, grid_key))
        return {
            "household": household.pk,
            "id_number": synthetic_id(),
            "name": "越权",
            "relation": "child",
            "reason": "moved_in",
        }

    def update_payload(self, obj):
        return {"name": "越权改名"}


pytestmark = pytest.mark.django_db


def _numbers(response):
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


def _names(response):
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


@pytest.fixture
def registry(grid_tree):
    """Households in G1 (lifted, registered), G3 (ordinary) and G4 (other township)."""
    a = household_with_members(
        grid_tree.g1,
        number="A",
        head_name="和文华",
        household_type="lifted",
        platform_registered=True,
    )
    b = household_with_members(grid_tree.g3, number="B", head_name="李春")
    c = household_with_members(grid_tree.g4, number="C", head_name="杨光")
    return a, b, c


def test_filter_grid_is_the_whole_subtree(grid_tree, api, registry):
    client = api.as_user(grid_tree.county)
    assert _numbers(client.get(f"/api/v1/households/?grid={grid_tree.t1.code}")) == {"A", "B"}
    assert _numbers(client.get(f"/api/v1/households/?grid={grid_tree.g1.code}")) == {"A"}
    assert _numbers(client.get("/api/v1/households/?grid=nope")) == set()


def test_filter_household_type_and_platform(grid_tree, api, registry):
    client = api.as_user(grid_tree.county)
    assert _numbers(client.get("/api/v1/households/?household_type=lifted")) == {"A"}
    assert _numbers(client.get("/api/v1/households/?platform_registered=true")) == {"A"}
    assert _numbers(client.get("/api/v1/households/?platform_registered=false")) == {"B", "C"}


def test_search_by_number_and_head_name(grid_tree, api, registry):
    client = api.as_user(grid_tree.county)
    assert _numbers(client.get("/api/v1/households/?search=李春")) == {"B"}
    assert _numbers(client.get("/api/v1/households/?search=C")) == {"C"}


def test_household_detail_has_masked_members(grid_tree, api, registry):
    a = registry[0]
    data = api.as_user(grid_tree.v1_leader).get(f"/api/v1/households/{a.pk}/").json()
    assert data["member_count"] == 2 and len(data["members"]) == 2
    for m in data["members"]:
        assert "********" in m["id_number"]


def test_person_filters(grid_tree, api, registry):
    a, b, c = registry
    client = api.as_user(grid_tree.county)
    PersonFactory(household=b, name="病人", health="chronic", labour_capacity="weak")
    PersonFactory(household=c, name="学生", schooling="junior")
    assert len(_names(client.get(f"/api/v1/persons/?household={a.pk}"))) == 2
    assert _names(client.get(f"/api/v1/persons/?grid={grid_tree.t2.code}")) >= {"学生"}
    assert "病人" not in _names(client.get(f"/api/v1/persons/?grid={grid_tree.t2.code}"))
    assert _names(client.get("/api/v1/persons/?health=chronic")) == {"病人"}
    assert _names(client.get("/api/v1/persons/?labour_capacity=weak")) == {"病人"}
    assert _names(client.get("/api/v1/persons/?schooling=junior")) == {"学生"}


def _search(client, number):
    return client.post("/api/v1/persons/search/", {"id_number": number}, format="json")


def test_exact_id_lookup_through_the_hash_respects_scope(grid_tree, api):
    number = synthetic_id()
    household = HouseholdFactory(grid=grid_tree.g1)
    PersonFactory(household=household, id_number=number, name="找我")
    assert _names(_search(api.as_user(grid_tree.v1_leader), number.lower())) == {"找我"}
    assert _names(_search(api.as_user(grid_tree.v3_leader), number)) == set()
    response = _search(api.as_user(grid_tree.county), "123")
    assert response.status_code == 400 and "id_number" in response.json()["errors"]


def test_an_id_number_in_a_url_is_refused_with_how_to_search(grid_tree, api, client):
    """Web servers log URLs whole: any GET carrying a valid ID number is refused (API and
    pages), the answer says how to search, and nothing is looked up."""
    number = synthetic_id()
    PersonFactory(household=HouseholdFactory(grid=grid_tree.g1), id_number=number)
    response = api.as_user(grid_tree.county).get(f"/api/v1/persons/?id_number={number}")
    assert response.status_code == 400
    assert "POST /api/v1/persons/search/" in response.json()["detail"]
    assert number not in response.content.decode()
    response = api.as_user(grid_tree.county).get(f"/api/v1/households/?search=x{number}")
    assert response.status_code == 400
    client.force_login(grid_tree.county)
    page = client.get(f"/households/?q={number}")
    assert page.status_code == 400 and "查找框" in page.content.decode()
    assert number not in page.content.decode()
    # Numbers that only look alike (a wrong check character, 19 digits) pass.
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert client.get(f"/households/?q={wrong}").status_code == 200
    assert client.get(f"/households/?q={number}1").status_code == 200


def test_api_output_never_has_whole_numbers_without_permission(grid_tree, api):
    numbers = [synthetic_id() for _ in range(3)]
    household = HouseholdFactory(grid=grid_tree.g1)
    for n in numbers:
        PersonFactory(household=household, id_number=n)
    client = api.as_user(grid_tree.county)
    bodies = [
        client.get("/api/v1/persons/").content,
        _search(client, numbers[0]).content,
        client.get(f"/api/v1/households/{household.pk}/").content,
        client.get("/api/v1/households/").content,
    ]
    for body in bodies:
        text = body.decode()
        for n in numbers:
            assert n not in text


def test_reveal_action_for_permitted_role_only_and_audited(grid_tree, api, revealer):
    number = synthetic_id()
    person = PersonFactory(household=HouseholdFactory(grid=grid_tree.g1), id_number=number)
    refused = api.as_user(grid_tree.v1_leader).post(f"/api/v1/persons/{person.pk}/reveal/")
    assert refused.status_code == 403 and number not in refused.content.decode()
    assert not AuditLog.objects.filter(action="person.reveal_id").exists()
    response = api.as_user(revealer).post(
        f"/api/v1/persons/{person.pk}/reveal/", {"reason": "核对"}
    )
    assert response.status_code == 200 and response.json()["id_number"] == number
    assert AuditLog.objects.filter(action="person.reveal_id", actor=revealer).count() == 1


def test_create_household_and_21st_refused_through_api(grid_tree, api, settings):
    settings.GRID_GROUP_HARD_LIMIT = 1
    client = api.as_user(grid_tree.v1_leader)
    payload = {
        "number": "N1",
        "grid": grid_tree.g1.code,
        "household_type": "lifted",
        "head": {"name": "和文", "id_number": synthetic_id()},
    }
    response = client.post("/api/v1/households/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["head_name"] == "和文" and response.json()["member_count"] == 1
    payload = payload | {"number": "N2", "head": {"name": "李", "id_number": synthetic_id()}}
    response = client.post("/api/v1/households/", payload, format="json")
    assert response.status_code == 400 and "上限" in response.json()["errors"]["grid"][0]
    assert not Household.objects.filter(number="N2").exists()


def test_person_add_and_remove_through_api(grid_tree, api):
    household = household_with_members(grid_tree.g1, members=1)
    client = api.as_user(grid_tree.g1_member)
    response = client.post(
        "/api/v1/persons/",
        {
            "household": household.pk,
            "id_number": synthetic_id(),
            "name": "婚入",
            "relation": "spouse",
            "reason": "marriage_in",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert client.delete(f"/api/v1/persons/{pk}/?reason=moved_out").status_code == 204
    assert Person.objects.get(pk=pk).status == "left"
    assert client.delete(f"/api/v1/persons/{pk}/").status_code == 400  # reason missing


def test_move_action(grid_tree, api):
    household = household_with_members(grid_tree.g1)
    response = api.as_user(grid_tree.t1_leader).post(
        f"/api/v1/households/{household.pk}/move/", {"grid": grid_tree.g3.code}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Household.objects.get(pk=household.pk).grid_id == grid_tree.g3.pk


def _import(client, upload, capture, query=""):
    """Post an import, let its job run (after the commit), and read the job back."""
    with capture(execute=True):
        response = client.post(
            f"/api/v1/households/import/{query}", {"file": upload}, format="multipart"
        )
    assert response.status_code == 202, response.content
    assert response.json()["state"] == "pending"
    return client.get(f"/api/v1/jobs/{response.json()['id']}/").json()


def test_import_endpoint_dry_run_then_write(
    grid_tree, api, xlsx_file, django_capture_on_commit_callbacks
):
    from households.tests.test_importing import good_rows

    client = api.as_user(grid_tree.t1_leader)
    upload = xlsx_file(good_rows(grid_tree))
    job = _import(client, upload, django_capture_on_commit_callbacks, "?dry_run=1")
    assert job["state"] == "succeeded" and job["result"]["dry_run"]
    assert Household.objects.count() == 0
    upload.seek(0)
    job = _import(client, upload, django_capture_on_commit_callbacks)
    assert job["state"] == "succeeded" and job["result"]["written"]
    assert Household.objects.count() == 2


def test_import_endpoint_reports_errors_by_row(
    grid_tree, api, xlsx_file, django_capture_on_commit_callbacks
):
    from households.tests.test_importing import member

    rows = [member("Z", grid_tree.g1, "无户主", "子女")]
    job = _import(
        api.as_user(grid_tree.county), xlsx_file(rows), django_capture_on_commit_callbacks
    )
    assert job["state"] == "succeeded" and not job["result"]["written"]
    assert job["result"]["errors"][0]["row"] == 2
    assert job["result"]["errors"][0]["column"] == "与户主关系"
    assert Household.objects.count() == 0


def test_an_unreadable_file_fails_the_job_with_the_reason(
    grid_tree, api, django_capture_on_commit_callbacks
):
    import io

    upload = io.BytesIO(b"not a zip")
    upload.name = "a.xlsx"
    job = _import(api.as_user(grid_tree.county), upload, django_capture_on_commit_callbacks)
    assert job["state"] == "failed" and "xlsx" in job["message"]


def test_import_is_for_county_and_township_leaders(grid_tree, api, xlsx_file):
    response = api.as_user(grid_tree.v1_leader).post(
        "/api/v1/households/import/", {"file": xlsx_file([])}, format="multipart"
    )
    assert response.status_code == 403


def test_template_and_export_endpoints(grid_tree, api, django_capture_on_commit_callbacks):
    client = api.as_user(grid_tree.county)
    response = client.get("/api/v1/households/import-template/")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.worksheets[0]["A1"].value == "户编号"

    number = synthetic_id()
    h = HouseholdFactory(grid=grid_tree.g1, number="E1")
    PersonFactory(household=h, id_number=number, relation=Relation.HEAD)
    household_with_members(grid_tree.g4, number="E2")
    client = api.as_user(grid_tree.t1_leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/api/v1/households/export/")
    assert response.status_code == 202
    job = client.get(f"/api/v1/jobs/{response.json()['id']}/").json()
    assert job["state"] == "succeeded", job
    content = b"".join(client.get(job["file_url"]).streaming_content)
    rows = list(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].values)
    assert rows[0][0] == "户编号" and {r[0] for r in rows[1:]} == {"E1"}  # scope: not E2
    assert rows[1][13] == idnumbers.mask(number)
    assert all(number not in str(cell) for row in rows for cell in row)


def test_schema_still_validates():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert "/api/v1/households/import/" in schema["paths"]
    assert "/api/v1/persons/{id}/reveal/" in schema["paths"]
