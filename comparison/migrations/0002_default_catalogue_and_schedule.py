"""The ten departments, the default signal catalogue of every existing county (DOMAIN.md demo
values; counties created later get it on first use) and the monthly beat schedule."""

from django.db import migrations

TASK_NAME = "部门数据比对（每月）"


def forwards(apps, schema_editor):
    from comparison.catalogue import install, install_departments

    Department = apps.get_model("grids", "Department")
    Signal = apps.get_model("comparison", "Signal")
    Rule = apps.get_model("comparison", "Rule")
    GridNode = apps.get_model("grids", "GridNode")
    install_departments(Department)
    for county_id in GridNode.objects.filter(level="county").values_list("id", flat=True):
        install(county_id, Department=Department, Signal=Signal, Rule=Rule)

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 02:30 on the 5th of every month (Asia/Shanghai): departments send by the 3rd.
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="2",
        day_of_month="5",
        month_of_year="*",
        day_of_week="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "comparison.tasks.comparison_monthly_task",
            "crontab": schedule,
            "enabled": True,
            "description": "每月比对上月各部门报送的数据，生成风险线索。",
        },
    )


def backwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comparison", "0001_batches_runs_catalogue"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
