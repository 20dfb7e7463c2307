"""Writes on dossiers: submission and the allocation of dossier codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from motcua.calendar import selectors as calendar
from motcua.catalog.eforms import eform_cleaned_json, eform_form_class
from motcua.catalog.models import Component, OnlineLevel, Procedure, ProcedureVersion, TimeUnit
from motcua.core.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from motcua.core.text import fold
from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel

from .models import (
    ApplicantKind,
    Channel,
    Delivery,
    Dossier,
    DossierCodeSequence,
    DossierComponent,
    DossierEvent,
    DossierFile,
    EventKind,
    Status,
)

logger = logging.getLogger(__name__)
if TYPE_CHECKING:
    Upload = UploadedFile[Any]
else:
    Upload = UploadedFile

PROCEDURE_NOT_FOUND = _("No published procedure has this code.")
NOT_ONLINE = _("This procedure is not offered online; submit it at a one-stop counter.")
INVALID_SUBMISSION = _("The dossier was not submitted: please correct the fields shown.")
REQUIRED = _("This field is required.")
TOO_LONG = _("This value is too long.")
BAD_ID_NUMBER = _("Enter the 12 digits of a citizen identity number.")
BAD_PHONE = _("Enter a Vietnamese phone number, e.g. 0905123456.")
BAD_EMAIL = _("Enter a valid e-mail address.")
BAD_CHOICE = _("Choose one of the options offered.")
DELIVERY_NOT_OFFERED = _("This procedure does not return its result this way.")
ADDRESS_FOR_POST = _("Enter the address the post should deliver the result to.")
COMPONENT_MISSING = _("Attach this document.")
UNKNOWN_COMPONENT = _("This document is not part of the procedure.")
BAD_FILE_TYPE = _("Only PDF, JPEG and PNG files are accepted (checked by content, not by name).")
EMPTY_FILE = _("The file is empty.")
TOO_MANY_FILES = _("Too many files: at most {max} per dossier.")
FILE_TOO_LARGE = _("A file is too large: at most {max} MB per file.")
KEY_REUSED = _("This Idempotency-Key was already used for a different submission.")
NO_RECEIVING_UNIT = _("No one-stop unit is configured to receive this dossier.")

# Stored on the public timeline: a role, never a person (in Vietnamese, as printed).
ACTOR_BY_CHANNEL = {
    Channel.ONLINE: "Người nộp hồ sơ trực tuyến",
    Channel.COUNTER: "Bộ phận Một cửa",
    Channel.POST: "Nhân viên bưu chính công ích",
}
# Province codes that open a citizen identity number (Circular 07/2016/TT-BCA, the 63
# provinces of before the 2025 merger: numbers issued then stay valid).
# fmt: off
PROVINCE_PREFIXES = frozenset(
    f"{n:03d}"
    for n in (
        1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34,
        35, 36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67,
        68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
    )
)
# fmt: on
_ID_NUMBER = re.compile(r"^\d{12}$")
_PHONE = re.compile(r"^(?:0|\+?84)(?:\d{9}|\d{10})$")
_PHONE_NOISE = re.compile(r"[\s.\-()]")
_SNIFF_BYTES = 2048


@dataclass(frozen=True)
class SubmitResult:
    """The dossier of a submission, and whether this call created it (False on a retry)."""

    dossier: Dossier
    created: bool


@dataclass(frozen=True)
class _CheckedFile:
    component: Component
    upload: Upload
    content_type: str
    extension: str
    sha256: str
    size: int


@dataclass(frozen=True)
class _Applicant:
    kind: str
    name: str
    id_number: str
    phone: str
    email: str
    address: str


def dossier_code_allocate(*, unit: Agency, day: dt.date) -> str:
    """Return the next dossier code of ``unit`` on ``day``: ``<unit code>-YYMMDD-NNNN``.

    Locks the unit's counter row for the day (``SELECT ... FOR UPDATE`` on
    ``DossierCodeSequence``) until the caller's transaction ends, so concurrent
    submissions queue on it and a number is never given twice; the row is
    inserted first with ``ON CONFLICT DO NOTHING`` so two first-of-the-day
    submissions cannot both create it. A rolled-back submission rolls the
    counter back with it, so no issued code is ever reused. Must run inside a
    transaction. The number is also the entry number of the day's register
    (``dossier_register_number``).
    """
    DossierCodeSequence.objects.bulk_create(
        [DossierCodeSequence(unit_code=unit.code, day=day)], ignore_conflicts=True
    )
    sequence = DossierCodeSequence.objects.select_for_update().get(unit_code=unit.code, day=day)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{unit.code}-{day:%y%m%d}-{sequence.last_number:04d}"


def dossier_register_number(code: str) -> int:
    """Return the daily sequence number of a dossier code (its register entry number)."""
    return int(code.rsplit("-", 1)[1])


def dossier_submit(
    *,
    procedure_code: str,
    data: Mapping[str, Any],
    files: Mapping[str, Sequence[Upload]],
    channel: Channel = Channel.ONLINE,
    receiving_unit: Agency | None = None,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> SubmitResult:
    """Submit a dossier for a published procedure, with its e-form data and files.

    Everything is validated before anything is written, and every problem is
    reported at once, keyed by input name. The dossier, its components, files
    and first timeline entry are written in one transaction that holds the lock
    of the receiving unit's daily code counter; files written before a failure
    are deleted. A repeated ``idempotency_key`` returns the first dossier.
    """
    now = now or timezone.now()
    procedure = _procedure(procedure_code)
    version = procedure.current_version
    assert version is not None  # noqa: S101 - _procedure only returns versioned procedures
    if channel == Channel.ONLINE and not _offered_online(procedure):
        raise ValidationFailed(NOT_ONLINE, field_errors={"procedure": [NOT_ONLINE]})

    errors: dict[str, list[Any]] = {}
    applicant = _check_applicant(data, errors)
    delivery, delivery_address = _check_delivery(procedure, data, errors)
    form_data = _check_eform(version, data, errors)
    checked_files = _check_files(version, files, errors)
    if errors:
        raise ValidationFailed(INVALID_SUBMISSION, field_errors=errors)

    fingerprint = _fingerprint(
        procedure, channel, applicant, delivery, delivery_address, form_data, checked_files
    )
    if idempotency_key:
        replay = _replay(idempotency_key, fingerprint)
        if replay is not None:
            return replay

    unit = receiving_unit or _receiving_unit(procedure)
    due_at = _due_at(version, now)
    written: list[str] = []
    try:
        # Files go to storage before the transaction so the code counter's lock is held
        # only for a few inserts; on any failure below they are deleted again.
        stored = _write_files(checked_files, written)
        with transaction.atomic():
            code = dossier_code_allocate(unit=unit, day=timezone.localdate(now))
            dossier = Dossier.objects.create(
                code=code,
                register_number=dossier_register_number(code),
                procedure=procedure,
                procedure_version=version,
                receiving_unit=unit,
                competent_agency_id=procedure.agency_id,
                channel=channel,
                delivery=delivery,
                delivery_address=delivery_address,
                status=Status.NEW,
                applicant_kind=applicant.kind,
                applicant_name=applicant.name,
                applicant_id_number=applicant.id_number,
                applicant_phone=applicant.phone,
                applicant_email=applicant.email,
                applicant_address=applicant.address,
                applicant_search=fold(applicant.name),
                form_data=form_data,
                submitted_at=now,
                received_at=now,
                due_at=due_at,
                idempotency_key=idempotency_key or None,
                request_fingerprint=fingerprint,
            )
            _record_components(dossier, stored)
            DossierEvent.objects.create(
                dossier=dossier,
                at=now,
                kind=EventKind.SUBMITTED,
                actor_label=ACTOR_BY_CHANNEL[Channel(channel)],
                to_status=Status.NEW,
            )
    except IntegrityError:
        _delete_files(written)
        # Two retries of one submission raced past _replay: the loser returns the winner's dossier.
        if idempotency_key:
            replay = _replay(idempotency_key, fingerprint)
            if replay is not None:
                return replay
        raise
    except BaseException:
        _delete_files(written)
        raise
    return SubmitResult(dossier=dossier, created=True)


def _procedure(code: str) -> Procedure:
    procedure = (
        Procedure.objects.select_related("current_version", "agency")
        .filter(code=code.strip(), is_published=True, current_version__isnull=False)
        .first()
    )
    if procedure is None:
        raise NotFound(PROCEDURE_NOT_FOUND, field_errors={"procedure": [PROCEDURE_NOT_FOUND]})
    return procedure


def _offered_online(procedure: Procedure) -> bool:
    return procedure.accepts_online and procedure.online_level != OnlineLevel.NONE


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()


def _required(
    data: Mapping[str, Any], name: str, max_length: int, errors: dict[str, list[Any]]
) -> str:
    value = _text(data, name)
    if not value:
        errors[name] = [REQUIRED]
    elif len(value) > max_length:
        errors[name] = [TOO_LONG]
    return value


def _check_applicant(data: Mapping[str, Any], errors: dict[str, list[Any]]) -> _Applicant:
    kind = _text(data, "applicant_kind") or ApplicantKind.PERSON
    if kind not in ApplicantKind.values:
        errors["applicant_kind"] = [BAD_CHOICE]
    name = _required(data, "applicant_name", 200, errors)
    id_number = _text(data, "applicant_id_number").replace(" ", "")
    if not id_number:
        errors["applicant_id_number"] = [REQUIRED]
    elif not valid_id_number(id_number):
        errors["applicant_id_number"] = [BAD_ID_NUMBER]
    phone = _PHONE_NOISE.sub("", _text(data, "applicant_phone"))
    if not phone:
        errors["applicant_phone"] = [REQUIRED]
    elif not _PHONE.match(phone):
        errors["applicant_phone"] = [BAD_PHONE]
    email = _text(data, "applicant_email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["applicant_email"] = [BAD_EMAIL]
    address = _required(data, "applicant_address", 500, errors)
    return _Applicant(kind, name, id_number, phone, email, address)


def valid_id_number(value: str) -> bool:
    """Tell whether ``value`` has the shape of a 12-digit citizen identity number.

    Digits 1-3 are the province of birth registration, digit 4 the century and
    sex (0-3 for people born 1900-2099).
    """
    return bool(_ID_NUMBER.match(value)) and value[:3] in PROVINCE_PREFIXES and value[3] in "0123"


def _check_delivery(
    procedure: Procedure, data: Mapping[str, Any], errors: dict[str, list[Any]]
) -> tuple[str, str]:
    delivery = _text(data, "delivery") or Delivery.COUNTER
    address = _text(data, "delivery_address")
    if delivery not in Delivery.values:
        errors["delivery"] = [BAD_CHOICE]
    elif (delivery == Delivery.POST and not procedure.returns_by_post) or (
        delivery == Delivery.ONLINE and procedure.online_level != OnlineLevel.FULL
    ):
        errors["delivery"] = [DELIVERY_NOT_OFFERED]
    elif delivery == Delivery.POST and not address:
        errors["delivery_address"] = [ADDRESS_FOR_POST]
    if len(address) > 500:
        errors["delivery_address"] = [TOO_LONG]
    return delivery, address if delivery == Delivery.POST else ""


def _check_eform(
    version: ProcedureVersion, data: Mapping[str, Any], errors: dict[str, list[Any]]
) -> dict[str, Any]:
    form = eform_form_class(version.eform)(data=data, prefix="eform")
    if not form.is_valid():
        for name, messages in form.errors.items():
            errors[f"eform-{name}"] = list(messages)
        return {}
    return eform_cleaned_json(form)


def _check_files(
    version: ProcedureVersion,
    files: Mapping[str, Sequence[Upload]],
    errors: dict[str, list[Any]],
) -> list[_CheckedFile]:
    """Check count, size and content type of every file, hashing each as it is read."""
    components = {f"component-{c.pk}": c for c in version.components.all()}
    total = sum(len(group) for group in files.values())
    max_files: int = settings.MOTCUA_MAX_FILES
    if total > max_files:
        raise PayloadTooLarge(format_lazy(TOO_MANY_FILES, max=max_files))
    max_size: int = settings.MOTCUA_MAX_FILE_SIZE
    checked: list[_CheckedFile] = []
    for key, group in files.items():
        component = components.get(key)
        if component is None:
            errors[key] = [UNKNOWN_COMPONENT]
            continue
        for upload in group:
            if (upload.size or 0) > max_size:
                raise PayloadTooLarge(
                    format_lazy(FILE_TOO_LARGE, max=max_size // (1024 * 1024)),
                    field_errors={key: [format_lazy(FILE_TOO_LARGE, max=max_size // 2**20)]},
                )
            result = _sniff_and_hash(upload)
            if result is None:
                errors[key] = [EMPTY_FILE]
                continue
            mime, extension, digest, size = result
            if mime not in settings.MOTCUA_ALLOWED_FILE_TYPES:
                errors[key] = [BAD_FILE_TYPE]
                continue
            checked.append(_CheckedFile(component, upload, mime, extension, digest, size))
    for key, component in components.items():
        if component.is_required and not files.get(key) and key not in errors:
            errors[key] = [COMPONENT_MISSING]
    return checked


def _sniff_and_hash(upload: Upload) -> tuple[str, str, str, int] | None:
    """Return (content type, extension, SHA-256, size) of ``upload``, or None if it is empty."""
    digest = hashlib.sha256()
    head = b""
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < _SNIFF_BYTES:
            head += chunk[: _SNIFF_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    if size == 0:
        return None
    kind = filetype.guess(head)
    if kind is None:
        return ("application/octet-stream", "bin", digest.hexdigest(), size)
    return (str(kind.mime), str(kind.extension), digest.hexdigest(), size)


def _fingerprint(
    procedure: Procedure,
    channel: int,
    applicant: _Applicant,
    delivery: str,
    delivery_address: str,
    form_data: dict[str, Any],
    checked_files: list[_CheckedFile],
) -> str:
    payload = {
        "procedure": procedure.code,
        "channel": int(channel),
        "applicant": applicant.__dict__,
        "delivery": [delivery, delivery_address],
        "form": form_data,
        "files": sorted((f.component.pk, f.sha256) for f in checked_files),
    }
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _replay(key: str, fingerprint: str) -> SubmitResult | None:
    first = Dossier.objects.filter(idempotency_key=key).first()
    if first is None:
        return None
    if first.request_fingerprint != fingerprint:
        raise Conflict(KEY_REUSED, field_errors={"idempotency_key": [KEY_REUSED]})
    return SubmitResult(dossier=first, created=False)


def _receiving_unit(procedure: Procedure) -> Agency:
    """Pick the one-stop unit that logs an online dossier for ``procedure``.

    A commune procedure goes to the one-stop unit of the competent agency's
    commune; everything else to the provincial service centre. Routing to the
    deciding agency is separate (``competent_agency``): boundary-free intake.
    """
    units = Agency.objects.filter(is_one_stop_unit=True, is_active=True)
    unit = None
    if procedure.level == GovernmentLevel.COMMUNE:
        unit = (
            units.filter(administrative_unit_id=procedure.agency.administrative_unit_id)
            .order_by("id")
            .first()
        )
    unit = (
        unit
        or units.filter(kind=AgencyKind.SERVICE_CENTRE, level=GovernmentLevel.PROVINCE)
        .order_by("id")
        .first()
    )
    unit = unit or units.order_by("id").first()
    if unit is None:
        raise ValidationFailed(NO_RECEIVING_UNIT)
    return unit


def _due_at(version: ProcedureVersion, start: dt.datetime) -> dt.datetime:
    """Return the appointment time for a dossier received at ``start`` under ``version``."""
    if version.processing_time_unit == TimeUnit.WORKING_HOURS:
        return calendar.due_date(start=start, working_hours=version.processing_time_value).due_at
    return calendar.due_date(start=start, working_days=version.processing_time_value).due_at


def _write_files(
    checked_files: list[_CheckedFile], written: list[str]
) -> list[tuple[_CheckedFile, str]]:
    """Store each checked file under a random name, noting each name in ``written``."""
    stored = []
    for checked in checked_files:
        name = default_storage.save(
            f"dossiers/{timezone.now():%Y/%m/%d}/{uuid.uuid4().hex}.{checked.extension}",
            checked.upload,
        )
        written.append(name)
        stored.append((checked, name))
    return stored


def _record_components(dossier: Dossier, stored: list[tuple[_CheckedFile, str]]) -> None:
    """Record the components the applicant attached, and their stored files."""
    by_component: dict[int, list[tuple[_CheckedFile, str]]] = {}
    for checked, name in stored:
        by_component.setdefault(checked.component.pk, []).append((checked, name))
    components = [c for c in dossier.procedure_version.components.all() if c.pk in by_component]
    rows = DossierComponent.objects.bulk_create(
        DossierComponent(
            dossier=dossier,
            component=c,
            name=c.name,
            originals=c.originals,
            copies=c.copies,
            is_digitised=True,
        )
        for c in components
    )
    DossierFile.objects.bulk_create(
        DossierFile(
            component=row,
            file=name,
            original_name=(checked.upload.name or "")[:255],
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        for row in rows
        for checked, name in by_component[row.component_id or 0]
    )


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - nothing more we can do; say so in the log
            logger.exception("could not delete %s after a failed submission", name)
