"""Processing-time cases: a version may give some cases another legal time (verification)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_fee_rules"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProcessingCase",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                (
                    "code",
                    models.CharField(
                        help_text="Identifies the case in a dossier, e.g. XAC-MINH.",
                        max_length=40,
                        verbose_name="code",
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="e.g. Trường hợp cần xác minh",
                        max_length=255,
                        verbose_name="name",
                    ),
                ),
                (
                    "processing_time_value",
                    models.DecimalField(
                        decimal_places=1, max_digits=6, verbose_name="legal processing time"
                    ),
                ),
                (
                    "processing_time_unit",
                    models.CharField(
                        choices=[("days", "working days"), ("hours", "working hours")],
                        default="days",
                        max_length=5,
                        verbose_name="unit",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="when it applies")),
                ("legal_basis", models.TextField(blank=True, verbose_name="legal basis")),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="processing_cases",
                        to="catalog.procedureversion",
                    ),
                ),
            ],
            options={
                "verbose_name": "processing-time case",
                "verbose_name_plural": "processing-time cases",
                "ordering": ["version", "order", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("version", "code"), name="processing_case_code_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("processing_time_value__gt", 0), ("processing_time_value__lt", 10000)
                        ),
                        name="processing_case_time_range",
                    ),
                ],
            },
        ),
    ]
