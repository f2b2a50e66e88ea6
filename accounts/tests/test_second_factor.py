"""The second factor: required for staff and county administrators, optional for others."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditLog

pytestmark = pytest.mark.django_db


def _form_login(username, password="pw"):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content
    return client


def _code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_county_admin_without_a_second_factor_cannot_reach_the_admin_or_pages(grid_tree):
    client = _form_login("county")
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "/accounts/second-factor/setup/" in admin["Location"]
    page = client.get("/")
    assert page.status_code == 302 and "second-factor" in page["Location"]
    api = client.get("/api/v1/households/")
    assert api.status_code == 403 and "两步验证" in api.json()["detail"]


def test_setting_up_the_authenticator_then_logging_in_with_it(grid_tree):
    client = _form_login("county")
    setup = client.get("/accounts/second-factor/setup/?next=/admin/")
    html = setup.content.decode()
    assert setup.status_code == 200 and "<svg" in html and "密钥" in html
    device = TOTPDevice.objects.get(user=grid_tree.county, confirmed=False)
    wrong = client.post("/accounts/second-factor/setup/", {"token": "000000", "next": "/admin/"})
    assert "验证码不正确" in wrong.content.decode()
    done = client.post(
        "/accounts/second-factor/setup/", {"token": _code(device), "next": "/admin/"}
    )
    codes = done.context["codes"]
    assert len(codes) == 10 and "备用验证码" in done.content.decode()
    assert client.get("/admin/").status_code == 200
    assert AuditLog.objects.filter(action="auth.second_factor_set").exists()

    # Next login: the code is asked; a backup code works once.
    again = _form_login("county")
    assert "/accounts/second-factor/?" in again.get("/admin/")["Location"]
    ok = again.post("/accounts/second-factor/", {"token": codes[0], "next": "/admin/"})
    assert ok.status_code == 302 and again.get("/admin/").status_code == 200
    third = _form_login("county")
    reused = third.post("/accounts/second-factor/", {"token": codes[0], "next": "/"})
    assert reused.status_code == 200 and "验证码不正确" in reused.content.decode()


def test_a_staff_account_is_asked_for_it_too(grid_tree, make_user):
    make_user("operator", is_staff=True)
    client = _form_login("operator")
    assert "second-factor" in client.get("/admin/")["Location"]


def test_optional_for_a_grid_member_until_they_set_one_up(grid_tree):
    page = f"/grids/{grid_tree.g1.code}/"
    client = _form_login("g1")
    assert client.get(page).status_code == 200
    client.get("/accounts/second-factor/setup/")
    device = TOTPDevice.objects.get(user=grid_tree.g1_member)
    client.post("/accounts/second-factor/setup/", {"token": _code(device)})
    later = _form_login("g1")
    assert "second-factor" in later.get(page)["Location"]


def test_token_login_of_a_county_admin_needs_the_code(grid_tree, api):
    import base64

    device = TOTPDevice.objects.create(user=grid_tree.county, name="手机", confirmed=True)
    basic = base64.b64encode(b"county:pw").decode()
    refused = api.post("/api/v1/auth/login/", {}, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert refused.status_code == 403 and "两步验证码" in refused.json()["detail"]
    given = api.post(
        "/api/v1/auth/login/", {"otp": _code(device)}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert given.status_code == 200 and given.json()["token"]


def test_next_is_never_another_site(grid_tree):
    client = _form_login("g1")
    client.get("/accounts/second-factor/setup/")
    device = TOTPDevice.objects.get(user=grid_tree.g1_member)
    response = client.post(
        "/accounts/second-factor/setup/", {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response.context["next"] == "/"
