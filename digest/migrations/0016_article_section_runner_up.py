"""How sure each article's section is: the runner-up section and the thin-margin flag."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("digest", "0015_article_image"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="section_runner_up",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="digest.section",
                verbose_name="runner-up section",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="section_thin_margin",
            field=models.BooleanField(
                default=False,
                help_text="The section won by a thin margin (or no section scored): worth a look.",
                verbose_name="section uncertain",
            ),
        ),
    ]
