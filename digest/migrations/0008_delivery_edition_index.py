import django.db.models.deletion
from django.db import migrations, models

# The unique (edition, subscriber) constraint starts with edition_id, so the foreign key's
# own index only cost a write per reader at enqueue. Dropped in place: letting Django alter
# the field would copy the whole delivery table on SQLite.
INDEX = "digest_delivery_edition_id_3f97fa29"


class Migration(migrations.Migration):
    dependencies = [
        ("digest", "0007_handoff"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "digest_delivery" ("edition_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="delivery",
                    name="edition",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="digest.edition",
                    ),
                ),
            ],
        ),
    ]
