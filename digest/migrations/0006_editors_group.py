"""The `editors` group: who may use the editors' desk (admins may too, without it).

It carries no model permissions on purpose: editors work on the desk, never in the admin,
so they cannot reach subscriber records (the desk shows them only counts).
"""

from django.db import migrations

EDITORS = "editors"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=EDITORS)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("digest", "0005_sources_schedule_desk"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
