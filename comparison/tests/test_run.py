"""The monthly run: matching, rules in SQL, clues raised or merged, re-runs and restarts."""

import pytest

from comparison import running, services
from comparison.models import BatchRecord, ComparisonRun, RunHit, RunPart, RunState
from monitoring.models import ClueEvidence, RiskClue
from monitoring.tests.factories import make_case, new_id_number

from .helpers import household_with_id, last_month, member_id, send


def _run(tree, **kwargs):
    """Start a run and execute it eagerly (tasks run in-process in tests)."""
    from comparison.tasks import comparison_run_task

    run = services.run_start(actor=tree.county, county=tree.c, month=last_month(), **kwargs)
    comparison_run_task.apply(args=[run.pk]).get()
    return ComparisonRun.objects.get(pk=run.pk)


def _clues():
    return sorted(RiskClue.objects.values_list("household_id", "risk_type", "state"))


@pytest.fixture
def feeds(grid_tree):
    """Households in T1 (g1, g3) and T2 (g4), and one batch from each of three departments."""
    t = grid_tree
    lifted, lifted_id = household_with_id(t.g1, household_type="lifted")
    ordinary, ordinary_id = household_with_id(t.g3)
    monitored, monitored_id = household_with_id(t.g4)
    make_case(monitored)
    child = member_id(ordinary)
    stranger = new_id_number()  # not in the registry
    send(
        t.superuser,
        t.c,
        "yibao",
        [
            {"id_number": lifted_id, "signal": "oop_cost", "value": "6000"},  # priority ≥ 5,000
            {"id_number": ordinary_id, "signal": "oop_cost", "value": 6000},  # others: < 20,000
            {"id_number": child, "signal": "oop_cost", "value": 25000},  # others ≥ 20,000
            {"id_number": monitored_id, "signal": "oop_cost", "value": 5000},  # monitored
            {"id_number": stranger, "signal": "oop_cost", "value": 90000},  # unmatched
            {"id_number": "533423198001011234", "signal": "oop_cost", "value": 1},  # bad check
        ],
    )
    send(
        t.superuser,
        t.c,
        "zhujian",
        [
            {"id_number": lifted_id, "signal": "house_grade", "value": "c"},
            {"id_number": ordinary_id, "signal": "house_grade", "value": "B"},
        ],
    )
    send(
        t.superuser,
        t.c,
        "gongan",
        [{"id_number": ordinary_id, "signal": "earner_death", "value": "是"}],
    )
    return {"lifted": lifted, "ordinary": ordinary, "monitored": monitored}


@pytest.mark.django_db
def test_run_applies_rules_and_reports(grid_tree, feeds):
    run = _run(grid_tree)

    assert run.state == RunState.DONE and run.progress == 100
    got = {(h, r) for h, r, _ in _clues()}
    assert got == {
        (feeds["lifted"].pk, "illness"),
        (feeds["lifted"].pk, "housing"),
        (feeds["ordinary"].pk, "illness"),  # the child's 25,000, not the head's 6,000
        (feeds["ordinary"].pk, "lack_of_labour"),
        (feeds["monitored"].pk, "illness"),
    }
    s = run.summary
    assert (s["records"], s["invalid"], s["matched"], s["unmatched"]) == (9, 1, 7, 1)
    assert s["clues_created"] == 5 and s["clues_merged"] == 0
    by_dept = {d["code"]: d for d in s["by_department"]}
    assert by_dept["yibao"]["unmatched"] == 1 and by_dept["yibao"]["hits"] == 3
    by_town = {t["code"]: t for t in s["by_township"]}
    assert by_town[grid_tree.t1.code]["clues_created"] == 4
    assert by_town[grid_tree.t2.code]["clues_created"] == 1
    unmatched = BatchRecord.objects.get(unmatched=True)
    assert unmatched.id_masked.count("*") == 8
    # The staged hits are the signals the clues came from; an unmatched record fires nothing.
    assert RunHit.objects.filter(run=run).count() == s["hits"] == 5
    assert not RunHit.objects.filter(record_id=unmatched.pk).exists()


@pytest.mark.django_db
def test_rerun_gives_the_same_clues(grid_tree, feeds):
    _run(grid_tree)
    clues, evidence = _clues(), ClueEvidence.objects.count()

    again = _run(grid_tree)

    assert _clues() == clues and ClueEvidence.objects.count() == evidence
    assert again.summary["clues_created"] == 0 and again.summary["clues_for_month"] == 5


@pytest.mark.django_db
def test_person_of_another_county_is_unmatched_and_a_new_member_is_found_next_time(
    grid_tree, superuser
):
    """ID numbers are unique across the deployment: a person registered in another county is
    not this county's, so the record is reported back; once the person is registered here, the
    next run matches the record and clears the mark (written only where it changes)."""
    from grids import services as grid_services
    from grids.models import Level

    t = grid_tree
    other = grid_services.grid_create(
        actor=superuser, code="533424", name="邻县", level=Level.COUNTY
    )
    town = grid_services.grid_create(
        actor=superuser, code="533424100", name="邻镇", level=Level.TOWNSHIP, parent=other
    )
    village = grid_services.grid_create(
        actor=superuser, code="533424100001", name="邻村", level=Level.VILLAGE, parent=town
    )
    group = grid_services.grid_create(
        actor=superuser,
        code="5334241000010101",
        name="邻村1组第1网格",
        level=Level.GROUP,
        parent=village,
        village_group="第1村民小组",
    )
    _, elsewhere = household_with_id(group)
    household, _ = household_with_id(t.g1)
    newcomer = new_id_number()
    send(
        t.superuser,
        t.c,
        "zhujian",
        [
            {"id_number": elsewhere, "signal": "house_grade", "value": "D"},
            {"id_number": newcomer, "signal": "house_grade", "value": "D"},
        ],
    )

    first = _run(grid_tree)

    assert (first.summary["matched"], first.summary["unmatched"]) == (0, 2)
    assert BatchRecord.objects.filter(unmatched=True).count() == 2
    assert not RiskClue.objects.exists()

    from monitoring.tests.factories import make_person

    make_person(household, id_number=newcomer, relation="child")
    second = _run(grid_tree)

    assert (second.summary["matched"], second.summary["unmatched"]) == (1, 1)
    assert list(BatchRecord.objects.filter(unmatched=True).values_list("id_masked", flat=True)) == [
        f"{elsewhere[:6]}********{elsewhere[-4:]}"
    ]
    assert set(RiskClue.objects.values_list("household_id", "risk_type")) == {
        (household.pk, "housing")
    }


@pytest.mark.django_db
def test_rerun_after_a_decision_does_not_reopen(grid_tree, feeds):
    from monitoring.services import clue_dismiss

    _run(grid_tree)
    clue = RiskClue.objects.filter(household=feeds["lifted"], risk_type="housing").get()
    clue_dismiss(actor=grid_tree.superuser, clue=clue, reason="已核实房屋已改造")

    _run(grid_tree)

    assert RiskClue.objects.filter(household=feeds["lifted"], risk_type="housing").count() == 1


@pytest.mark.django_db
def test_signal_merges_into_an_open_clue(grid_tree, feeds):
    from monitoring.services import clue_raise

    clue, _ = clue_raise(
        actor=grid_tree.superuser,
        household=feeds["lifted"],
        risk_type="illness",
        source="visit",
    )
    run = _run(grid_tree)

    assert RiskClue.objects.filter(household=feeds["lifted"], risk_type="illness").count() == 1
    assert clue.evidence.filter(source="department").count() == 1
    assert run.summary["clues_merged"] == 1 and run.summary["clues_created"] == 4


@pytest.mark.django_db
def test_restart_after_an_interrupted_run_finishes_with_the_same_result(grid_tree, feeds):
    from comparison.tasks import comparison_run_task

    # A clean run elsewhere tells the expected result; then undo it.
    expected = _run(grid_tree)
    expected_clues = {(h, r) for h, r, _ in _clues()}
    RiskClue.objects.all().delete()
    ComparisonRun.objects.all().delete()

    # Interrupted: matched, T1's part done, then the worker died before T2.
    run = services.run_start(actor=grid_tree.county, county=grid_tree.c, month=last_month())
    running.run_stage(run.pk)
    running.part_process(run.pk, grid_tree.t1.pk)
    run.refresh_from_db()
    assert run.state == RunState.RUNNING and run.parts_done == 1 and 0 < run.progress < 100
    assert RiskClue.objects.count() == 4

    # Redelivered: the whole run task again (T1 is skipped), then a stray duplicate of T1.
    comparison_run_task.apply(args=[run.pk]).get()
    running.part_process(run.pk, grid_tree.t1.pk)

    run.refresh_from_db()
    assert run.state == RunState.DONE
    assert {(h, r) for h, r, _ in _clues()} == expected_clues
    assert run.summary["clues_created"] == expected.summary["clues_created"]
    assert RunPart.objects.filter(run=run, done=True).count() == 2


@pytest.mark.django_db
def test_monthly_schedule_runs_last_month_once(
    grid_tree, feeds, django_capture_on_commit_callbacks
):
    from django_celery_beat.models import PeriodicTask

    from comparison.tasks import comparison_monthly_task

    task = PeriodicTask.objects.get(task="comparison.tasks.comparison_monthly_task")
    assert task.enabled and task.crontab.day_of_month == "5"

    with django_capture_on_commit_callbacks(execute=True):
        assert comparison_monthly_task.apply().get() == 1
    run = ComparisonRun.objects.get()
    assert run.month == last_month() and run.state == RunState.DONE and run.started_by is None
    assert comparison_monthly_task.apply().get() == 0  # already compared
    assert RiskClue.objects.count() == 5


def _outcome():
    clues = {(h, r, s) for h, r, s in _clues()}
    evidence = sorted(
        ClueEvidence.objects.values_list("clue__household_id", "clue__risk_type", "reference")
    )
    return clues, evidence


@pytest.mark.django_db
def test_small_run_is_one_part_and_equals_the_split_run(grid_tree, feeds, settings):
    from django.test.utils import CaptureQueriesContext

    run = services.run_start(actor=grid_tree.county, county=grid_tree.c, month=last_month())
    running.run_stage(run.pk)
    assert running.part_groups(run.pk) == [[grid_tree.t1.pk, grid_tree.t2.pk]]
    settings.COMPARISON_PART_RECORDS = 1
    assert running.part_groups(run.pk) == [[grid_tree.t1.pk], [grid_tree.t2.pk]]
    ComparisonRun.objects.all().delete()

    # Split: one part per township (each has more than one matched record).
    split = _run(grid_tree)
    split_outcome = _outcome()
    RiskClue.objects.all().delete()
    ComparisonRun.objects.all().delete()

    # One part: both townships in one step of the run task.
    settings.COMPARISON_PART_RECORDS = 20_000
    from django.db import connection

    with CaptureQueriesContext(connection) as ctx:
        single = _run(grid_tree)
    # One part: the clues of both townships are written by one statement.
    assert sum("INTO monitoring_riskclue" in q["sql"] for q in ctx.captured_queries) == 1

    assert _outcome() == split_outcome
    assert single.parts_total == single.parts_done == 2
    assert RunPart.objects.filter(run=single, done=True).count() == 2
    for key in ("records", "matched", "unmatched", "hits", "clues_created", "clues_merged"):
        assert single.summary[key] == split.summary[key]
    assert single.summary["by_township"] == split.summary["by_township"]
    assert single.summary["by_department"] == split.summary["by_department"]

    # A re-run in one part adds nothing either.
    again = _run(grid_tree)
    assert _outcome() == split_outcome and again.summary["clues_created"] == 0


@pytest.mark.django_db
def test_part_of_several_townships_restarts_with_the_same_result(grid_tree, feeds):
    """A part that covers both townships, after T1 alone was done: T1 is skipped."""
    expected = _run(grid_tree)
    expected_outcome = _outcome()
    RiskClue.objects.all().delete()
    ComparisonRun.objects.all().delete()

    run = services.run_start(actor=grid_tree.county, county=grid_tree.c, month=last_month())
    running.run_stage(run.pk)
    running.part_process(run.pk, [grid_tree.t1.pk])
    assert running.part_groups(run.pk) == [[grid_tree.t2.pk]]
    counts = running.part_process(run.pk, [grid_tree.t1.pk, grid_tree.t2.pk])
    assert set(counts) == {grid_tree.t2.pk}
    assert running.part_process(run.pk, [grid_tree.t1.pk, grid_tree.t2.pk]) is None
    assert running.run_finish(run.pk)

    run.refresh_from_db()
    assert _outcome() == expected_outcome
    assert run.summary["by_township"] == expected.summary["by_township"]
