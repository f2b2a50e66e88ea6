"""Reusable API contract tests for scoped endpoints.

Subclass ``ScopedEndpointContract`` in an app's ``tests/test_api.py``, set ``url`` and
``model``, and implement ``make(tree, grid_key)`` (create one object located at
``tree.<grid_key>``), ``create_payload(tree, grid_key)`` and ``update_payload(obj)``. The
subclass gets, for free: sibling isolation (list and detail), parent-sees-children, writes
outside one's scope refused with nothing changed, and a list query count that does not grow with
the number of rows (pinned by ``list_queries``).

The ``grid_tree`` and ``api`` fixtures come from the root ``conftest.py``.
"""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


class ScopedEndpointContract:
    url: str = ""
    model = None
    #: Exact queries of one list page for the county admin, session and user included.
    list_queries: int = 0
    #: The attribute used in detail URLs.
    lookup: str = "pk"
    #: Set False for read-only endpoints.
    writable: bool = True
    #: The field of ``create_payload`` that names another object (a grid code, a household
    #: id, an ID number…). Outside the writer's scope it must answer exactly like
    #: ``missing_reference`` (nothing by that key).
    reference_field: str = ""
    #: The audit action an in-scope create must leave (None: any action on the new row).
    audit_create: str | None = None

    # -- hooks ---------------------------------------------------------------------------
    def make(self, tree, grid_key):
        raise NotImplementedError

    def create_payload(self, tree, grid_key):
        raise NotImplementedError

    def update_payload(self, obj):
        raise NotImplementedError

    def reader(self, tree):
        """Who reads in the parent test: the county admin by default."""
        return tree.county

    def missing_reference(self, tree):
        """A key that names nothing (an id by default; a code or an ID number where needed)."""
        return 2_000_000_001

    def writer(self, tree):
        """Who writes in scope (in township T1, on ``g1``): T1's leader by default."""
        return tree.t1_leader

    def outsider(self, tree):
        """Who writes out of scope (on ``g4``, in T2): T1's leader by default."""
        return tree.t1_leader

    # -- helpers -------------------------------------------------------------------------
    def detail_url(self, obj):
        return f"{self.url}{getattr(obj, self.lookup)}/"

    def ids(self, response):
        assert response.status_code == 200, response.content
        return {str(row.get(self.lookup, row.get("id"))) for row in response.json()["results"]}

    # -- the contract --------------------------------------------------------------------
    @pytest.mark.django_db
    def test_scope_sibling_subtree_sees_nothing(self, grid_tree, api):
        obj = self.make(grid_tree, "g3")  # in V2, sibling of V1
        client = api.as_user(grid_tree.v1_leader)
        assert str(getattr(obj, self.lookup)) not in self.ids(client.get(self.url))
        assert client.get(self.detail_url(obj)).status_code == 404

    @pytest.mark.django_db
    def test_scope_parent_sees_children(self, grid_tree, api):
        obj = self.make(grid_tree, "g1")
        for user in (grid_tree.t1_leader, grid_tree.v1_leader, self.reader(grid_tree)):
            client = api.as_user(user)
            assert str(getattr(obj, self.lookup)) in self.ids(client.get(self.url))
            assert client.get(self.detail_url(obj)).status_code == 200

    @pytest.mark.django_db
    def test_scope_write_outside_refused_and_nothing_changes(self, grid_tree, api):
        if not self.writable:
            pytest.skip("read-only endpoint")
        obj = self.make(grid_tree, "g4")  # in T2, outside T1
        client = api.as_user(self.outsider(grid_tree))
        before_count = self.model.objects.count()
        before = self.model.objects.filter(pk=obj.pk).values().get()
        payload = self.create_payload(grid_tree, "g4")
        audit_before = _audit_count()

        response = client.post(self.url, payload, format="json")
        # What lies outside is named by a reference: it answers as not found (see below).
        assert response.status_code == 400, response.content
        assert self.model.objects.count() == before_count

        nothing = f"{self.url}{self.missing_reference(grid_tree)}/"
        for method in ("patch", "put", "delete"):
            call = getattr(client, method)
            response = call(self.detail_url(obj), self.update_payload(obj), format="json")
            if response.status_code == 405:
                # Not offered at all: the same 405 for any key, so nothing is told.
                assert call(nothing, {}, format="json").status_code == 405
            else:
                assert response.status_code == 404, (method, response.content)
        assert self.model.objects.filter(pk=obj.pk).values().get() == before
        assert _audit_count() == audit_before

    @pytest.mark.django_db
    def test_scope_reference_outside_answers_like_nothing(self, grid_tree, api):
        """A key outside the writer's scope answers exactly (status, body) like a key that
        names nothing: no write says whether something exists elsewhere."""
        if not self.writable or not self.reference_field:
            pytest.skip("no reference in the create payload")
        client = api.as_user(self.outsider(grid_tree))
        outside = self.create_payload(grid_tree, "g4")
        key = self.missing_reference(grid_tree)
        missing = dict(outside, **{self.reference_field: key})
        before_count = self.model.objects.count()
        a = client.post(self.url, outside, format="json")
        b = client.post(self.url, missing, format="json")
        assert a.status_code == b.status_code == 400, (a.content, b.content)
        body_a = a.content.decode().replace(str(outside[self.reference_field]), "<key>")
        body_b = b.content.decode().replace(str(key), "<key>")
        assert body_a == body_b
        assert self.model.objects.count() == before_count

    @pytest.mark.django_db
    def test_write_in_scope_leaves_its_audit_row(self, grid_tree, api):
        if not self.writable:
            pytest.skip("read-only endpoint")
        writer = self.writer(grid_tree)
        client = api.as_user(writer)
        payload = self.create_payload(grid_tree, "g1")
        known = set(self.model.objects.values_list("pk", flat=True))
        response = client.post(self.url, payload, format="json")
        assert response.status_code in (200, 201, 202), response.content
        created = list(self.model.objects.exclude(pk__in=known))
        assert len(created) == 1, created
        rows = _audit_rows(created[0]).filter(actor=writer)
        if self.audit_create:
            rows = rows.filter(action=self.audit_create)
        assert rows.exists(), f"no audit row for the new {self.model.__name__}"

        obj = self.make(grid_tree, "g1")
        audit_before = set(_audit_rows(obj).values_list("pk", flat=True))
        before = self.model.objects.filter(pk=obj.pk).values().get()
        response = api.as_user(writer).patch(
            self.detail_url(obj), self.update_payload(obj), format="json"
        )
        assert response.status_code in (200, 405), response.content
        after = self.model.objects.filter(pk=obj.pk).values().get()
        if response.status_code == 405:
            assert after == before
        else:
            assert after != before
            assert _audit_rows(obj).exclude(pk__in=audit_before).filter(actor=writer).exists()

    @pytest.mark.django_db
    def test_list_query_count_is_pinned_and_flat(self, grid_tree, client):
        # A real session login: every request pays for its session, user and scope, as in use.
        client.force_login(grid_tree.county)
        keys = ["g1", "g2", "g3", "g4"]
        counts = []
        for total in (3, 30):
            self.model.objects.filter(pk__in=getattr(self, "_made", [])).delete()
            self._made = [self.make(grid_tree, keys[i % len(keys)]).pk for i in range(total)]
            client.get(self.url)  # warm caches (content types, permissions)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(self.url + "?page_size=100")
            assert response.status_code == 200
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1], f"queries grew with rows: {counts}"
        assert counts[0] == self.list_queries, [q["sql"] for q in ctx.captured_queries]


def _audit_count() -> int:
    from core.models import AuditLog

    return AuditLog.objects.count()


def _audit_rows(obj):
    from core.models import AuditLog

    return AuditLog.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def run_together(*actions) -> list:
    """Run each action in its own thread (its own database connection), all released at the
    same moment by a barrier; what each returned or raised, in the order given.

    For race tests on PostgreSQL (``django_db(transaction=True)``): each thread closes its
    connection when done, so the test database can be dropped afterwards.
    """
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            outcomes[i] = action()
        except Exception as exc:  # the caller asserts on it
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def assert_filter(client, url: str, params: dict, *, includes, excludes, key: str = "id"):
    """One filter of a list endpoint: ``params`` keeps every row of ``includes`` and drops
    every row of ``excludes`` (given as the value of ``key`` in the response rows)."""
    response = client.get(url, {**params, "page_size": 500})
    assert response.status_code == 200, response.content
    found = {str(row[key]) for row in response.json()["results"]}
    wanted = {str(v) for v in includes}
    unwanted = {str(v) for v in excludes}
    assert wanted <= found, (params, wanted - found)
    assert not (unwanted & found), (params, unwanted & found)
