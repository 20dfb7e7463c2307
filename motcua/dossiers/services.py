"""Writes on dossiers: submission, dossier codes, register entries, numbers of documents."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.calendar import selectors as calendar
from motcua.catalog.eforms import eform_cleaned_json, eform_form_class
from motcua.catalog.fees import FeeQuote
from motcua.catalog.models import Component, OnlineLevel, Procedure, ProcedureVersion, TimeUnit
from motcua.catalog.selectors import case_time
from motcua.core.counters import counter_next
from motcua.core.errors import Conflict, NotFound, ValidationFailed
from motcua.core.text import fold
from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel
from motcua.outbox.preferences import MessageChoice, message_choice_read
from motcua.outbox.services import message_preference_first, messages_for_event

from .fees import fee_claims_fingerprint, fee_lines_insert, fee_quote_checked
from .files import (
    BAD_FILE_TYPE,
    COMPONENT_MISSING,
    EMPTY_FILE,
    FILE_TOO_LARGE,
    TOO_MANY_FILES,
    UNKNOWN_COMPONENT,
    CheckedFile,
    Upload,
    check_component_files,
    files_stored,
)
from .models import (
    ApplicantKind,
    Channel,
    Delivery,
    Dossier,
    DossierAccess,
    DossierCodeSequence,
    DossierComponent,
    DossierEvent,
    DossierFile,
    EventKind,
    OfficialKind,
    OfficialNumberSequence,
    PendingUpload,
    RegisterBook,
    Status,
)
from .uploads import Keeping, kept_on_failure, pending_uploads_claim

logger = logging.getLogger(__name__)
__all__ = [
    "BAD_FILE_TYPE",
    "COMPONENT_MISSING",
    "EMPTY_FILE",
    "FILE_TOO_LARGE",
    "TOO_MANY_FILES",
    "UNKNOWN_COMPONENT",
    "Upload",
]

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
KEY_REUSED = _("This Idempotency-Key was already used for a different submission.")
NO_RECEIVING_UNIT = _("No one-stop unit is configured to receive this dossier.")
NOT_AT_COUNTER = _("This procedure is not received at the counter.")
NOT_BY_POST = _("The public postal service may not carry dossiers of this procedure.")
BAD_COUNT = _("Enter counts of originals and copies between 0 and 99.")
UNKNOWN_DOCUMENT_KIND = _("Unknown kind of document.")
NOTHING_RECEIVED = _("Enter how many originals or copies were received, or attach the scan.")
MAX_PAPERS = 99

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


@dataclass(frozen=True)
class SubmitResult:
    """The dossier of a submission, and whether this call created it (False on a retry)."""

    dossier: Dossier
    created: bool


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

    One statement takes the next number of the unit's counter row for the
    day (``counter_next``: created at 1, else incremented) and keeps the row
    locked until the caller's transaction ends, so concurrent submissions
    queue on it and a number is never given twice. A rolled-back submission
    rolls the counter back with it, so no issued code is ever reused. Must run
    inside a transaction.
    """
    _pk, number = counter_next(
        DossierCodeSequence, keys={"unit_code": unit.code, "day": day}, field="last_number"
    )
    return f"{unit.code}-{day:%y%m%d}-{number:04d}"


def dossier_register_entry(*, dossier: Dossier, at: dt.datetime, save: bool = True) -> Dossier:
    """Enter an accepted ``dossier`` in its receiving unit's register book of ``at``'s year.

    The dossier gets the book's next entry number (form 07; printed on the
    receipt), taken in one statement from the book's row (``counter_next``:
    created if missing) which stays locked until the caller's transaction
    ends, so concurrent acceptances queue on it: numbers run from 1 in each
    book, are never given twice, and a rolled-back acceptance rolls its
    number back with it. A dossier already entered keeps its entry. Must run
    inside the acceptance's transaction (it opens one otherwise), with the
    dossier row locked; without ``save`` the caller saves the dossier.
    """
    if dossier.register_book_id is not None:
        return dossier
    year = timezone.localdate(at).year
    with transaction.atomic(savepoint=False):
        book_id, entry = counter_next(
            RegisterBook,
            keys={"unit_id": dossier.receiving_unit_id, "year": year},
            field="last_entry",
        )
        dossier.register_book_id = book_id
        dossier.register_entry = entry
        if save:
            dossier.save(update_fields=["register_book", "register_entry"])
    return dossier


def official_number_issue(*, agency: Agency, kind: OfficialKind | str, at: dt.datetime) -> str:
    """Issue the next number of ``agency``'s documents of ``kind`` in ``at``'s year.

    Returns the number and notation as printed after "Số:" (Decree
    30/2020/NĐ-CP): the number from 01 each year, then the kind's and the
    agency's abbreviations, ``12/CV-STP``; without a notation configured for
    the agency, ``12/CV``. Takes the number from the sequence row in one
    statement (``counter_next``), which stays locked until the caller's
    transaction ends: numbers are never given twice and a rolled-back caller
    gives its number back. Call it inside the transaction that records the
    document; ValidationFailed for an unknown kind.
    """
    if kind not in OfficialKind.values:
        raise ValidationFailed(
            UNKNOWN_DOCUMENT_KIND, field_errors={"kind": [UNKNOWN_DOCUMENT_KIND]}
        )
    year = timezone.localdate(at).year
    with transaction.atomic(savepoint=False):
        _pk, number = counter_next(
            OfficialNumberSequence,
            keys={"agency_id": agency.pk, "year": year, "kind": str(kind)},
            field="last_number",
        )
    notation = "-".join(part for part in (str(kind), agency.notation.strip()) if part)
    return f"{number:02d}/{notation}"


def dossier_submit(
    *,
    procedure_code: str,
    data: Mapping[str, Any],
    files: Mapping[str, Sequence[Upload]],
    channel: Channel = Channel.ONLINE,
    receiving_unit: Agency | None = None,
    idempotency_key: str | None = None,
    keep_files: bool = False,
    kept: Mapping[str, Sequence[str]] | None = None,
    kept_by_id: int | None = None,
    now: dt.datetime | None = None,
) -> SubmitResult:
    """Submit a dossier for a published procedure, with its e-form data and files.

    Everything is validated before anything is written, and every problem is
    reported at once, keyed by input name. The dossier, its components, files
    and first timeline entry are written in one transaction that holds the lock
    of the receiving unit's daily code counter; files written before a failure
    are deleted. A repeated ``idempotency_key`` returns the first dossier.

    With ``keep_files`` (a page that shows the form again), a submission
    refused with field errors keeps the files that passed their checks and
    raises ``uploads.SubmissionInvalid`` saying what it kept; ``kept`` gives
    back, by component input, the tokens of files kept by an earlier attempt:
    they count as uploaded again, and become the dossier's files without
    being stored again (``dossiers.uploads``). Without it ``kept`` is ignored.
    ``kept_by_id`` is the signed-in applicant's user: only the files kept for
    them count, and the files kept now are theirs.
    """
    now = now or timezone.now()
    procedure = _procedure(procedure_code)
    version = procedure.current_version
    assert version is not None  # noqa: S101 - _procedure only returns versioned procedures
    if channel == Channel.ONLINE and not _offered_online(procedure):
        raise ValidationFailed(NOT_ONLINE, field_errors={"procedure": [NOT_ONLINE]})

    keeping = Keeping(channel=int(channel), kept_by_id=kept_by_id, now=now) if keep_files else None
    with kept_on_failure(keeping):
        reused = keeping.reuse(version, kept or {}) if keeping is not None else {}
        errors: dict[str, list[Any]] = {}
        applicant = _check_applicant(data, errors)
        delivery, delivery_address = _check_delivery(procedure, data, errors)
        choice = message_choice_read(data, errors)  # recorded before the acknowledgement
        form_data = _check_eform(version, data, errors)
        checked_files = check_component_files(
            version, files, errors, kept={key: len(rows) for key, rows in reused.items()}
        )
        if keeping is not None:
            keeping.checked = checked_files
        fees = fee_quote_checked(  # fees: the e-form's counts and the exemptions claimed
            version=version,
            channel=channel,
            data=data,
            form_data=form_data if not any(k.startswith("eform-") for k in errors) else None,
            on=timezone.localdate(now),
            errors=errors,
        )
        if errors:
            raise ValidationFailed(INVALID_SUBMISSION, field_errors=errors)

        fingerprint = _fingerprint(
            procedure,
            channel,
            applicant,
            delivery,
            delivery_address,
            form_data,
            checked_files,
            data,
            [row for rows in reused.values() for row in rows],
            choice,
        )
        if idempotency_key:
            replay = _replay(idempotency_key, fingerprint)
            if replay is not None:
                return replay

        unit = receiving_unit or _receiving_unit(procedure)
        due_at = dossier_due_at(version, now)
        intake_due_at = online_answer_due_at(now) if channel == Channel.ONLINE else None
        try:
            # Files go to storage before the transaction so the code counter's lock is held
            # only for a few inserts; on any failure below they are deleted again.
            with files_stored(checked_files) as stored, transaction.atomic():
                pending_uploads_claim(rows=reused)  # before the counter's lock is taken
                dossier = _dossier_insert(
                    procedure=procedure,
                    version=version,
                    unit=unit,
                    channel=Channel(channel),
                    applicant=applicant,
                    delivery=delivery,
                    delivery_address=delivery_address,
                    now=now,
                    due_at=due_at,
                    form_data=form_data,
                    intake_due_at=intake_due_at,
                    idempotency_key=idempotency_key or None,
                    fingerprint=fingerprint,
                    messages=choice,
                )
                _record_components(dossier, stored, reused)
                fee_lines_insert(dossier=dossier, quote=fees, now=now)
        except IntegrityError:
            # Two retries of one submission raced past _replay: the loser returns the
            # winner's dossier.
            if idempotency_key:
                replay = _replay(idempotency_key, fingerprint)
                if replay is not None:
                    return replay
            raise
    return SubmitResult(dossier=dossier, created=True)


def _dossier_insert(
    *,
    procedure: Procedure,
    version: ProcedureVersion,
    unit: Agency,
    channel: Channel,
    applicant: _Applicant,
    delivery: str,
    delivery_address: str,
    now: dt.datetime,
    due_at: dt.datetime,
    form_data: dict[str, Any] | None = None,
    intake_due_at: dt.datetime | None = None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
    actor: AbstractBaseUser | None = None,
    messages: MessageChoice | None = None,
) -> Dossier:
    """Insert a new dossier (waiting for intake) with its code and first timeline entry.

    Runs in the caller's transaction, which then holds the lock of the unit's
    daily code counter: keep what follows short. The applicant's choice of
    ``messages`` (None: not given, every channel in Vietnamese) is recorded
    before the first message is written, so that message already follows it.
    """
    code = dossier_code_allocate(unit=unit, day=timezone.localdate(now))
    dossier = Dossier.objects.create(
        code=code,
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
        form_data=form_data or {},
        submitted_at=now,
        received_at=now,
        due_at=due_at,
        intake_due_at=intake_due_at,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
    )
    DossierAccess.objects.bulk_create(
        DossierAccess.of(dossier, agency_id)
        for agency_id in dict.fromkeys([unit.pk, procedure.agency_id])
    )
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=now,
        kind=EventKind.SUBMITTED if channel == Channel.ONLINE else EventKind.RECEIVED,
        actor_id=actor.pk if actor is not None else None,
        actor_label=ACTOR_BY_CHANNEL[channel],
        to_status=Status.NEW,
    )
    if messages is not None:
        message_preference_first(dossier=dossier, choice=messages)
    messages_for_event(dossier=dossier, event=event)  # the acknowledgement, in this transaction
    return dossier


@dataclass(frozen=True)
class ReceivedComponent:
    """A component ticked at the counter: its counts of originals and copies, and its scans."""

    component_id: int
    originals: int = 0
    copies: int = 0
    files: Sequence[Upload] = ()
    kept: Sequence[str] = ()  # tokens of scans kept by an earlier attempt (dossiers.uploads)


@dataclass(frozen=True)
class CounterDraft:
    """A counter dossier that passed every check, ready to be stored and recorded."""

    procedure: Procedure
    version: ProcedureVersion
    applicant: _Applicant
    delivery: str
    delivery_address: str
    received: list[tuple[Component, ReceivedComponent]]
    files: list[CheckedFile[Component]]
    missing: list[Component]
    fees: FeeQuote = field(default_factory=FeeQuote)
    kept: Mapping[str, Sequence[PendingUpload]] = field(default_factory=dict)
    messages: MessageChoice | None = None  # what the applicant told the officer
    channel: Channel = Channel.COUNTER  # POST: collected by the post, received at the unit


def counter_dossier_check(
    *,
    procedure_code: str,
    data: Mapping[str, Any],
    received: Sequence[ReceivedComponent],
    keeping: Keeping | None = None,
    channel: Channel = Channel.COUNTER,
) -> CounterDraft:
    """Check a dossier taken at the counter; raise ValidationFailed with every problem at once.

    The applicant and the result delivery are checked as online; each ticked
    component must be one of the procedure's, with at least one paper or one
    scan, and its scans are checked by content. Required components not
    ticked are returned as ``missing`` (form 02 lists them); the e-form is
    not asked at the counter: the paper declaration is one of the components.

    With ``keeping`` (the counter page), scans kept by an earlier attempt
    (``ReceivedComponent.kept``) count as scans, and on field errors the new
    scans that passed their checks are kept (``uploads.SubmissionInvalid``);
    the caller keeps ``keeping`` for its own checks with ``kept_on_failure``.
    ``channel`` POST: a dossier the post collected, received at the unit
    (the procedure must accept the post; fees as for that channel).
    """
    procedure = _procedure(procedure_code)
    version = procedure.current_version
    assert version is not None  # noqa: S101 - _procedure only returns versioned procedures
    if channel == Channel.POST:
        if not procedure.accepts_post:
            raise ValidationFailed(NOT_BY_POST, field_errors={"procedure": [NOT_BY_POST]})
    elif not procedure.accepts_counter:
        raise ValidationFailed(NOT_AT_COUNTER, field_errors={"procedure": [NOT_AT_COUNTER]})
    with kept_on_failure(keeping):
        return _counter_checked(procedure, version, data, received, keeping, channel)


def _counter_checked(
    procedure: Procedure,
    version: ProcedureVersion,
    data: Mapping[str, Any],
    received: Sequence[ReceivedComponent],
    keeping: Keeping | None,
    channel: Channel = Channel.COUNTER,
) -> CounterDraft:
    reused: dict[str, list[PendingUpload]] = {}
    if keeping is not None:
        tokens = {f"component-{i.component_id}": list(i.kept) for i in received if i.kept}
        reused = keeping.reuse(version, tokens)
    errors: dict[str, list[Any]] = {}
    applicant = _check_applicant(data, errors)
    delivery, delivery_address = _check_delivery(procedure, data, errors)
    choice = message_choice_read(data, errors)
    components = {c.pk: c for c in version.components.all()}
    ticked: list[tuple[Component, ReceivedComponent]] = []
    files: dict[str, list[Upload]] = {}
    for item in received:
        key = f"component-{item.component_id}"
        component = components.get(item.component_id)
        if component is None:
            errors[key] = [UNKNOWN_COMPONENT]
        elif not (0 <= item.originals <= MAX_PAPERS and 0 <= item.copies <= MAX_PAPERS):
            errors[key] = [BAD_COUNT]
        elif item.originals + item.copies == 0 and not item.files and key not in reused:
            errors[key] = [NOTHING_RECEIVED]
        else:
            ticked.append((component, item))
            if item.files:
                files[key] = list(item.files)
    checked = check_component_files(
        version,
        files,
        errors,
        require_all=False,
        kept={key: len(rows) for key, rows in reused.items()},
    )
    if keeping is not None:
        keeping.checked = checked
    fees = fee_quote_checked(  # fees: the officer's counts (fee_qty-<name>) and the claims
        version=version,
        channel=channel,
        data=data,
        form_data={},
        on=timezone.localdate(),
        errors=errors,
        at_counter=True,
    )
    if errors:
        raise ValidationFailed(INVALID_SUBMISSION, field_errors=errors)
    got = {c.pk for c, _item in ticked}
    missing = [c for c in components.values() if c.is_required and c.pk not in got]
    return CounterDraft(
        procedure,
        version,
        applicant,
        delivery,
        delivery_address,
        ticked,
        checked,
        missing,
        fees,
        kept=reused,  # every reused key is a ticked component's: others raised above
        messages=choice,
        channel=channel,
    )


def counter_dossier_insert(
    *,
    draft: CounterDraft,
    stored: Sequence[tuple[CheckedFile[Component], str]],
    unit: Agency,
    actor: AbstractBaseUser,
    now: dt.datetime,
    due_at: dt.datetime,
) -> Dossier:
    """Record a checked counter dossier, its components and stored scans; waiting for intake.

    Runs in the caller's transaction (opened inside ``files_stored``), which
    holds the lock of the unit's daily code counter until it ends: compute
    ``due_at`` (``dossier_due_at``) before opening it. Scans kept by an
    earlier attempt become the dossier's (``uploads.pending_uploads_claim``).
    """
    pending_uploads_claim(rows=draft.kept)  # before the counter's lock is taken
    dossier = _dossier_insert(
        procedure=draft.procedure,
        version=draft.version,
        unit=unit,
        channel=draft.channel,
        applicant=draft.applicant,
        delivery=draft.delivery,
        delivery_address=draft.delivery_address,
        now=now,
        due_at=due_at,
        actor=actor,
        messages=draft.messages,
    )
    scans: dict[int, list[tuple[CheckedFile[Component], str]]] = {}
    for checked, name in stored:
        scans.setdefault(checked.owner.pk, []).append((checked, name))
    kept = _by_component(draft.kept)
    rows = DossierComponent.objects.bulk_create(
        DossierComponent(
            dossier=dossier,
            component=component,
            name=component.name,
            originals=item.originals,
            copies=item.copies,
            is_digitised=component.pk in scans or component.pk in kept,
        )
        for component, item in draft.received
    )
    _record_files(rows, scans, kept)
    fee_lines_insert(dossier=dossier, quote=draft.fees, now=now, actor=actor)
    return dossier


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


def _fingerprint(
    procedure: Procedure,
    channel: int,
    applicant: _Applicant,
    delivery: str,
    delivery_address: str,
    form_data: dict[str, Any],
    checked_files: list[CheckedFile[Component]],
    data: Mapping[str, Any],
    kept: Sequence[PendingUpload] = (),
    messages: MessageChoice | None = None,
) -> str:
    # A kept file counts as the same file sent again: the same fingerprint.
    files = [(f.owner.pk, f.sha256) for f in checked_files]
    files += [(row.component_id, row.sha256) for row in kept]
    payload: dict[str, Any] = {
        "procedure": procedure.code,
        "channel": int(channel),
        "applicant": applicant.__dict__,
        "delivery": [delivery, delivery_address],
        "form": form_data,
        "files": sorted(files),
    }
    claims = fee_claims_fingerprint(data)
    if claims:  # absent without claims, so earlier fingerprints stay the same
        payload["fee_claims"] = claims
    if messages is not None:  # likewise absent when no choice was given
        payload["messages"] = messages.__dict__
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _replay(key: str, fingerprint: str) -> SubmitResult | None:
    first = Dossier.objects.filter(idempotency_key=key).first()
    if first is None:
        return None
    if first.request_fingerprint != fingerprint:
        raise Conflict(KEY_REUSED, field_errors={"idempotency_key": [KEY_REUSED]})
    return SubmitResult(dossier=first, created=False)


def receiving_unit_for(procedure: Procedure) -> Agency:
    """Return the one-stop unit that receives a dossier of ``procedure`` sent from afar."""
    return _receiving_unit(procedure)


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


def dossier_due_at(version: ProcedureVersion, start: dt.datetime, *, case: str = "") -> dt.datetime:
    """Return the appointment time for a dossier received at ``start`` under ``version``.

    ``case`` is the code of one of the version's processing-time cases (its
    own legal time); empty, the version's ordinary time.
    """
    value, unit = version.processing_time_value, version.processing_time_unit
    if case:
        value, unit = case_time(version.pk, case)
    if unit == TimeUnit.WORKING_HOURS:
        return calendar.due_date(start=start, working_hours=value).due_at
    return calendar.due_date(start=start, working_days=value).due_at


def online_answer_due_at(submitted_at: dt.datetime) -> dt.datetime:
    """Return when an online dossier submitted at ``submitted_at`` must be answered.

    Online dossiers are accepted or answered within
    ``MOTCUA_ONLINE_ANSWER_WORKING_HOURS`` (8) working hours.
    """
    hours: int = settings.MOTCUA_ONLINE_ANSWER_WORKING_HOURS
    return calendar.due_date(start=submitted_at, working_hours=hours).due_at


def _record_components(
    dossier: Dossier,
    stored: list[tuple[CheckedFile[Component], str]],
    kept: Mapping[str, Sequence[PendingUpload]],
) -> None:
    """Record the components the applicant attached, their stored files and kept files."""
    by_component: dict[int, list[tuple[CheckedFile[Component], str]]] = {}
    for checked, name in stored:
        by_component.setdefault(checked.owner.pk, []).append((checked, name))
    kept_files = _by_component(kept)
    components = [
        c
        for c in dossier.procedure_version.components.all()
        if c.pk in by_component or c.pk in kept_files
    ]
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
    _record_files(rows, by_component, kept_files)


def _by_component(kept: Mapping[str, Sequence[PendingUpload]]) -> dict[int, list[PendingUpload]]:
    out: dict[int, list[PendingUpload]] = {}
    for rows in kept.values():
        for row in rows:
            out.setdefault(row.component_id, []).append(row)
    return out


def _record_files(
    rows: Sequence[DossierComponent],
    stored: Mapping[int, Sequence[tuple[CheckedFile[Component], str]]],
    kept: Mapping[int, Sequence[PendingUpload]],
) -> None:
    """Record the files of each component: kept ones (where they are), then new ones."""
    files = [
        DossierFile(
            component=row,
            file=pending.file.name,
            original_name=pending.original_name,
            content_type=pending.content_type,
            size=pending.size,
            sha256=pending.sha256,
            pages=pending.pages,
        )
        for row in rows
        for pending in kept.get(row.component_id or 0, ())
    ]
    files += [
        DossierFile(
            component=row,
            file=name,
            original_name=(checked.upload.name or "")[:255],
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            pages=checked.pages,
        )
        for row in rows
        for checked, name in stored.get(row.component_id or 0, ())
    ]
    DossierFile.objects.bulk_create(files)
