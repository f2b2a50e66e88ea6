"""Celery tasks of the grid tree."""

import logging

from celery import shared_task
from django.db import transaction

from core.services import audit_record

from .models import GridNode
from .treecheck import check_trees

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def grid_tree_check_task(tree_id: int) -> int:
    """Verify one county tree and record the result in its audit log; returns problems found.

    Safe to retry: it only reads the tree and appends one audit row per run.
    """
    root = GridNode.objects.filter(tree_id=tree_id, parent__isnull=True).first()
    if root is None:
        return 0
    problems = check_trees(tree_id)
    with transaction.atomic():
        audit_record(
            actor=None,
            action="grid.tree_check",
            obj=root,
            after={"problems": len(problems), "first": problems[:20]},
        )
    if problems:
        logger.error("grid tree %s has %s problems", tree_id, len(problems))
    return len(problems)
