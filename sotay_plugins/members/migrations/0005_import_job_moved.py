"""The import job moved from ``members.importer`` to ``members.importing.job``: outbox rows
written before (pending, or failed and waiting for their retry) name the new path."""

from django.db import migrations

OLD = "sotay_plugins.members.importer.run_import"
NEW = "sotay_plugins.members.importing.job.run_import"


def forwards(apps, schema_editor):
    apps.get_model("sotay", "OutboxJob").objects.filter(func=OLD).update(func=NEW)


def backwards(apps, schema_editor):
    apps.get_model("sotay", "OutboxJob").objects.filter(func=NEW).update(func=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_import_notes"),
        ("sotay", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
