"""Integration clients: their own tokens and exactly the operations they need."""

import datetime
import logging
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ClientToken
from grids.demo import ensure_departments
from monitoring.models import SelfApplication
from monitoring.tests.factories import make_household, new_id_number

pytestmark = pytest.mark.django_db


def _client(secret):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return c


@pytest.fixture
def platform(grid_tree):
    client = services.client_create(name="县救助平台", kind="platform", county=grid_tree.c)
    _token, secret = services.client_token_issue(client=client)
    return client, _client(secret)


@pytest.fixture
def department(grid_tree):
    yibao = ensure_departments()["yibao"]
    client = services.client_create(
        name="县医保局系统", kind="department", county=grid_tree.c, department=yibao
    )
    _token, secret = services.client_token_issue(client=client)
    return client, _client(secret)


def _application(id_number, platform_id="JZ-1"):
    return {
        "channel": "platform",
        "platform_id": platform_id,
        "applicant_name": "和文华",
        "applicant_id_number": id_number,
        "phone": "13800000000",
        "matter": "medical",
        "description": "户主住院，自付费用高",
        "risk_types": ["illness"],
        "consent": True,
    }


def test_platform_files_and_reads_back_only_its_own_applications(grid_tree, platform):
    client, api = platform
    number = new_id_number()
    make_household(grid_tree.g1, head_id=number)
    other = new_id_number()
    make_household(grid_tree.g2, head_id=other)
    # An application the platform did not file (filed at the village, by proxy).
    from monitoring import services as monitoring_services

    monitoring_services.application_submit(
        actor=grid_tree.v1_leader, **{**_application(other, ""), "channel": "proxy"}
    )
    created = api.post("/api/v1/applications/", _application(number), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert "household" not in body and body["platform_id"] == "JZ-1"
    assert SelfApplication.objects.get(pk=body["id"]).filed_by == client.account

    listed = api.get("/api/v1/applications/").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    assert api.get("/api/v1/applications/", {"platform_id": "JZ-1"}).json()["count"] == 1
    later = (timezone.now() + datetime.timedelta(minutes=5)).isoformat()
    assert api.get("/api/v1/applications/", {"changed_since": later}).json()["count"] == 0
    earlier = (timezone.now() - datetime.timedelta(minutes=5)).isoformat()
    assert api.get("/api/v1/applications/", {"changed_since": earlier}).json()["count"] == 1


def _operations():
    """Every operation of the OpenAPI schema, with sample ids in its path."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, re.sub(r"\{[^}]+\}", "1", path)


PLATFORM_ALLOWED = {
    ("get", "/api/v1/applications/"),
    ("post", "/api/v1/applications/"),
    ("get", "/api/v1/applications/1/"),
}


def test_platform_gets_403_or_404_on_everything_but_its_applications(grid_tree, platform):
    _client_, api = platform
    make_household(grid_tree.g1)
    checked = 0
    for method, path in _operations():
        if (method, path) in PLATFORM_ALLOWED or path.startswith("/api/schema"):
            continue
        response = getattr(api, method)(path, {}, format="json")
        assert response.status_code in (401, 403, 404, 405), (method, path, response.status_code)
        checked += 1
    assert checked > 40


def test_department_sends_batches_and_reads_measures_only(grid_tree, department):
    _c, api = department
    month = f"{(timezone.localdate().replace(day=1) - datetime.timedelta(days=1)):%Y-%m}"
    r = api.post(
        "/api/v1/department-batches/",
        {"month": month, "batch_id": "YB-1", "parts_total": 1},
        format="json",
    )
    assert r.status_code in (200, 201), r.content
    assert api.get(f"/api/v1/department-batches/{r.json()['id']}/report/").status_code == 200
    assert api.get("/api/v1/measures/").status_code == 200
    for path in (
        "/api/v1/households/",
        "/api/v1/visits/",
        "/api/v1/audit-log/",
        "/api/v1/applications/",
        "/api/v1/cases/",
    ):
        assert api.get(path).status_code == 403, path


def test_tokens_expire_are_revoked_and_rotate_two_at_a_time(grid_tree, platform):
    client, api = platform
    assert api.get("/api/v1/applications/").status_code == 200
    second, secret2 = services.client_token_issue(client=client)
    with pytest.raises(ValidationError, match="两个有效令牌"):
        services.client_token_issue(client=client)
    first = client.tokens.exclude(pk=second.pk).get()
    # Both valid at once: the caller switches, then the old one is revoked.
    assert _client(secret2).get("/api/v1/applications/").status_code == 200
    services.client_token_revoke(client=client, prefix=first.prefix)
    refused = api.get("/api/v1/applications/")
    assert refused.status_code == 401 and "已吊销" in refused.json()["detail"]
    ClientToken.objects.filter(pk=second.pk).update(expires_at=timezone.now())
    assert _client(secret2).get("/api/v1/applications/").status_code == 401
    assert not ClientToken.objects.filter(digest__contains=secret2).exists()


def test_each_use_is_logged_with_the_clients_name_never_the_token(grid_tree, platform, caplog):
    client, api = platform
    with caplog.at_level(logging.INFO, logger="weixi.integration"):
        api.get("/api/v1/applications/")
    line = next(r.getMessage() for r in caplog.records if r.name == "weixi.integration")
    token = client.tokens.get()
    assert "县救助平台" in line and token.prefix in line
    secret = api._credentials["HTTP_AUTHORIZATION"].split()[1]
    assert secret not in caplog.text


def test_client_account_cannot_log_in_or_be_placed_on_a_grid(grid_tree, platform, client):
    integration, _api = platform
    assert not integration.account.has_usable_password()
    from grids.selectors import assignable_user

    with pytest.raises(ValidationError):
        assignable_user(user=grid_tree.county, username=integration.account.username)


def test_client_command_prints_the_token_once(grid_tree, capsys):
    from django.core.management import call_command

    call_command(
        "integration_client",
        "create",
        "--county",
        grid_tree.c.code,
        "--kind",
        "platform",
        "--name",
        "平台",
    )
    client_id = int(re.search(r"接口客户端 (\d+)", capsys.readouterr().out)[1])
    call_command("integration_client", "token", str(client_id))
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("wxc_")
    assert _client(secret).get("/api/v1/applications/").status_code == 200
