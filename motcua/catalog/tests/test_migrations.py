"""The data migration that turns the fees of before into fixed-amount rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from motcua.catalog.models import Fee
from motcua.testing import FeeFactory, ProcedureFactory


@pytest.fixture
def rules_migration() -> Iterator[tuple[tuple[str, str], tuple[str, str]]]:
    """Return the fee-rules migration and the one before it; migrate back to the end after."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    (target,) = [key for key in graph.nodes if key[0] == "catalog" and key[1].endswith("fee_rules")]
    (before,) = [n.key for n in graph.node_map[target].parents if n.key[0] == "catalog"]
    yield target, before
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_old_fees_become_fixed_amounts_with_codes_and_their_exemptions_as_a_note(
    rules_migration: tuple[tuple[str, str], tuple[str, str]],
) -> None:
    target, before = rules_migration
    procedure = ProcedureFactory()  # its version has one charge, "Lệ phí", 8.000 đồng
    assert procedure.current_version is not None
    version = procedure.current_version
    FeeFactory(version=version, kind="charge", amount=5000, name="Bản sao", note="Trẻ em: miễn")
    FeeFactory(version=version, kind="fee", amount=100_000, name="")

    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps.get_model("catalog", "Fee")
    assert {f.name for f in old._meta.get_fields()} >= {"description", "exemptions", "amount"}
    assert "code" not in {f.name for f in old._meta.get_fields()}
    executor = MigrationExecutor(connection)
    executor.migrate([target])

    rows = [(f.code, f.kind, f.name, f.basis, f.amount, f.due, f.note) for f in Fee.objects.all()]
    assert rows == [
        ("LP1", "charge", "Lệ phí", "dossier", 8000, "before", ""),
        ("LP2", "charge", "Bản sao", "dossier", 5000, "before", "Trẻ em: miễn"),
        ("P1", "fee", "Phí", "dossier", 100_000, "before", ""),
    ]
