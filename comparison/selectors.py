"""Reads of the comparison: scoped batches, their report, runs."""

from django.db.models import Q

from .models import BatchRecord, ComparisonRun, DepartmentBatch


def batch_list(*, user):
    """Batches ``user`` may see: a county admin all of the county's, department staff their
    department's only."""
    return DepartmentBatch.objects.visible_to(user).select_related("county", "department")


def batch_problems(batch: DepartmentBatch):
    """The batch's records to report back: invalid ones (with reasons) and those whose person
    is not in the registry, in record order. Masked ID numbers only."""
    return (
        BatchRecord.objects.filter(batch=batch)
        .filter(Q(valid=False) | Q(unmatched=True))
        .only("id", "part", "number", "id_masked", "signal_code", "reference", "valid", "errors")
        .order_by("part", "number")
    )


def run_list(*, user):
    """Comparison runs of the counties ``user`` administers (department staff see none)."""
    return ComparisonRun.objects.visible_to(user).select_related("county", "started_by")
