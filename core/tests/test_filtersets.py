"""One test per filter of the audit log endpoint."""

import datetime

import pytest
from django.utils import timezone

from core.models import AuditLog
from core.testing import assert_filter

pytestmark = pytest.mark.django_db


def test_audit_filters(grid_tree, api):
    client = api.as_user(grid_tree.superuser)
    tree = grid_tree.c.tree_id
    a = AuditLog.objects.create(
        action="x.one", object_type="grids.gridnode", object_id="1", tree_id=tree
    )
    old = timezone.now() - datetime.timedelta(days=30)
    # Rows are never updated (the table refuses it): the old one is written old.
    b = AuditLog.objects.create(
        action="x.two", object_type="households.household", object_id="2", tree_id=tree, at=old
    )
    cut = (old + datetime.timedelta(days=1)).isoformat()
    url = "/api/v1/audit-log/"
    assert_filter(client, url, {"action": "x.one"}, includes=[a.pk], excludes=[b.pk])
    assert_filter(
        client, url, {"object_type": "households.household"}, includes=[b.pk], excludes=[a.pk]
    )
    assert_filter(client, url, {"object_id": "1"}, includes=[a.pk], excludes=[b.pk])
    assert_filter(client, url, {"at_after": cut}, includes=[a.pk], excludes=[b.pk])
    assert_filter(client, url, {"at_before": cut}, includes=[b.pk], excludes=[a.pk])
