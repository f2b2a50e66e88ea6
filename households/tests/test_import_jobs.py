"""The household import as a job: all or nothing, whatever happens to its worker."""

import pytest

from core import jobs
from core.models import JobState

pytestmark = pytest.mark.django_db


def test_an_import_that_fails_before_its_commit_writes_nothing(grid_tree, monkeypatch, xlsx_file):
    from households import importing
    from households import jobs as household_jobs
    from households.models import Household
    from households.tests.test_importing import good_rows

    job, _ = household_jobs.start_import(
        actor=grid_tree.t1_leader, upload=xlsx_file(good_rows(grid_tree)), dry_run=False
    )
    real = importing.import_households

    def dies_at_commit(*args, before_commit=None, **kwargs):
        def dying(report):
            before_commit(report)
            raise RuntimeError("worker lost at COMMIT")

        return real(*args, before_commit=dying, **kwargs)

    monkeypatch.setattr(importing, "import_households", dies_at_commit)
    assert jobs.run(job.pk) == "failed"
    assert Household.objects.count() == 0
    job.refresh_from_db()
    assert job.state == JobState.FAILED  # the "done" rolled back with the rows
