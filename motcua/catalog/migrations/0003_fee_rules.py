"""Fees become rules: code, name, basis, tiers, maximum, when paid, where counts come from,
legal basis; exemptions and reductions become rows of their own (``FeeExemption``).

Today's fees turn into fixed amounts per dossier, paid at submission: their
description becomes the name (the kind's name when it had none), their free
text of exemptions is kept as the rule's note, and each gets a code unique in
its version (LP1, LP2, ... for charges, P1, P2, ... for fees).
"""

import django.db.models.deletion
from django.db import migrations, models

KIND_NAMES = {"fee": "Phí", "charge": "Lệ phí"}
CODE_PREFIX = {"fee": "P", "charge": "LP"}


def fees_to_rules(apps, schema_editor):
    Fee = apps.get_model("catalog", "Fee")
    numbers: dict[tuple[int, str], int] = {}
    changed = []
    for fee in Fee.objects.order_by("version_id", "id").iterator():
        key = (fee.version_id, fee.kind)
        numbers[key] = numbers.get(key, 0) + 1
        fee.code = f"{CODE_PREFIX.get(fee.kind, 'P')}{numbers[key]}"
        fee.name = fee.name.strip() or KIND_NAMES.get(fee.kind, "Phí")
        changed.append(fee)
    Fee.objects.bulk_update(changed, ["code", "name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_extensions_and_trigram_index")]

    operations = [
        migrations.RenameField(model_name="fee", old_name="description", new_name="name"),
        migrations.RenameField(model_name="fee", old_name="exemptions", new_name="note"),
        migrations.AddField(
            model_name="fee",
            name="code",
            field=models.CharField(
                default="",
                help_text="Identifies the fee line in payments, e.g. LP-HT.",
                max_length=40,
                verbose_name="code",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fees_to_rules, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="fee",
            name="name",
            field=models.CharField(max_length=255, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="fee",
            name="note",
            field=models.TextField(blank=True, verbose_name="note"),
        ),
        migrations.AlterField(
            model_name="fee",
            name="amount",
            field=models.PositiveBigIntegerField(verbose_name="amount per unit (VND)"),
        ),
        migrations.AddField(
            model_name="fee",
            name="basis",
            field=models.CharField(
                choices=[
                    ("dossier", "a fixed amount per dossier"),
                    ("copy", "per copy"),
                    ("page", "per page of each copy"),
                ],
                default="dossier",
                max_length=10,
                verbose_name="counted on",
            ),
        ),
        migrations.AddField(
            model_name="fee",
            name="tiers",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Other amounts from a given unit on, e.g. from the 3rd page.",
                verbose_name="tiers",
            ),
        ),
        migrations.AddField(
            model_name="fee",
            name="cap",
            field=models.PositiveBigIntegerField(
                blank=True,
                help_text="Per copy for a per-page fee; for the whole line for a per-copy fee.",
                null=True,
                verbose_name="maximum (VND)",
            ),
        ),
        migrations.AddField(
            model_name="fee",
            name="due",
            field=models.CharField(
                choices=[
                    ("before", "at submission (thu trước)"),
                    ("after", "when the result is returned (thu sau)"),
                    ("exempt", "exempt (miễn)"),
                    ("none", "not charged (không thu)"),
                ],
                default="before",
                max_length=10,
                verbose_name="paid",
            ),
        ),
        migrations.AddField(
            model_name="fee",
            name="quantity_source",
            field=models.CharField(
                choices=[
                    ("eform", "the applicant, in the e-form"),
                    ("counter", "the officer, at intake"),
                ],
                default="eform",
                max_length=10,
                verbose_name="counts given by",
            ),
        ),
        migrations.AddField(
            model_name="fee",
            name="copies_field",
            field=models.CharField(
                blank=True,
                help_text="The e-form field (or counter input) with the number of copies.",
                max_length=40,
                verbose_name="number of copies from",
            ),
        ),
        migrations.AddField(
            model_name="fee",
            name="pages_field",
            field=models.CharField(
                blank=True,
                help_text="The e-form field (or counter input) with the number of pages of a copy.",
                max_length=40,
                verbose_name="number of pages from",
            ),
        ),
        migrations.AddField(
            model_name="fee",
            name="legal_basis",
            field=models.TextField(blank=True, verbose_name="legal basis"),
        ),
        migrations.AddConstraint(
            model_name="fee",
            constraint=models.UniqueConstraint(fields=("version", "code"), name="fee_code_unique"),
        ),
        migrations.CreateModel(
            name="FeeExemption",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=40, verbose_name="code")),
                (
                    "name",
                    models.CharField(
                        help_text="e.g. Người thuộc hộ nghèo",
                        max_length=255,
                        verbose_name="who or what",
                    ),
                ),
                (
                    "fee_codes",
                    models.CharField(
                        blank=True,
                        help_text="Fee codes separated by commas; empty: every fee of the version.",
                        max_length=255,
                        verbose_name="fees it applies to",
                    ),
                ),
                (
                    "trigger",
                    models.CharField(
                        choices=[
                            ("claim", "claimed by the applicant, with a proof the officer checks"),
                            ("channel", "by itself, for dossiers submitted through a channel"),
                        ],
                        default="claim",
                        max_length=10,
                        verbose_name="applies",
                    ),
                ),
                (
                    "channel",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (1, "At the counter"),
                            (2, "Online"),
                            (3, "Public postal service"),
                        ],
                        null=True,
                        verbose_name="channel",
                    ),
                ),
                (
                    "percent",
                    models.PositiveSmallIntegerField(
                        default=100,
                        help_text="100: exempt; 50: half the amount.",
                        verbose_name="reduction (%)",
                    ),
                ),
                (
                    "proof",
                    models.CharField(
                        blank=True,
                        help_text="e.g. Giấy chứng nhận hộ nghèo còn hiệu lực",
                        max_length=255,
                        verbose_name="proof the officer checks",
                    ),
                ),
                ("legal_basis", models.TextField(blank=True, verbose_name="legal basis")),
                (
                    "valid_from",
                    models.DateField(blank=True, null=True, verbose_name="in force from"),
                ),
                (
                    "valid_until",
                    models.DateField(blank=True, null=True, verbose_name="in force until"),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="fee_exemptions",
                        to="catalog.procedureversion",
                    ),
                ),
            ],
            options={
                "verbose_name": "fee exemption or reduction",
                "verbose_name_plural": "fee exemptions and reductions",
                "ordering": ["version", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("version", "code"), name="fee_exemption_code_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("percent__gte", 1), ("percent__lte", 100)),
                        name="fee_exemption_percent_range",
                    ),
                ],
            },
        ),
    ]
