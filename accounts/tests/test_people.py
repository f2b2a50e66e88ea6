"""A county administrator manages the people of their county, and nobody else's."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from accounts import services
from core.models import AuditLog
from grids.selectors import person_posts

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_people_page_lists_the_county_and_shows_locks(grid_tree, other_county, client, settings):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="g1",
        ip_address="10.0.0.1",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
        user_agent="x",
    )
    client.force_login(grid_tree.county)
    html = client.get("/people/").content.decode()
    assert "g1" in html and "v3" in html and "登录已锁定" in html
    assert "d-admin" not in html and "d-g" not in html
    # Staff accounts (the county administrator's own) are not managed here.
    assert f"/people/{grid_tree.county.pk}/" not in html


def test_people_page_query_count_is_pinned(grid_tree, client, django_assert_num_queries):
    client.force_login(grid_tree.county)
    client.get("/people/")
    # session, user, device, scope, counties, count, page, locks
    with django_assert_num_queries(8):
        client.get("/people/")


def test_another_countys_person_is_not_found(grid_tree, other_county, client):
    client.force_login(grid_tree.county)
    assert client.get(f"/people/{other_county.member.pk}/").status_code == 404
    assert (
        client.post(
            f"/people/{other_county.member.pk}/", {"action": "password", "password": "x" * 12}
        ).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        services.person_set_password(
            actor=grid_tree.county,
            person=other_county.member,
            password="long-enough-pass-1",
            tree_id=grid_tree.c.tree_id,
        )
    with pytest.raises(PermissionDenied):
        services.person_unlock(
            actor=grid_tree.county, person=other_county.member, tree_id=other_county.d.tree_id
        )


def test_only_a_county_administrator_reaches_the_people_pages(grid_tree, client):
    client.force_login(grid_tree.t1_leader)
    assert client.get("/people/").status_code == 403


def test_create_a_grid_member_with_a_post(grid_tree, client):
    client.force_login(grid_tree.county)
    response = client.post(
        "/people/new/",
        {
            "username": "new-member",
            "full_name": "和新",
            "password": "plenty-long-secret-7",
            "grid": grid_tree.g2.code,
            "role": "member",
            "phone": "13900000000",
        },
    )
    assert response.status_code == 302, response.content.decode()
    person = User.objects.get(username="new-member")
    assert person.check_password("plenty-long-secret-7")
    (post,) = person_posts(person=person, tree_id=grid_tree.c.tree_id)
    assert post.grid == grid_tree.g2 and post.role == "member" and post.ended_on is None
    assert AuditLog.objects.filter(action="auth.user_created", object_repr="new-member").exists()


def test_create_refuses_a_weak_password_and_a_grid_of_another_county(
    grid_tree, other_county, client
):
    client.force_login(grid_tree.county)
    weak = client.post(
        "/people/new/",
        {
            "username": "x1",
            "full_name": "甲",
            "password": "123",
            "grid": grid_tree.g2.code,
            "role": "member",
        },
    )
    assert weak.status_code == 200 and not User.objects.filter(username="x1").exists()
    elsewhere = client.post(
        "/people/new/",
        {
            "username": "x2",
            "full_name": "乙",
            "password": "plenty-long-secret-7",
            "grid": other_county.g.code,
            "role": "member",
        },
    )
    assert elsewhere.status_code == 200 and not User.objects.filter(username="x2").exists()
    assert (
        "不在您的管辖范围" in elsewhere.content.decode() or "不在本县" in elsewhere.content.decode()
    )


def test_reset_password_on_the_page(grid_tree, client):
    client.force_login(grid_tree.county)
    response = client.post(
        f"/people/{grid_tree.g1_member.pk}/", {"action": "password", "password": "brand-new-pass-9"}
    )
    assert response.status_code == 302
    grid_tree.g1_member.refresh_from_db()
    assert grid_tree.g1_member.check_password("brand-new-pass-9")


def test_end_a_post_with_a_successor_on_the_page(grid_tree, client, make_user):
    successor = make_user("succ")
    client.force_login(grid_tree.county)
    (post,) = person_posts(person=grid_tree.g1_member, tree_id=grid_tree.c.tree_id)
    response = client.post(
        f"/people/{grid_tree.g1_member.pk}/",
        {
            "action": "end",
            "assignment": post.pk,
            "ended_on": "2026-12-01",
            "reason": "外出务工",
            "successor": "succ",
        },
    )
    if response.status_code != 302:
        # The date in the browser's Chinese format too.
        raise AssertionError(response.content.decode())
    post.refresh_from_db()
    assert post.ended_on.isoformat() == "2026-12-01" and post.end_reason == "外出务工"
    (new,) = person_posts(person=successor, tree_id=grid_tree.c.tree_id)
    assert new.grid_id == post.grid_id and new.role == post.role
    assert new.started_on.isoformat() == "2026-12-01"
