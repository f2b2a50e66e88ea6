"""The demo county's comparison step: ten departments' batches and one completed run."""

from io import StringIO

import pytest
from django.core.management import call_command

from comparison.models import ComparisonRun, DepartmentBatch, RunHit, RunState
from monitoring.models import ClueEvidence, RiskClue


@pytest.mark.django_db
def test_seed_step_gives_ten_batches_and_a_completed_run():
    call_command(
        "seed_county",
        "--no-demo-logins",
        "--scale",
        "0.05",
        "--steps",
        "grids,households,comparison",
        stdout=StringIO(),
    )
    assert DepartmentBatch.objects.values("department").distinct().count() == 10
    assert not DepartmentBatch.objects.exclude(state="complete").exists()
    run = ComparisonRun.objects.get()
    assert run.state == RunState.DONE
    s = run.summary
    assert s["unmatched"] == 20 and s["invalid"] == 20 and s["matched"] > 0
    assert s["clues_created"] == RiskClue.objects.filter(source="department").count() > 0
    assert ClueEvidence.objects.filter(source="department").count() == s["hits"]
    assert RunHit.objects.filter(run=run).count() == s["hits"]

    # Seeding again replaces the county's comparison data (purge), no leftovers.
    call_command(
        "seed_county",
        "--no-demo-logins",
        "--scale",
        "0.05",
        "--replace",
        "--steps",
        "grids,households,comparison",
        stdout=StringIO(),
    )
    assert ComparisonRun.objects.count() == 1
    assert RunHit.objects.count() == ComparisonRun.objects.get().summary["hits"]


@pytest.mark.django_db
def test_bench_comparison_prints_its_json_line(capsys):
    import json

    call_command("bench", "comparison", "--scales", "0.02")
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert line["name"] == "comparison.month" and line["departments"] == 10
    assert line["agree"] is True and line["ratio_to_sql"] is not None
    assert line["clues_created"] > 0 and line["unmatched"] == 500
    assert not DepartmentBatch.objects.exists()  # rolled back
