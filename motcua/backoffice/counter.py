"""The counter intake form: the procedure's components as a checklist, the applicant, the decision.

Built for a queue at the counter: one page, the cursor starts on the
applicant's name, every component is one row (tick, originals, copies,
scans), and one of three buttons decides (accept, ask for what is missing,
refuse). The form reads the posted values into the service's arguments;
every rule is ``dossier_counter_intake``'s, and its messages are shown
beside the inputs they concern.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from motcua.catalog.cases import CaseDef
from motcua.catalog.fees import (
    FeeExemptionSpec,
    FeeQuote,
    count_labels,
    exemption_text,
    version_fees,
)
from motcua.catalog.models import Component, OnlineLevel, Procedure, ProcedureVersion
from motcua.catalog.selectors import procedure_get_published, version_cases
from motcua.core.errors import DomainError, ValidationFailed
from motcua.dossiers.fees import CLAIM_INPUT, COUNT_INPUT, PROOF_INPUT, fee_quote_for
from motcua.dossiers.models import ApplicantKind, Channel, Delivery, Dossier
from motcua.dossiers.services import ReceivedComponent
from motcua.dossiers.uploads import KEPT_INPUT, KeptFile, SubmissionInvalid, kept_files_listed
from motcua.organisation.models import Agency
from motcua.outbox.preferences import EMAIL_INPUT, LANGUAGE_INPUT, SMS_INPUT, checkboxes_posted
from motcua.outbox.preferences import INPUTS as MESSAGE_INPUTS
from motcua.staff.models import Role
from motcua.staff.selectors import AnyUser, user_agency_roles
from motcua.workflow.services import CounterDecision, dossier_counter_intake

BAD_NUMBER = _("Enter a whole number.")
CHOOSE_UNIT = _("Choose the one-stop unit you work at now.")
APPLICANT_FIELDS = (
    ("applicant_name", _("Applicant's full name"), "text", "name"),
    ("applicant_id_number", _("Citizen ID number (12 digits)"), "text", "off"),
    ("applicant_phone", _("Phone number"), "tel", "tel"),
    ("applicant_email", _("E-mail (optional)"), "email", "email"),
    ("applicant_address", _("Address"), "text", "street-address"),
)


def counter_units(user: AnyUser) -> list[Agency]:
    """Return the one-stop units where ``user`` is a receiving officer."""
    ids = [a for a, held in user_agency_roles(user=user).items() if Role.RECEIVING_OFFICER in held]
    return list(Agency.objects.filter(pk__in=ids, is_one_stop_unit=True).order_by("name"))


@dataclass
class ComponentRow:
    """One line of the checklist: a component, what was ticked and counted, and its errors."""

    component: Component
    ticked: bool = False
    originals: str = ""
    copies: str = ""
    errors: list[str] = field(default_factory=list)
    kept: list[KeptFile] = field(default_factory=list)  # scans kept from the last attempt

    @property
    def name(self) -> str:
        return f"component-{self.component.pk}"

    @property
    def kept_name(self) -> str:
        return KEPT_INPUT.format(self.name)


@dataclass
class FeeCountRow:
    """A count a fee is computed on (pages of a copy, copies), which the officer enters."""

    name: str
    label: str
    value: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def input_name(self) -> str:
        return COUNT_INPUT.format(self.name)


@dataclass
class FeeClaimRow:
    """An exemption the applicant claims at the counter, with the reference of the proof shown."""

    exemption: FeeExemptionSpec
    summary: str
    checked: bool = False
    proof: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.exemption.code

    @property
    def proof_name(self) -> str:
        return PROOF_INPUT.format(self.exemption.code)


@dataclass
class CounterFees:
    """The fees part of the counter form: counts, claims, and the amount computed so far."""

    counts: list[FeeCountRow]
    claims: list[FeeClaimRow]
    quote: FeeQuote | None = None
    errors: list[str] = field(default_factory=list)
    claim_errors: list[str] = field(default_factory=list)

    @property
    def include(self) -> str:
        """Return the CSS selector of the inputs the live quote sends."""
        names = [row.input_name for row in self.counts] + [CLAIM_INPUT]
        return ", ".join(f"[name='{name}']" for name in names)

    def data(self, post: Mapping[str, Any]) -> dict[str, Any]:
        """Return the posted fee inputs as the dossier service reads them."""
        claims = post.getlist(CLAIM_INPUT) if hasattr(post, "getlist") else post.get(CLAIM_INPUT)
        out: dict[str, Any] = {CLAIM_INPUT: list(claims or [])}
        for row in self.counts:
            out[row.input_name] = str(post.get(row.input_name, "") or "")
        for claim in self.claims:
            out[claim.proof_name] = str(post.get(claim.proof_name, "") or "")
        return out

    def refresh(self, version: ProcedureVersion, data: Mapping[str, Any]) -> None:
        """Compute the amount for ``data`` (a count not given yet leaves its line waiting)."""
        try:
            self.quote = fee_quote_for(
                version=version,
                channel=Channel.COUNTER,
                data=data,
                on=timezone.localdate(),
                at_counter=True,
                partial=True,
            )
            self.errors = []
        except DomainError as exc:
            self.quote = None
            self.errors = [str(m) for ms in exc.field_errors.values() for m in ms]


def counter_fees(version: ProcedureVersion) -> CounterFees | None:
    """Return the empty fees part of the counter form (None when the version has no fees)."""
    rules = version_fees(version)
    if not rules.fees:
        return None
    fees = CounterFees(
        counts=[FeeCountRow(name, label) for name, label in count_labels(rules, version.eform)],
        claims=[
            FeeClaimRow(e, exemption_text(e)) for e in rules.claimable_on(timezone.localdate())
        ],
    )
    fees.refresh(version, {})
    return fees


@dataclass
class CounterForm:
    procedure: Procedure
    version: ProcedureVersion
    units: list[Agency]
    rows: list[ComponentRow]
    values: dict[str, str] = field(default_factory=dict)
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    fees: CounterFees | None = None
    officer_id: int | None = None  # who submits: scans kept are theirs only

    applicant_fields = APPLICANT_FIELDS
    applicant_kinds = ApplicantKind.choices
    message_languages = (("vi", _("Vietnamese")), ("en", _("English")))

    @classmethod
    def for_procedure(cls, code: str, *, units: list[Agency]) -> CounterForm:
        """Return the empty form of the published procedure ``code`` (NotFound otherwise)."""
        procedure = procedure_get_published(code=code)
        version = procedure.current_version
        assert version is not None  # noqa: S101 - published procedures have a current version
        rows = [
            ComponentRow(c, originals=str(c.originals), copies=str(c.copies))
            for c in version.components.all()
        ]
        values = {"delivery": Delivery.COUNTER.value, "decision": "accept"}
        values.update({EMAIL_INPUT: "on", SMS_INPUT: "on", LANGUAGE_INPUT: "vi"})
        if len(units) == 1:
            values["unit"] = str(units[0].pk)
        return cls(procedure, version, units, rows, values, fees=counter_fees(version))

    @property
    def has_kept(self) -> bool:
        """Tell whether scans kept from the last attempt are listed."""
        return any(row.kept for row in self.rows)

    @property
    def cases(self) -> tuple[CaseDef, ...]:
        """The processing-time cases of the procedure, the ordinary one first."""
        return version_cases(self.version.pk)

    @property
    def delivery_choices(self) -> list[tuple[str, str]]:
        choices = [(Delivery.COUNTER.value, str(Delivery.COUNTER.label))]
        if self.procedure.returns_by_post:
            choices.append((Delivery.POST.value, str(Delivery.POST.label)))
        if self.procedure.online_level == OnlineLevel.FULL:
            choices.append((Delivery.ONLINE.value, str(Delivery.ONLINE.label)))
        return choices

    def _unit(self, post: Mapping[str, Any]) -> Agency:
        chosen = str(post.get("unit", ""))
        for unit in self.units:
            if str(unit.pk) == chosen or len(self.units) == 1:
                return unit
        raise ValidationFailed(CHOOSE_UNIT, field_errors={"unit": [CHOOSE_UNIT]})

    def _received(
        self, post: Mapping[str, Any], files: MultiValueDict[str, Any]
    ) -> list[ReceivedComponent]:
        received: list[ReceivedComponent] = []
        errors: dict[str, list[Any]] = {}
        for row in self.rows:
            scans = files.getlist(row.name)
            kept = _values(post, row.kept_name)
            if not post.get(f"{row.name}-ticked") and not scans and not kept:
                continue
            counts = []
            for suffix in ("originals", "copies"):
                raw = str(post.get(f"{row.name}-{suffix}", "") or "0").strip()
                try:
                    counts.append(int(raw))
                except ValueError:
                    errors[row.name] = [BAD_NUMBER]
                    counts.append(0)
            received.append(ReceivedComponent(row.component.pk, counts[0], counts[1], scans, kept))
        if errors:
            raise ValidationFailed(BAD_NUMBER, field_errors=errors)
        return received

    def submit(
        self, actor: Any, post: Mapping[str, Any], files: MultiValueDict[str, Any]
    ) -> Dossier:
        """Record the dossier taken at the counter with the officer's decision.

        Scans that passed their checks are kept if the dossier is refused with
        field errors (``show`` lists them); ticked kept scans count again.
        """
        self.officer_id = actor.pk
        missing = [line.strip() for line in str(post.get("missing", "")).splitlines()]
        decision = CounterDecision(
            action=str(post.get("decision", "")),
            reason=str(post.get("reason", "")),
            missing=[m for m in missing if m],
            note=str(post.get("note", "")),
            case=str(post.get("case", "")),
        )
        data: dict[str, Any] = {name: post.get(name, "") for name in _posted_names()}
        data = checkboxes_posted(data)  # what the applicant said about messages
        if self.fees is not None:
            data.update(self.fees.data(post))
        return dossier_counter_intake(
            actor=actor,
            unit=self._unit(post),
            procedure_code=self.procedure.code,
            data=data,
            received=self._received(post, files),
            decision=decision,
            keep_files=True,
        )

    def show(self, post: Mapping[str, Any], error: DomainError) -> None:
        """Fill the form back with what was posted and the service's messages."""
        self.values = {name: str(post.get(name, "")) for name in (*_posted_names(), "unit")}
        for name in ("decision", "reason", "missing", "note", "case"):
            self.values[name] = str(post.get(name, ""))
        self.field_errors = {k: [str(m) for m in v] for k, v in error.field_errors.items()}
        kept: dict[str, list[KeptFile]] = {}
        if isinstance(error, SubmissionInvalid):
            kept = error.kept
        elif self.officer_id is not None:  # refused before the scans were checked
            kept = kept_files_listed(
                version=self.version,
                tokens={row.name: _values(post, row.kept_name) for row in self.rows},
                channel=Channel.COUNTER,
                kept_by_id=self.officer_id,
            )
        for row in self.rows:
            row.kept = kept.get(row.name, [])
            row.ticked = bool(post.get(f"{row.name}-ticked")) or bool(row.kept)
            row.originals = str(post.get(f"{row.name}-originals", row.originals))
            row.copies = str(post.get(f"{row.name}-copies", row.copies))
            row.errors = self.field_errors.get(row.name, [])
        if self.fees is not None:
            data = self.fees.data(post)
            for count in self.fees.counts:
                count.value = data[count.input_name]
                count.errors = self.field_errors.get(count.input_name, [])
            for claim in self.fees.claims:
                claim.checked = claim.code in data[CLAIM_INPUT]
                claim.proof = data[claim.proof_name]
                claim.errors = self.field_errors.get(claim.proof_name, [])
            self.fees.claim_errors = self.field_errors.get(CLAIM_INPUT, [])
            self.fees.refresh(self.version, data)


def _values(post: Mapping[str, Any], name: str) -> list[str]:
    """Return every value posted under ``name`` (a QueryDict's list, or one plain value)."""
    values = post.getlist(name) if hasattr(post, "getlist") else [post.get(name)]
    return [str(v) for v in values if v]


def _posted_names() -> tuple[str, ...]:
    return (
        *(f[0] for f in APPLICANT_FIELDS),
        "applicant_kind",
        "delivery",
        "delivery_address",
        *MESSAGE_INPUTS,
    )
