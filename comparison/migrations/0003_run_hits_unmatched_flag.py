"""The run stages its hits (``RunHit``) instead of writing the match onto every record: a
record keeps only whether its person was not found (``unmatched``), which the department's
report lists."""

import django.db.models.deletion
from django.db import migrations, models


def keep_unmatched(apps, schema_editor):
    BatchRecord = apps.get_model("comparison", "BatchRecord")
    BatchRecord.objects.filter(match_state="unmatched").update(unmatched=True)


class Migration(migrations.Migration):

    dependencies = [
        ('comparison', '0002_default_catalogue_and_schedule'),
    ]

    operations = [
        migrations.CreateModel(
            name='RunHit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('record_id', models.BigIntegerField(verbose_name='批次记录')),
                ('rule_id', models.BigIntegerField(verbose_name='规则')),
                ('household_id', models.BigIntegerField(verbose_name='农户')),
                ('township_id', models.BigIntegerField(verbose_name='乡镇')),
                ('department_id', models.BigIntegerField(verbose_name='部门')),
                ('risk_type', models.CharField(choices=[('illness', '因病'), ('schooling', '因学'), ('disability', '因残'), ('disaster', '因自然灾害'), ('accident', '因意外事故'), ('lack_of_labour', '缺劳动力'), ('unstable_work', '因务工就业不稳'), ('business_failure', '因产业项目失败'), ('housing', '因安全住房'), ('drinking_water', '因安全饮水'), ('other', '其他')], max_length=20, verbose_name='风险类型')),
                ('reference', models.CharField(max_length=100, verbose_name='线索证据编号')),
                ('note', models.TextField(verbose_name='说明')),
            ],
            options={
                'verbose_name': '比对命中',
                'verbose_name_plural': '比对命中',
            },
        ),
        migrations.AddField(
            model_name='batchrecord',
            name='unmatched',
            field=models.BooleanField(default=False, verbose_name='未在户籍库中找到'),
        ),
        migrations.RunPython(keep_unmatched, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name='batchrecord',
            name='comparison_record_township_idx',
        ),
        migrations.RemoveField(
            model_name='batchrecord',
            name='household',
        ),
        migrations.RemoveField(
            model_name='batchrecord',
            name='match_state',
        ),
        migrations.RemoveField(
            model_name='batchrecord',
            name='person',
        ),
        migrations.RemoveField(
            model_name='batchrecord',
            name='township',
        ),
        migrations.AddField(
            model_name='runhit',
            name='run',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='hits', to='comparison.comparisonrun', verbose_name='比对任务'),
        ),
        migrations.AddIndex(
            model_name='runhit',
            index=models.Index(fields=['run', 'township_id'], name='comparison_hit_run_township'),
        ),
    ]
