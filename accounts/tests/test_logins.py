"""Logins: lockout, audit of logins and of account changes, idle timeout, password rules."""

import time

import pytest
from django.contrib.auth.models import Group
from knox.models import AuthToken

from accounts import services
from accounts.middleware import LAST_SEEN
from core.models import AuditLog

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _login(client, username, password="pw", address="10.0.0.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_logout_and_failure_are_audited_with_the_address(grid_tree, client):
    assert _login(client, "v1", "wrong").status_code == 200
    assert _login(client, "v1").status_code == 302
    client.post("/accounts/logout/", REMOTE_ADDR="10.0.0.7")
    rows = list(
        AuditLog.objects.filter(
            action__in=["auth.login", "auth.login_failed", "auth.logout"], object_repr="v1"
        ).order_by("id")
    )
    assert [r.action for r in rows] == ["auth.login_failed", "auth.login", "auth.logout"]
    assert {r.address for r in rows} == {"10.0.0.7"}
    assert all(r.tree_id == grid_tree.c.tree_id for r in rows)


def test_failed_logins_lock_the_account_until_the_county_admin_releases_it(
    grid_tree, client, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "v1", "wrong")
    locked = _login(client, "v1")  # even the right password
    assert locked.status_code == 429
    assert "已被锁定" in locked.content.decode()
    assert AuditLog.objects.filter(action="auth.locked_out", object_repr="v1").exists()

    services.person_unlock(
        actor=grid_tree.county, person=grid_tree.v1_leader, tree_id=grid_tree.c.tree_id
    )
    assert _login(client, "v1").status_code == 302
    assert AuditLog.objects.filter(action="auth.unlocked", object_repr="v1").exists()


def test_failures_from_one_address_lock_that_address_for_every_account(grid_tree, client, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"nobody{i}", "wrong", address="10.9.9.9")
    assert _login(client, "v1", address="10.9.9.9").status_code == 429
    assert _login(client, "v1", address="10.0.0.8").status_code == 302


def test_token_login_is_locked_too(grid_tree, api, settings):
    import base64

    def basic(password):
        raw = base64.b64encode(f"v1:{password}".encode()).decode()
        return api.post("/api/v1/auth/login/", HTTP_AUTHORIZATION=f"Basic {raw}")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert basic("wrong").status_code in (401, 403)
    response = basic("pw")
    assert response.status_code in (401, 403, 429)
    assert not AuthToken.objects.filter(user=grid_tree.v1_leader).exists()


def test_changes_of_accounts_groups_and_permissions_are_audited(grid_tree):
    user = grid_tree.g1_member
    group = Group.objects.create(name="临时组")
    user.groups.add(group)
    user.groups.remove(group)
    user.first_name = "新名"
    user.save()
    user.set_password("another-long-pass-2026")
    user.save()
    actions = list(
        AuditLog.objects.filter(object_repr="g1").order_by("id").values_list("action", flat=True)
    )
    assert actions[-4:] == [
        "auth.groups_added",
        "auth.groups_removed",
        "auth.user_changed",
        "auth.password_changed",
    ]
    changed = AuditLog.objects.get(action="auth.user_changed", object_repr="g1")
    assert changed.before == {"first_name": "g1"} and changed.after == {"first_name": "新名"}
    assert AuditLog.objects.filter(action="auth.group_created", object_repr="临时组").exists()
    assert not any(
        "pbkdf2" in str(r.after) or "md5" in str(r.after)
        for r in AuditLog.objects.filter(object_repr="g1")
    )


def test_a_password_change_ends_every_session_and_token(grid_tree, client):
    from django.test import Client

    other = Client()
    assert _login(client, "v1").status_code == 302
    assert _login(other, "v1", address="10.0.0.9").status_code == 302
    AuthToken.objects.create(user=grid_tree.v1_leader)
    user = grid_tree.v1_leader
    user.set_password("a-new-long-password-2026")
    user.save()
    assert client.get("/").status_code == 302  # back to the login page
    assert other.get("/").status_code == 302
    assert not AuthToken.objects.filter(user=user).exists()


def test_an_idle_session_ends(grid_tree, client, settings):
    settings.SESSION_IDLE_MINUTES = 10
    page = f"/grids/{grid_tree.v1.code}/"
    assert _login(client, "v1").status_code == 302
    assert client.get(page).status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 11 * 60
    session.save()
    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.get(page).status_code == 302


def test_staff_sessions_end_sooner(grid_tree, settings):
    from accounts.middleware import idle_limit_seconds

    settings.SESSION_IDLE_MINUTES, settings.SESSION_IDLE_MINUTES_STAFF = 240, 30
    assert idle_limit_seconds(grid_tree.county, {}) == 30 * 60
    assert idle_limit_seconds(grid_tree.v1_leader, {}) == 240 * 60


def test_password_rules_refuse_short_and_common_passwords(grid_tree):
    from django.core.exceptions import ValidationError

    for weak in ("short1", "password123", "12345678901"):
        with pytest.raises(ValidationError) as exc:
            services.person_set_password(
                actor=grid_tree.county,
                person=grid_tree.g1_member,
                password=weak,
                tree_id=grid_tree.c.tree_id,
            )
        assert "password" in exc.value.error_dict
