"""The schema as a contract: a bounded, schema-driven fuzz of every API operation as three
roles (a county administrator, a group grid member, a department account). No answer may be a
server error, and every answer must match the schema the clients generate their code from."""

import os

import pytest
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from knox.models import AuthToken

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

#: Examples per operation and role (bounded: the suite runs on 2 cores).
#: Status codes of every request made (the test checks that the fuzz really ran).
STATS: list[int] = []
EXAMPLES = int(os.environ.get("WEIXI_FUZZ_EXAMPLES", "4"))


def _schema():
    import schemathesis
    from drf_spectacular.generators import SchemaGenerator

    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


def _fuzz(operation, token, app, failures, mode):
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(app=app, headers={"Authorization": f"Token {token}"})
        STATS.append(response.status_code)
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )
        except Exception as exc:  # collected: one report for every operation
            first = str(exc).strip().splitlines()
            detail = " | ".join(line.strip() for line in first[:6] if line.strip())
            failures.append(
                f"{case.method} {case.formatted_path} → {response.status_code}: {detail}"
            )
            raise

    try:
        run()
    except Unsatisfiable:
        pass
    except Exception as exc:  # the failure is in ``failures``
        if not failures or "→" not in failures[-1]:
            failures.append(f"{operation.method} {operation.path}: {exc!r}"[:500])


@pytest.fixture
def app():
    """Django's WSGI application, run in this thread inside the test's transaction: as in
    Django's test client, requests must not close the connection that holds it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_answers_within_its_schema_for_every_role(grid_tree, app):
    from schemathesis import GenerationMode

    from monitoring.tests.factories import make_case, make_household

    for key in ("g1", "g3", "g4"):
        make_case(make_household(getattr(grid_tree, key)))
    schema = _schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    failures: list[str] = []
    for user in (grid_tree.county, grid_tree.g1_member, grid_tree.dept):
        _, token = AuthToken.objects.create(user)
        for operation in operations:
            if operation.path.endswith("/auth/logout/") or operation.path.endswith("/auth/login/"):
                continue  # would end the token the fuzz runs with
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(operation, token, app, failures, mode)
    assert len(STATS) > 10 * len(operations), "the fuzz made too few requests to mean much"
    assert failures == [], "\n".join(failures[:40])
