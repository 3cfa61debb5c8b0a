"""The sections layout moved the task modules: point the stored advisor schedule at the new
path (queued tasks resolve through ``platformkit.__getattr__`` for one release)."""

from django.apps import apps as installed
from django.db import migrations

OLD = "platformkit.advisor_tasks.scan_all"
NEW = "platformkit.sections.advisors.tasks.scan_all"


def forwards(apps, schema_editor):
    _rename(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, NEW, OLD)


def _rename(apps, old, new):
    try:
        schedule = apps.get_model("django_q", "Schedule")
    except LookupError:  # django_q not installed: nothing stored
        return
    schedule.objects.filter(func=old).update(func=new)


class Migration(migrations.Migration):
    dependencies = [("platformkit", "0007_embed_sql_history")]
    if installed.is_installed("django_q"):  # django_q is optional
        dependencies.append(("django_q", "0001_initial"))
    operations = [migrations.RunPython(forwards, backwards)]
