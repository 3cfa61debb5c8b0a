"""Operations record the task that drives them and the worker holding their lease, so a run
lost with its worker (django-q2's Redis broker never redelivers it) is taken over."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("platformkit", "0008_moved_task_paths")]

    operations = [
        migrations.AddField(
            model_name="operation",
            name="lease_holder",
            field=models.CharField(blank=True, default="", max_length=128),
        ),
        migrations.AddField(
            model_name="operation",
            name="task",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
    ]
