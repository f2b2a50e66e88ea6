"""The grid endpoints: the scope contract, filters, detail, writes, moves."""

import pytest

from core.models import AuditLog
from core.testing import ScopedEndpointContract
from grids import services
from grids.models import GridAssignment, GridNode, Level, Role
from grids.treecheck import check_trees

_seq = iter(range(10**6))


def _new_group(tree, grid_key):
    """A new group grid beside ``tree.<grid_key>`` (under the same village)."""
    village = getattr(tree, grid_key).parent
    n = next(_seq)
    return services.grid_create(
        actor=tree.superuser,
        code=f"{village.code}99{n:04d}",
        name=f"新网格{n}",
        level=Level.GROUP,
        parent=village,
        village_group="第9村民小组",
    )


class TestGridEndpointContract(ScopedEndpointContract):
    url = "/api/v1/grids/"
    model = GridNode
    lookup = "code"
    # session, user, OTP device, scope (assignments), count, page
    list_queries = 6
    reference_field = "parent"
    audit_create = "grid.create"

    def missing_reference(self, tree):
        return "NO-SUCH-CODE"

    def make(self, tree, grid_key):
        return _new_group(tree, grid_key)

    def create_payload(self, tree, grid_key):
        village = getattr(tree, grid_key).parent
        return {
            "code": f"X-{next(_seq)}",
            "name": "越权",
            "level": "group",
            "parent": village.code,
            "village_group": "第1村民小组",
        }

    def update_payload(self, obj):
        return {"name": "越权改名"}


class TestAssignmentEndpointContract(ScopedEndpointContract):
    url = "/api/v1/grid-assignments/"
    model = GridAssignment
    # session, user, OTP device, scope (assignments), count, page with user/grid/department joined
    list_queries = 6
    reference_field = "grid"
    audit_create = "assignment.create"

    def missing_reference(self, tree):
        return "NO-SUCH-CODE"

    def make(self, tree, grid_key):
        from django.contrib.auth import get_user_model

        n = next(_seq)
        user = get_user_model().objects.create_user(f"p{n}")
        return services.assignment_create(
            actor=tree.superuser, user=user, grid=getattr(tree, grid_key), role=Role.MEMBER
        )

    def create_payload(self, tree, grid_key):
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user(f"new{next(_seq)}")
        return {
            "user": user.username,
            "grid": getattr(tree, grid_key).code,
            "role": "member",
        }

    def update_payload(self, obj):
        return {"phone": "13900000000"}


pytestmark = pytest.mark.django_db


def _codes(response):
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_filter_level(grid_tree, api):
    codes = _codes(api.as_user(grid_tree.county).get("/api/v1/grids/?level=village"))
    assert set(codes) == {grid_tree.v1.code, grid_tree.v2.code, grid_tree.v3.code}


def test_filter_parent(grid_tree, api):
    codes = _codes(api.as_user(grid_tree.county).get(f"/api/v1/grids/?parent={grid_tree.v1.code}"))
    assert set(codes) == {grid_tree.g1.code, grid_tree.g2.code}


def test_filter_ancestor_is_the_whole_subtree_without_the_node(grid_tree, api):
    codes = _codes(
        api.as_user(grid_tree.county).get(f"/api/v1/grids/?ancestor={grid_tree.t1.code}")
    )
    assert set(codes) == {
        grid_tree.v1.code,
        grid_tree.v2.code,
        grid_tree.g1.code,
        grid_tree.g2.code,
        grid_tree.g3.code,
    }


def test_filter_ancestor_unknown_code_gives_empty_list(grid_tree, api):
    assert _codes(api.as_user(grid_tree.county).get("/api/v1/grids/?ancestor=nope")) == []


def test_search_by_name_and_code(grid_tree, api):
    client = api.as_user(grid_tree.county)
    assert _codes(client.get("/api/v1/grids/?search=三村")) == [
        grid_tree.v3.code,
        grid_tree.g4.code,
    ]
    assert grid_tree.t2.code in _codes(client.get("/api/v1/grids/?search=533423200"))


def test_pagination_has_count(grid_tree, api):
    data = api.as_user(grid_tree.county).get("/api/v1/grids/?page_size=2").json()
    assert data["count"] == GridNode.objects.count() and len(data["results"]) == 2
    assert data["next"]


def test_detail_has_ancestor_path_and_counts(grid_tree, api):
    data = api.as_user(grid_tree.county).get(f"/api/v1/grids/{grid_tree.v1.code}/").json()
    assert [a["code"] for a in data["ancestors"]] == [grid_tree.c.code, grid_tree.t1.code]
    assert data["children_count"] == 2
    assert data["descendant_counts"] == {"township": 0, "village": 0, "group": 2}
    assert data["parent"] == {
        "id": grid_tree.t1.pk,
        "code": grid_tree.t1.code,
        "name": grid_tree.t1.name,
        "level": "township",
    }


def test_create_through_api_writes_and_audits(grid_tree, api):
    response = api.as_user(grid_tree.t1_leader).post(
        "/api/v1/grids/",
        {"code": "533423100003", "name": "新村", "level": "village", "parent": grid_tree.t1.code},
        format="json",
    )
    assert response.status_code == 201, response.content
    node = GridNode.objects.get(code="533423100003")
    assert node.parent_id == grid_tree.t1.pk and node.level == Level.VILLAGE
    assert AuditLog.objects.filter(action="grid.create", object_id=str(node.pk)).exists()
    assert check_trees() == []


def test_create_wrong_level_gives_field_error_in_chinese(grid_tree, api):
    response = api.as_user(grid_tree.t1_leader).post(
        "/api/v1/grids/",
        {
            "code": "zz",
            "name": "错",
            "level": "group",
            "parent": grid_tree.t1.code,
            "village_group": "第1村民小组",
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "parent" in body["errors"] and "上级必须是" in body["errors"]["parent"][0]
    assert body["detail"]
    assert not GridNode.objects.filter(code="zz").exists()


def test_member_cannot_create_above_its_group_grid(grid_tree, api):
    response = api.as_user(grid_tree.g1_member).post(
        "/api/v1/grids/",
        {
            "code": "g-x",
            "name": "x",
            "level": "group",
            "parent": grid_tree.g1.parent.code,
            "village_group": "第1村民小组",
        },
        format="json",
    )
    # the village is not in the member's scope (only the group grid is): reads as not found
    assert response.status_code == 400
    assert not GridNode.objects.filter(code="g-x").exists()


def test_move_through_api(grid_tree, api):
    response = api.as_user(grid_tree.county).post(
        f"/api/v1/grids/{grid_tree.v2.code}/move/", {"parent": grid_tree.t2.code}, format="json"
    )
    assert response.status_code == 200, response.content
    assert GridNode.objects.get(pk=grid_tree.v2.pk).parent_id == grid_tree.t2.pk
    assert check_trees() == []


def test_delete_with_children_gives_400_and_keeps_node(grid_tree, api):
    response = api.as_user(grid_tree.county).delete(f"/api/v1/grids/{grid_tree.v1.code}/")
    assert response.status_code == 400
    assert "下级网格" in response.json()["detail"]
    assert GridNode.objects.filter(pk=grid_tree.v1.pk).exists()


def test_unauthenticated_is_refused(grid_tree, client):
    assert client.get("/api/v1/grids/").status_code in (401, 403)


def test_assignment_filters(grid_tree, api):
    client = api.as_user(grid_tree.county)
    rows = client.get(f"/api/v1/grid-assignments/?grid={grid_tree.t1.code}").json()["results"]
    assert {r["user"]["username"] for r in rows} == {"t1", "v1", "g1"}
    rows = client.get("/api/v1/grid-assignments/?role=leader&level=village").json()["results"]
    assert {r["user"]["username"] for r in rows} == {"v1", "v3"}
    rows = client.get("/api/v1/grid-assignments/?department=yibao").json()["results"]
    assert [r["department"]["name"] for r in rows] == ["医保"]
    rows = client.get("/api/v1/grid-assignments/?user=g1").json()["results"]
    assert [r["grid"]["code"] for r in rows] == [grid_tree.g1.code]


def test_token_login_gives_expiring_hashed_token(grid_tree, client):
    import base64

    from knox.models import AuthToken

    grid_tree.dept.set_password("secret-pw")
    grid_tree.dept.save()
    auth = base64.b64encode(b"dept:secret-pw").decode()
    response = client.post("/api/v1/auth/login/", HTTP_AUTHORIZATION=f"Basic {auth}")
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    stored = AuthToken.objects.get(user=grid_tree.dept)
    assert stored.expiry is not None and token not in stored.digest
    r = client.get("/api/v1/grids/", HTTP_AUTHORIZATION=f"Token {token}")
    assert r.status_code == 200


def test_schema_validates(grid_tree, client):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert "/api/v1/grids/{code}/move/" in schema["paths"]
    client.force_login(grid_tree.county)
    assert client.get("/api/docs/").status_code == 200


def test_schema_and_docs_are_refused_to_anonymous_visitors(client):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)


def test_schema_offers_only_the_operations_that_work(grid_tree):
    """Records that change only through their transitions have no PUT/PATCH/DELETE in the
    schema; PATCH-only endpoints have no PUT; months are YYYY-MM strings, not dates."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in ("/api/v1/visits/{id}/", "/api/v1/clues/{id}/", "/api/v1/comparison-runs/{id}/"):
        assert set(paths[path]) == {"get"}, (path, set(paths[path]))
    for path in ("/api/v1/plans/{id}/", "/api/v1/measures/{id}/", "/api/v1/reviews/{id}/"):
        assert set(paths[path]) == {"get", "patch"}, (path, set(paths[path]))
    schema = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    month = schema["RunWriteRequest"]["properties"]["month"]
    assert month["type"] == "string" and "format" not in month and month["pattern"]


def test_bad_page_size_and_far_offsets_answer_400_or_work(grid_tree, api):
    client = api.as_user(grid_tree.county)
    response = client.get("/api/v1/grids/?page_size=abc")
    assert response.status_code == 400 and "page_size" in response.json()["errors"]
    assert client.get("/api/v1/grids/?page_size=0").status_code == 400
    far = client.get("/api/v1/audit-log/", {"at_after": "2026-01-01T00:00:00-23:00"})
    assert far.status_code == 200, far.content
