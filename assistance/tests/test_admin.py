"""The rule table in the admin: county staff add their county's rules; defaults are read-only."""

import pytest
from django.contrib.auth.models import Permission

from assistance.models import SuggestionRule
from core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_admin(grid_tree, client):
    grid_tree.county.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="assistance", codename__endswith="suggestionrule"
        )
    )
    client.force_login(grid_tree.county)
    return client


def test_county_staff_add_a_county_rule_through_the_admin_audited(grid_tree, county_admin):
    response = county_admin.post(
        "/admin/assistance/suggestionrule/add/",
        {
            "county": grid_tree.c.pk,
            "risk_type": "illness",
            "member_condition": "",
            "category": "health",
            "kind": "family_doctor",
            "department": "",
            "note": "本县：大病患者家庭医生每月随访",
            "active": "on",
            "order": 5,
        },
    )
    assert response.status_code == 302, response.content[:800]
    rule = SuggestionRule.objects.get(county=grid_tree.c)
    assert rule.kind == "family_doctor"
    assert AuditLog.objects.filter(action="rule.create", object_id=str(rule.pk)).exists()


def test_county_staff_see_but_cannot_change_a_default(grid_tree, county_admin):
    default = SuggestionRule.objects.filter(county=None).first()
    assert county_admin.get("/admin/assistance/suggestionrule/").status_code == 200
    response = county_admin.post(
        f"/admin/assistance/suggestionrule/{default.pk}/change/",
        {"risk_type": default.risk_type, "category": "social", "kind": "other", "order": 1},
    )
    assert response.status_code == 403
    default.refresh_from_db()
    assert default.kind != "other" or default.category != "social"
