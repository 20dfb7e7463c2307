"""Loading the demo on an empty database, and again: the second load changes nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from motcua.calendar.models import SpecialDay
from motcua.catalog.importing import RowStatus
from motcua.catalog.models import (
    Component,
    Fee,
    Procedure,
    ProcedureProvision,
    ProcedureVersion,
)
from motcua.demo.dossier_data import STORIES
from motcua.dossiers.models import Dossier, DossierEvent, DossierFile, DossierResult
from motcua.organisation.models import Agency
from motcua.staff.models import StaffRole
from motcua.territory.models import AdministrativeUnit
from motcua.workflow.models import DossierStep, Process, ProcessStep, ProcessVersion

pytestmark = pytest.mark.django_db

MODELS = (
    AdministrativeUnit,
    Agency,
    Procedure,
    ProcedureVersion,
    ProcedureProvision,
    Component,
    Fee,
    SpecialDay,
    get_user_model(),
    StaffRole,
    Process,
    ProcessVersion,
    ProcessStep,
    Dossier,
    DossierEvent,
    DossierStep,
    DossierFile,
    DossierResult,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "successors": AdministrativeUnit.successors.through.objects.count(),
        "revisions": sum(Dossier.objects.values_list("revision", flat=True)),
    }


def test_load_demo_creates_everything_once_and_a_rerun_changes_nothing() -> None:
    from motcua.demo.services import demo_load

    first = demo_load()
    after_first = counts()
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    assert {r.status for r in first.procedures.rows} == {RowStatus.CREATED}
    # Former Quảng Nam's 2019 procedures (catalogue history) are not published and run nothing.
    published = Procedure.objects.filter(is_published=True).count()
    assert (first.processes, first.dossiers) == (published, len(STORIES))
    assert counts() == after_first
    assert f"{published} unchanged" in out.getvalue()
    assert "0 processes created, 0 demo dossiers created" in out.getvalue()
    assert after_first["SpecialDay"] > 0
