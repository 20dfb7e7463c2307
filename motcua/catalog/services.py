"""Writes to the procedure catalogue: identities, and immutable content versions.

A procedure's content changes only by publishing a new ``ProcedureVersion``;
a version that a dossier (or anything else outside the catalogue) points at
is never edited again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record, snapshot
from motcua.catalog.cases import ProcessingCaseSpec, case_specs, cases_problems
from motcua.catalog.eforms import eform_validate_definition
from motcua.catalog.fees import (
    CODE_DUPLICATE,
    eform_number_fields,
    exemption_spec_problems,
    exemption_specs,
    fee_spec_problems,
    fee_specs,
    tiers_to_json,
)

# The fee rules live in ``fees``; their specs are also this module's, with the other specs.
from motcua.catalog.fees import FeeExemptionSpec as FeeExemptionSpec
from motcua.catalog.fees import FeeSpec as FeeSpec
from motcua.catalog.history import procedure_provision_record
from motcua.catalog.models import (
    Component,
    Fee,
    FeeExemption,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ProcessingCase,
    ProvisionSource,
    SearchAbbreviation,
    TimeUnit,
)
from motcua.core.errors import Conflict, ValidationFailed
from motcua.core.text import fold
from motcua.organisation.models import Agency, GovernmentLevel

VERSION_IN_USE = _("This version is used by dossiers; publish a new version instead.")
INVALID_PROCESSING_TIME = _(
    "Enter a processing time of zero or more; zero means same day and needs the cut-off rule."
)
NAME_REQUIRED = _("Enter a name.")
EFORM_INVALID = _("The e-form definition is not valid.")
STEPS_INVALID = _("Give the steps as a list of texts, in order.")
ABBREVIATION_INVALID = _("Give an abbreviation of letters and digits and what it stands for.")
ABBREVIATION_TAKEN = _("This abbreviation is already defined.")


@dataclass(frozen=True)
class ComponentSpec:
    """A component of a version to publish."""

    name: str
    originals: int = 0
    copies: int = 0
    is_required: bool = True
    reusable: bool = False
    template_name: str = ""


@dataclass(frozen=True)
class VersionContent:
    """Everything a ``ProcedureVersion`` holds; equal contents mean nothing changed."""

    name: str
    processing_time_value: Decimal
    processing_time_unit: str = TimeUnit.WORKING_DAYS
    processing_time_note: str = ""
    same_day_cutoff_applies: bool = False
    fee_note: str = ""
    legal_basis: str = ""
    requirements: str = ""
    result_name: str = ""
    steps: tuple[str, ...] = ()
    applicants: str = ""
    components: tuple[ComponentSpec, ...] = ()
    fees: tuple[FeeSpec, ...] = ()
    fee_exemptions: tuple[FeeExemptionSpec, ...] = ()
    processing_cases: tuple[ProcessingCaseSpec, ...] = ()
    eform: list[dict[str, Any]] = field(default_factory=list)


def version_content(version: ProcedureVersion) -> VersionContent:
    """Return the content of ``version`` in the form ``procedure_publish_version`` takes."""
    return VersionContent(
        name=version.name,
        processing_time_value=version.processing_time_value,
        processing_time_unit=version.processing_time_unit,
        processing_time_note=version.processing_time_note,
        same_day_cutoff_applies=version.same_day_cutoff_applies,
        fee_note=version.fee_note,
        legal_basis=version.legal_basis,
        requirements=version.requirements,
        result_name=version.result_name,
        # A list of texts; anything else (an admin's hand-edited JSON) fails the check.
        steps=tuple(version.steps) if isinstance(version.steps, list) else (version.steps,),
        applicants=version.applicants,
        components=tuple(
            ComponentSpec(
                name=c.name,
                originals=c.originals,
                copies=c.copies,
                is_required=c.is_required,
                reusable=c.reusable,
                template_name=c.template_name,
            )
            for c in version.components.all()
        ),
        fees=fee_specs(version),
        fee_exemptions=exemption_specs(version),
        processing_cases=case_specs(version),
        eform=list(version.eform or []),
    )


def content_snapshot(content: VersionContent) -> dict[str, Any]:
    """Return ``content`` as JSON-ready values, for the audit log's before and after."""
    return asdict(content)


def version_snapshot(version: ProcedureVersion) -> dict[str, Any]:
    """Return the stored content of ``version`` (fees and cases included) for the audit log."""
    return {"number": version.number, **content_snapshot(version_content(version))}


def eform_spec_errors(eform: Any) -> list[str]:
    """Return what is wrong with an e-form definition (empty when usable)."""
    return eform_validate_definition(eform)


def _constraint_errors(spec: dict[str, Any]) -> list[str]:
    errors = []
    max_length = spec.get("max_length")
    if max_length is not None and (
        isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1
    ):
        errors.append("'max_length' must be a whole number of 1 or more.")
    if spec.get("type") == "number":
        for key in ("min", "max"):
            bound = spec.get(key)
            if bound is not None and (
                isinstance(bound, bool) or not isinstance(bound, int | float)
            ):
                errors.append(f"'{key}' must be a number.")
    pattern = spec.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, TypeError):
            errors.append("'pattern' is not a valid regular expression.")
    return errors


def _check_content(content: VersionContent) -> None:
    errors: dict[str, list[Any]] = {}
    if not content.name.strip():
        errors["name"] = [NAME_REQUIRED]
    try:
        value = Decimal(content.processing_time_value)
    except (InvalidOperation, TypeError, ValueError):
        value = Decimal(-1)
    ordinary: tuple[Decimal, str] | None = (value, content.processing_time_unit)
    if (
        not value.is_finite()
        or value < 0
        or value >= 10_000
        or (value == 0 and not content.same_day_cutoff_applies)
        or content.processing_time_unit not in TimeUnit.values
    ):
        errors["processing_time_value"] = [INVALID_PROCESSING_TIME]
        ordinary = None
    case_errors = cases_problems(content.processing_cases, ordinary)
    if case_errors:
        errors["processing_cases"] = case_errors
    fee_errors = fee_problems(content)
    if fee_errors.get("fees"):
        errors["fees"] = fee_errors["fees"]
    if fee_errors.get("fee_exemptions"):
        errors["fee_exemptions"] = fee_errors["fee_exemptions"]
    for component in content.components:
        if not component.name.strip() or component.originals < 0 or component.copies < 0:
            errors["components"] = [_("Each component needs a name and counts of 0 or more.")]
    if eform_spec_errors(content.eform):
        errors["eform"] = [EFORM_INVALID]
    if not all(isinstance(step, str) and step.strip() for step in content.steps):
        errors["steps"] = [STEPS_INVALID]
    if errors:
        raise ValidationFailed(_("The procedure version is not valid."), field_errors=errors)


def fee_problems(content: VersionContent) -> dict[str, list[str]]:
    """Return the problems of ``content``'s fees and exemptions, one sentence each, by key.

    Each fee's counts given in the e-form must be number fields of its e-form;
    codes are unique within the version; an exemption names fees of the version.
    """
    out: dict[str, list[str]] = {}
    numbers = eform_number_fields(content.eform)
    seen: set[str] = set()
    for n, fee in enumerate(content.fees, start=1):
        problems = [str(m) for _key, m in fee_spec_problems(fee, numbers)]
        if fee.code in seen:
            problems.append(str(CODE_DUPLICATE))
        seen.add(fee.code)
        out.setdefault("fees", []).extend(
            gettext("Fee %(n)s: %(problem)s") % {"n": n, "problem": p} for p in problems
        )
    codes = frozenset(seen)
    seen = set()
    for n, exemption in enumerate(content.fee_exemptions, start=1):
        problems = [str(m) for _key, m in exemption_spec_problems(exemption, codes)]
        if exemption.code in seen:
            problems.append(str(CODE_DUPLICATE))
        seen.add(exemption.code)
        out.setdefault("fee_exemptions", []).extend(
            gettext("Exemption %(n)s: %(problem)s") % {"n": n, "problem": p} for p in problems
        )
    return {k: v for k, v in out.items() if v}


ABBREVIATIONS_CACHE_KEY = "motcua.catalog.search.abbreviations"
VOCABULARY_CACHE_KEY = "motcua.catalog.search.vocabulary"
SEARCH_CACHE_SECONDS = 3600


def search_caches_forget(*keys: str) -> None:
    """Drop the search's cached words or abbreviations once the transaction commits."""
    transaction.on_commit(lambda: cache.delete_many(list(keys)))


def procedure_search_text(procedure: Procedure) -> str:
    """Return the folded text search matches: name, codes, field and agency names."""
    parts = [
        procedure.name,
        procedure.code,
        procedure.national_code,
        procedure.field.name,
        procedure.agency.name,
        procedure.agency.short_name,
    ]
    return fold(" ".join(p for p in parts if p))


def _sync_from_version(procedure: Procedure, version: ProcedureVersion) -> None:
    procedure.current_version = version
    procedure.name = version.name
    procedure.processing_time_value = version.processing_time_value
    procedure.processing_time_unit = version.processing_time_unit
    procedure.search_text = procedure_search_text(procedure)
    search_caches_forget(VOCABULARY_CACHE_KEY)
    procedure.save(
        update_fields=[
            "current_version",
            "name",
            "processing_time_value",
            "processing_time_unit",
            "search_text",
        ]
    )


@transaction.atomic
def procedure_publish_version(
    *,
    procedure: Procedure,
    name: str,
    processing_time_value: Decimal | int | str,
    processing_time_unit: str = TimeUnit.WORKING_DAYS,
    processing_time_note: str = "",
    same_day_cutoff_applies: bool = False,
    fee_note: str = "",
    legal_basis: str = "",
    requirements: str = "",
    result_name: str = "",
    steps: Sequence[str] = (),
    applicants: str = "",
    components: Sequence[ComponentSpec] = (),
    fees: Sequence[FeeSpec] = (),
    fee_exemptions: Sequence[FeeExemptionSpec] = (),
    processing_cases: Sequence[ProcessingCaseSpec] = (),
    eform: list[dict[str, Any]] | None = None,
    actor: Any = None,
) -> ProcedureVersion:
    """Publish a new immutable version of ``procedure`` and make it current.

    Locks the procedure row (``select_for_update``) so two publications get
    numbers n+1 and n+2. The procedure's name, processing time and search
    text follow the new version; older versions stay as they were.
    ``processing_cases`` are the cases with a legal time of their own, in
    order (the version's time is the ordinary case); ``steps`` the steps an
    applicant follows (trình tự thực hiện), in order, and ``applicants`` who may
    apply (đối tượng thực hiện). Writes an audit entry (by
    ``actor``; None: the system) with the content of the version it replaces
    and of the new one.
    """
    content = VersionContent(
        name=name.strip(),
        processing_time_value=Decimal(str(processing_time_value)),
        processing_time_unit=processing_time_unit,
        processing_time_note=processing_time_note,
        same_day_cutoff_applies=same_day_cutoff_applies,
        fee_note=fee_note,
        legal_basis=legal_basis,
        requirements=requirements,
        result_name=result_name,
        steps=tuple(s.strip() for s in steps if s.strip()),
        applicants=applicants.strip(),
        components=tuple(components),
        fees=tuple(fees),
        fee_exemptions=tuple(fee_exemptions),
        processing_cases=tuple(processing_cases),
        eform=list(eform or []),
    )
    _check_content(content)
    locked = (
        Procedure.objects.select_for_update().select_related("agency", "field").get(pk=procedure.pk)
    )
    previous = locked.current_version
    before = version_snapshot(previous) if previous is not None else None
    last = locked.versions.aggregate(last=Max("number"))["last"] or 0
    version = ProcedureVersion.objects.create(
        procedure=locked,
        number=last + 1,
        name=content.name,
        processing_time_value=content.processing_time_value,
        processing_time_unit=content.processing_time_unit,
        processing_time_note=content.processing_time_note,
        same_day_cutoff_applies=content.same_day_cutoff_applies,
        fee_note=content.fee_note,
        legal_basis=content.legal_basis,
        requirements=content.requirements,
        result_name=content.result_name,
        steps=list(content.steps),
        applicants=content.applicants,
        eform=content.eform,
    )
    Component.objects.bulk_create(
        Component(
            version=version,
            order=order,
            name=c.name,
            originals=c.originals,
            copies=c.copies,
            is_required=c.is_required,
            reusable=c.reusable,
            template_name=c.template_name,
        )
        for order, c in enumerate(content.components, start=1)
    )
    Fee.objects.bulk_create(
        Fee(
            version=version,
            code=f.code,
            kind=f.kind,
            name=f.name,
            basis=f.basis,
            amount=f.amount,
            tiers=tiers_to_json(f.tiers),
            cap=f.cap,
            due=f.due,
            quantity_source=f.quantity_source,
            copies_field=f.copies_field,
            pages_field=f.pages_field,
            legal_basis=f.legal_basis,
            note=f.note,
        )
        for f in content.fees
    )
    FeeExemption.objects.bulk_create(
        FeeExemption(
            version=version,
            code=e.code,
            name=e.name,
            fee_codes=", ".join(e.fee_codes),
            trigger=e.trigger,
            channel=e.channel,
            percent=e.percent,
            proof=e.proof,
            legal_basis=e.legal_basis,
            valid_from=e.valid_from,
            valid_until=e.valid_until,
        )
        for e in content.fee_exemptions
    )
    ProcessingCase.objects.bulk_create(
        ProcessingCase(
            version=version,
            order=order,
            code=c.code,
            name=c.name,
            processing_time_value=Decimal(str(c.processing_time_value)),
            processing_time_unit=c.processing_time_unit,
            note=c.note,
            legal_basis=c.legal_basis,
        )
        for order, c in enumerate(content.processing_cases, start=1)
    )
    _sync_from_version(locked, version)
    audit_record(
        action="procedure.publish_version",
        target=version,
        actor=actor,
        before=before,
        after={"number": version.number, **content_snapshot(content)},
    )
    procedure.refresh_from_db()
    return version


def procedure_publish_content(
    *, procedure: Procedure, content: VersionContent, actor: Any = None
) -> ProcedureVersion:
    """Publish ``content`` as the next version of ``procedure`` (by ``actor``; None: the system)."""
    return procedure_publish_version(
        procedure=procedure,
        name=content.name,
        processing_time_value=content.processing_time_value,
        processing_time_unit=content.processing_time_unit,
        processing_time_note=content.processing_time_note,
        same_day_cutoff_applies=content.same_day_cutoff_applies,
        fee_note=content.fee_note,
        legal_basis=content.legal_basis,
        requirements=content.requirements,
        result_name=content.result_name,
        steps=content.steps,
        applicants=content.applicants,
        components=content.components,
        fees=content.fees,
        fee_exemptions=content.fee_exemptions,
        processing_cases=content.processing_cases,
        eform=content.eform,
        actor=actor,
    )


def version_is_in_use(version: ProcedureVersion) -> bool:
    """Return whether anything outside the catalogue (a dossier, ...) points at ``version``.

    The catalogue does not import the apps built on it: it asks every reverse
    relation that is not one of its own (components, fees, cases, ...).
    """
    for relation in ProcedureVersion._meta.related_objects:
        if relation.related_model._meta.app_label == ProcedureVersion._meta.app_label:
            continue
        accessor = relation.get_accessor_name()
        if accessor and getattr(version, accessor).exists():
            return True
    return False


@transaction.atomic
def procedure_version_revise(
    *, version: ProcedureVersion, actor: Any = None, before: dict[str, Any] | None = None
) -> ProcedureVersion:
    """Save edits made to a version no dossier uses yet (admin corrections of a typo).

    Locks the version row; raises ``Conflict`` when a dossier already uses
    it: the change must then be published as a new version. ``version``
    carries the edited fields; its components, fees, exemptions and cases
    are read as stored, so save edited rows first, in the same transaction, and pass
    ``before`` (``version_snapshot`` taken before them) for the audit entry.
    """
    stored = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if version_is_in_use(version):
        raise Conflict(VERSION_IN_USE)
    if before is None:
        before = version_snapshot(stored)
    content = version_content(version)
    _check_content(content)
    version.save()
    after = {"number": version.number, **content_snapshot(content)}
    if after != before:
        audit_record(
            action="procedure_version.revise",
            target=version,
            actor=actor,
            before=before,
            after=after,
        )
    procedure = Procedure.objects.select_related("agency", "field").get(pk=version.procedure_id)
    if procedure.current_version_id == version.pk:
        _sync_from_version(procedure, version)
    return version


def _check_identity(
    *, code: str, national_code: str, name: str, level: str, online_level: str
) -> None:
    errors: dict[str, list[Any]] = {}
    if not code.strip():
        errors["code"] = [_("Enter the procedure's local code.")]
    if not national_code.strip():
        errors["national_code"] = [_("Enter the procedure's national code.")]
    if not name.strip():
        errors["name"] = [NAME_REQUIRED]
    if level not in GovernmentLevel.values:
        errors["level"] = [_("Unknown level of government.")]
    if online_level not in OnlineLevel.values:
        errors["online_level"] = [_("Unknown online level.")]
    if errors:
        raise ValidationFailed(_("The procedure is not valid."), field_errors=errors)


@transaction.atomic
def procedure_create(
    *,
    code: str,
    national_code: str,
    name: str,
    field: Field,
    agency: Agency,
    level: str,
    online_level: str = OnlineLevel.NONE,
    legacy_online_level: int | None = None,
    accepts_counter: bool = True,
    accepts_online: bool = False,
    accepts_post: bool = False,
    returns_by_post: bool = True,
    boundary_free: bool = True,
    is_published: bool = True,
    actor: Any = None,
    history_source: str = ProvisionSource.CATALOG,
) -> Procedure:
    """Create a procedure's identity; it has no content until a version is published.

    Writes an audit entry (by ``actor``; None: the system) and begins the
    procedure's history (``catalog.history``) from today, marked as coming
    from ``history_source``.
    """
    _check_identity(
        code=code, national_code=national_code, name=name, level=level, online_level=online_level
    )
    if Procedure.objects.filter(code=code).exists():
        raise Conflict(_("A procedure with this code already exists."))
    procedure = Procedure(
        code=code.strip(),
        national_code=national_code.strip(),
        name=name.strip(),
        field=field,
        agency=agency,
        level=level,
        online_level=online_level,
        legacy_online_level=legacy_online_level,
        accepts_counter=accepts_counter,
        accepts_online=accepts_online,
        accepts_post=accepts_post,
        returns_by_post=returns_by_post,
        boundary_free=boundary_free,
        is_published=is_published,
    )
    procedure.search_text = procedure_search_text(procedure)
    procedure.save()
    search_caches_forget(VOCABULARY_CACHE_KEY)
    audit_record(
        action="procedure.create",
        target=procedure,
        actor=actor,
        after=snapshot(procedure, ("code", "name", *IDENTITY_FIELDS)),
    )
    procedure_provision_record(procedure=procedure, source=history_source, actor=actor)
    return procedure


IDENTITY_FIELDS = (
    "national_code",
    "field",
    "agency",
    "level",
    "online_level",
    "legacy_online_level",
    "accepts_counter",
    "accepts_online",
    "accepts_post",
    "returns_by_post",
    "boundary_free",
    "is_published",
)
# The identity fields the catalogue's history (``catalog.history``) keeps by date.
PROVISION_FIELDS = frozenset(
    {"agency", "level", "online_level", "legacy_online_level", "is_published"}
)


@transaction.atomic
def procedure_update(*, procedure: Procedure, actor: Any = None, **changes: Any) -> list[str]:
    """Change identity fields of ``procedure`` (not its content); return the changed names.

    Locks the procedure row. Accepts the keys of ``IDENTITY_FIELDS``; the name
    and processing time follow the current version and change by publishing.
    A change writes an audit entry with the changed fields before and after;
    a change of agency, level, online level or publication is also written to
    the procedure's history from today.
    """
    unknown = set(changes) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValueError(f"not identity fields: {sorted(unknown)}")
    locked = (
        Procedure.objects.select_for_update().select_related("agency", "field").get(pk=procedure.pk)
    )
    changed = [k for k, v in changes.items() if getattr(locked, k) != v]
    if not changed:
        return []
    before = snapshot(locked, changed)
    for key in changed:
        setattr(locked, key, changes[key])
    _check_identity(
        code=locked.code,
        national_code=locked.national_code,
        name=locked.name,
        level=locked.level,
        online_level=locked.online_level,
    )
    locked.search_text = procedure_search_text(locked)
    search_caches_forget(VOCABULARY_CACHE_KEY)
    locked.save()
    audit_record(
        action="procedure.update",
        target=locked,
        actor=actor,
        before=before,
        after=snapshot(locked, changed),
    )
    if PROVISION_FIELDS.intersection(changed):
        procedure_provision_record(procedure=locked, actor=actor)
    procedure.refresh_from_db()
    return changed


@transaction.atomic
def field_upsert(*, code: str, name: str) -> Field:
    """Create the field ``code`` or rename it to ``name`` (refreshing its procedures' search)."""
    obj = Field.objects.select_for_update().filter(code=code).first()
    if obj is None:
        return Field.objects.create(code=code, name=name)
    if obj.name != name:
        obj.name = name
        obj.save(update_fields=["name"])
        procedures_refresh_search_text(field=obj)
    return obj


@transaction.atomic
def procedures_refresh_search_text(
    *, agency: Agency | None = None, field: Field | None = None
) -> int:
    """Recompute the search text of the procedures of ``agency`` and/or ``field``.

    Call it after renaming an agency: the organisation app does not know
    about the catalogue built on it. Returns the number of procedures updated.
    """
    procedures = Procedure.objects.select_related("agency", "field")
    if agency is not None:
        procedures = procedures.filter(agency=agency)
    if field is not None:
        procedures = procedures.filter(field=field)
    changed = []
    for procedure in procedures:
        text = procedure_search_text(procedure)
        if text != procedure.search_text:
            procedure.search_text = text
            changed.append(procedure)
    Procedure.objects.bulk_update(changed, ["search_text"], batch_size=500)
    if changed:
        search_caches_forget(VOCABULARY_CACHE_KEY)
    return len(changed)


@transaction.atomic
def search_abbreviation_save(
    *,
    abbreviation: str,
    expansion: str,
    instance: SearchAbbreviation | None = None,
    actor: Any = None,
) -> SearchAbbreviation:
    """Add an abbreviation the search understands, or change ``instance``; audited.

    The abbreviation is kept as typed ("ĐKKD") and matched folded ("dkkd");
    raises ``ValidationFailed`` for an empty or spaced one, an empty
    expansion, or one already defined.
    """
    abbreviation, expansion = abbreviation.strip(), " ".join(expansion.split())
    key = fold(abbreviation)
    if not key or not key.isalnum() or not fold(expansion):
        raise ValidationFailed(
            ABBREVIATION_INVALID, field_errors={"abbreviation": [ABBREVIATION_INVALID]}
        )
    taken = SearchAbbreviation.objects.filter(key=key)
    if instance is not None and instance.pk is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        raise ValidationFailed(
            ABBREVIATION_TAKEN, field_errors={"abbreviation": [ABBREVIATION_TAKEN]}
        )
    row = instance or SearchAbbreviation()
    before = {"abbreviation": row.abbreviation, "expansion": row.expansion} if row.pk else None
    row.abbreviation, row.key, row.expansion = abbreviation, key, expansion
    row.save()
    search_caches_forget(ABBREVIATIONS_CACHE_KEY)
    audit_record(
        action="search_abbreviation.save",
        target=row,
        actor=actor,
        before=before,
        after={"abbreviation": abbreviation, "expansion": expansion},
    )
    return row


@transaction.atomic
def search_abbreviation_delete(*, instance: SearchAbbreviation, actor: Any = None) -> None:
    """Remove an abbreviation from the search; audited."""
    audit_record(
        action="search_abbreviation.delete",
        target=instance,
        actor=actor,
        before={"abbreviation": instance.abbreviation, "expansion": instance.expansion},
        after=None,
    )
    instance.delete()
    search_caches_forget(ABBREVIATIONS_CACHE_KEY)
