"""Fees as rules: what a procedure version charges, and the lines a dossier owes.

A version's fees are ``FeeSpec`` rules (an amount per dossier, per copy or
per page of each copy, with tiers and a maximum, paid before or after, or
exempt, or not charged) and ``FeeExemptionSpec`` exemptions and reductions
(claimed by the applicant with a proof the officer checks, or given by the
channel of submission). ``fee_quote`` turns them into the lines of one
dossier: a pure function of the rules, the channel, the counts, the claims
and the day, so the portal, the API, the counter and the tests all get the
same amounts.

Amounts are whole VND. A reduction of p % leaves ``round(amount * (100 - p)
/ 100)``, halves rounded up. When several exemptions apply to one fee, the
most favourable one is applied (the regulations give one, never a sum).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, npgettext, pgettext
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed

from .models import (
    ExemptionTrigger,
    FeeBasis,
    FeeDue,
    FeeKind,
    QuantitySource,
    SubmissionChannel,
)

if TYPE_CHECKING:
    from .models import Fee, FeeExemption, ProcedureVersion

MAX_QUANTITY = 100_000
MAX_PROOF_LENGTH = 200
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")

FEES_INVALID = _("The fees cannot be computed: please correct the fields shown.")
BAD_QUANTITY = _("Enter a whole number from 0 to 100000.")
QUANTITY_REQUIRED = _("Enter this number: the fee depends on it.")
UNKNOWN_EXEMPTION = _("This procedure has no such exemption or reduction.")
EXEMPTION_NOT_CLAIMABLE = _("This reduction applies by itself to the channel; do not claim it.")
EXEMPTION_NOT_IN_FORCE = _("This exemption or reduction is not in force on this day.")
PROOF_REQUIRED = _(
    "Give the number or reference of the proof the officer will check for this exemption."
)
PROOF_TOO_LONG = _("The proof reference is longer than 200 characters.")

# Problems of a rule, shown by the admin next to the field and by the import per row.
CODE_INVALID = _("A code is 1 to 40 letters, digits, dots, dashes or underscores.")
CODE_DUPLICATE = _("Another row of this version has the same code.")
FEE_NAME_REQUIRED = _("Enter the fee's name.")
KIND_UNKNOWN = _("Choose fee (phí) or charge (lệ phí).")
BASIS_UNKNOWN = _("Choose what the fee is counted on: the dossier, a copy or a page.")
DUE_UNKNOWN = _("Choose when the fee is paid: before, after, exempt or not charged.")
SOURCE_UNKNOWN = _("Choose who gives the counts: the applicant in the e-form or the officer.")
AMOUNT_INVALID = _("Amounts are whole numbers of VND, 0 or more.")
TIERS_INVALID = _(
    "Write tiers as 'from unit: amount', e.g. '3: 1000', starting from the 2nd unit or later, "
    "in increasing order."
)
DOSSIER_BASIS_EXTRA = _("A fixed amount per dossier has no tiers, maximum or counts.")
COPIES_FIELD_REQUIRED = _("A per-copy fee needs the name of the number of copies.")
PAGES_FIELD_REQUIRED = _("A per-page fee needs the name of the number of pages.")
QUANTITY_NAME_INVALID = _("A count's name is an identifier (letters, digits, _).")
QUANTITY_NOT_IN_EFORM = _("The e-form has no number field with this name.")
EXEMPTION_NAME_REQUIRED = _("Enter who or what the exemption is for.")
TRIGGER_UNKNOWN = _("Choose whether the exemption is claimed or given by the channel.")
CHANNEL_REQUIRED = _("Choose the channel the reduction is given for.")
CHANNEL_ONLY_FOR_CHANNEL = _("Only a reduction given by the channel names a channel.")
PERCENT_INVALID = _("A reduction is 1 to 100 per cent.")
PROOF_DESCRIPTION_REQUIRED = _("Say which proof the officer checks for a claimed exemption.")
FEE_CODES_UNKNOWN = _("No fee of this version has one of these codes.")
DATES_INVALID = _("The end date is before the start date.")


@dataclass(frozen=True)
class Tier:
    """From the ``start``-th unit on (page or copy, counted from 1), each unit costs ``amount``."""

    start: int
    amount: int


@dataclass(frozen=True)
class FeeSpec:
    """A fee or charge rule of a version; see ``motcua.catalog.models.Fee``."""

    kind: str
    amount: int
    code: str = ""
    name: str = ""
    basis: str = FeeBasis.DOSSIER
    tiers: tuple[Tier, ...] = ()
    cap: int | None = None
    due: str = FeeDue.BEFORE
    quantity_source: str = QuantitySource.EFORM
    copies_field: str = ""
    pages_field: str = ""
    legal_basis: str = ""
    note: str = ""

    @property
    def quantity_names(self) -> tuple[str, ...]:
        """Return the names of the counts this fee is computed on."""
        if self.due in (FeeDue.EXEMPT, FeeDue.NONE) or self.basis == FeeBasis.DOSSIER:
            return ()
        if self.basis == FeeBasis.COPY:
            return (self.copies_field,)
        return tuple(n for n in (self.pages_field, self.copies_field) if n)


@dataclass(frozen=True)
class FeeExemptionSpec:
    """An exemption (100 %) or reduction of some fees; see ``models.FeeExemption``."""

    code: str
    name: str
    percent: int = 100
    fee_codes: tuple[str, ...] = ()
    trigger: str = ExemptionTrigger.CLAIM
    channel: int | None = None
    proof: str = ""
    legal_basis: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    def applies_to(self, fee_code: str) -> bool:
        """Tell whether this exemption covers the fee ``fee_code`` (no codes: every fee)."""
        return not self.fee_codes or fee_code in self.fee_codes

    def in_force(self, on: dt.date) -> bool:
        """Tell whether this exemption is in force on ``on``."""
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )

    @property
    def claimable(self) -> bool:
        return self.trigger == ExemptionTrigger.CLAIM


@dataclass(frozen=True)
class Claim:
    """An exemption the applicant claims, with the reference of its proof."""

    code: str
    proof: str = ""


@dataclass(frozen=True)
class FeeInputNames:
    """The input names errors are keyed by: HTML forms and the API name their inputs apart."""

    quantity: str = "eform-{}"
    claims: str = "fee_claim"
    proof: str = "fee_proof-{}"


@dataclass(frozen=True)
class FeeLine:
    """One fee a dossier owes: its amount, how it was counted, what reduced it, when it is due.

    ``amount`` is None while a count is still unknown (``waiting_for`` names it).
    """

    code: str
    kind: str
    name: str
    basis: str
    due: str
    rule_text: str
    base_amount: int | None
    amount: int | None
    copies: int | None = None
    pages: int | None = None
    exemption_code: str = ""
    exemption_text: str = ""
    reduction_percent: int = 0
    claims: tuple[Claim, ...] = ()
    legal_basis: str = ""
    waiting_for: tuple[str, ...] = ()

    @property
    def pending(self) -> bool:
        return self.amount is None

    @property
    def kind_label(self) -> str:
        return str(FeeKind(self.kind).label) if self.kind in FeeKind.values else self.kind

    @property
    def due_label(self) -> str:
        return str(FeeDue(self.due).label) if self.due in FeeDue.values else self.due


@dataclass(frozen=True)
class FeeQuote:
    """The fee lines of one dossier and what they add up to."""

    lines: tuple[FeeLine, ...] = ()

    @property
    def due_now(self) -> int:
        """Return the total paid at submission (thu trước), counted lines only."""
        return sum(line.amount or 0 for line in self.lines if line.due == FeeDue.BEFORE)

    @property
    def due_later(self) -> int:
        """Return the total paid when the result is returned (thu sau), counted lines only."""
        return sum(line.amount or 0 for line in self.lines if line.due == FeeDue.AFTER)

    @property
    def total(self) -> int:
        return self.due_now + self.due_later

    @property
    def pending(self) -> bool:
        """Tell whether some line waits for a count (the total is then not final)."""
        return any(line.pending for line in self.lines)


# --- text for people ---------------------------------------------------------------------


def format_vnd(amount: int) -> str:
    """Return ``amount`` the Vietnamese way: 200000 -> "200.000 đồng" (in the active language)."""
    return gettext("%(amount)s VND") % {"amount": f"{int(amount):,}".replace(",", ".")}


def _per(price: int, basis: str) -> str:
    money = format_vnd(price)
    if basis == FeeBasis.PAGE:
        return pgettext("fee", "%(price)s/page") % {"price": money}
    if basis == FeeBasis.COPY:
        return pgettext("fee", "%(price)s/copy") % {"price": money}
    return pgettext("fee", "%(price)s/dossier") % {"price": money}


def _count(n: int, basis: str) -> str:
    if basis == FeeBasis.PAGE:
        return npgettext("fee", "%(n)s page", "%(n)s pages", n) % {"n": n}
    return npgettext("fee", "%(n)s copy", "%(n)s copies", n) % {"n": n}


def _cap_text(cap: int, basis: str) -> str:
    if basis == FeeBasis.PAGE:
        return pgettext("fee", "at most %(cap)s/copy") % {"cap": format_vnd(cap)}
    return pgettext("fee", "at most %(cap)s") % {"cap": format_vnd(cap)}


def fee_rule_text(spec: FeeSpec) -> str:
    """Return the rule as people read it, e.g. "2.000 đồng/trang; từ trang thứ 3: ...".

    Used where no counts are known: the procedure page, a line still waiting.
    """
    if spec.due == FeeDue.NONE:
        return str(FeeDue.NONE.label)
    parts = [_per(spec.amount, spec.basis)]
    for tier in spec.tiers:
        if spec.basis == FeeBasis.PAGE:
            text = pgettext("fee", "from page %(n)s: %(price)s")
        else:
            text = pgettext("fee", "from copy %(n)s: %(price)s")
        parts.append(text % {"n": tier.start, "price": _per(tier.amount, spec.basis)})
    if spec.cap is not None:
        parts.append(_cap_text(spec.cap, spec.basis))
    text = "; ".join(parts)
    if spec.due == FeeDue.EXEMPT:
        return f"{FeeDue.EXEMPT.label}: {text}"
    return text


def exemption_text(spec: FeeExemptionSpec) -> str:
    """Return "Miễn: <name>" or "Giảm 50%: <name>" (in the active language)."""
    if spec.percent >= 100:
        return gettext("Exempt: %(name)s") % {"name": spec.name}
    return gettext("%(percent)s%% off: %(name)s") % {"percent": spec.percent, "name": spec.name}


# --- computing ---------------------------------------------------------------------------


def _segments(units: int, spec: FeeSpec) -> list[tuple[int, int]]:
    """Split ``units`` into (price, count) runs by the rule's tiers."""
    bounds = [(1, spec.amount), *((t.start, t.amount) for t in spec.tiers)]
    out = []
    for index, (start, price) in enumerate(bounds):
        end = bounds[index + 1][0] - 1 if index + 1 < len(bounds) else units
        count = min(end, units) - start + 1
        if count > 0:
            out.append((price, count))
    return out


def _counted(spec: FeeSpec, copies: int, pages: int) -> tuple[int, str]:
    """Return the amount before any exemption, and how it was counted, as text."""
    if spec.basis == FeeBasis.DOSSIER:
        return spec.amount, _per(spec.amount, spec.basis)
    units = pages if spec.basis == FeeBasis.PAGE else copies
    runs = _segments(units, spec)
    subtotal = sum(price * count for price, count in runs)
    text = " + ".join(
        f"{_per(price, spec.basis)} × {_count(count, spec.basis)}" for price, count in runs
    )
    if not runs:
        text = f"{_per(spec.amount, spec.basis)} × {_count(0, spec.basis)}"
    if spec.cap is not None:
        subtotal = min(subtotal, spec.cap)
        text += f" ({_cap_text(spec.cap, spec.basis)})"
    if spec.basis == FeeBasis.COPY:
        return subtotal, text
    return subtotal * copies, f"{text} × {_count(copies, FeeBasis.COPY)}"


def _reduced(amount: int, percent: int) -> int:
    kept = Decimal(amount) * (100 - percent) / 100
    return int(kept.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_quantity(value: Any) -> int | None:
    """Return a count as an int, None when blank; raise ValueError when it is not a count."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(value)
    if not 0 <= number <= MAX_QUANTITY:
        raise ValueError(value)
    return int(number)


def _check_claims(
    claims: Sequence[Claim],
    exemptions: Mapping[str, FeeExemptionSpec],
    on: dt.date,
    require_proofs: bool,
    names: FeeInputNames,
    errors: dict[str, list[Any]],
) -> dict[str, Claim]:
    accepted: dict[str, Claim] = {}
    for claim in claims:
        code = claim.code.strip()
        proof = claim.proof.strip()
        if not code:
            continue
        exemption = exemptions.get(code)
        if exemption is None:
            errors.setdefault(names.claims, []).append(UNKNOWN_EXEMPTION)
        elif not exemption.claimable:
            errors.setdefault(names.claims, []).append(EXEMPTION_NOT_CLAIMABLE)
        elif not exemption.in_force(on):
            errors.setdefault(names.claims, []).append(EXEMPTION_NOT_IN_FORCE)
        elif len(proof) > MAX_PROOF_LENGTH:
            errors[names.proof.format(code)] = [PROOF_TOO_LONG]
        elif not proof and require_proofs and code not in accepted:
            errors[names.proof.format(code)] = [PROOF_REQUIRED]
        elif code not in accepted or (proof and not accepted[code].proof):
            accepted[code] = Claim(code, proof)
    return accepted


def fee_quote(
    *,
    fees: Sequence[FeeSpec],
    exemptions: Sequence[FeeExemptionSpec] = (),
    channel: int,
    quantities: Mapping[str, Any],
    claims: Sequence[Claim] = (),
    on: dt.date,
    counted: bool = False,
    partial: bool = False,
    require_proofs: bool | None = None,
    names: FeeInputNames | None = None,
) -> FeeQuote:
    """Compute the fee lines of one dossier; raise ValidationFailed with every problem at once.

    ``quantities`` are the counts by name: the e-form's answers online, the
    officer's counts at the counter. Counts the officer gives (source
    ``counter``) are read only when ``counted``; until then their lines wait
    (amount None). With ``partial`` (a live quote while a form is being
    filled) a missing count makes its line wait and, unless
    ``require_proofs``, a claim may lack its proof; values that are not
    counts are errors in every case. Errors are keyed by ``names`` (the
    inputs of the caller's form).
    """
    names = names or FeeInputNames()
    errors: dict[str, list[Any]] = {}
    by_code = {e.code: e for e in exemptions}
    proofs = not partial if require_proofs is None else require_proofs
    accepted = _check_claims(claims, by_code, on, proofs, names, errors)

    counts: dict[str, int | None] = {}
    for spec in fees:
        for name in spec.quantity_names:
            if name in counts or (spec.quantity_source == QuantitySource.COUNTER and not counted):
                continue
            try:
                counts[name] = parse_quantity(quantities.get(name))
            except ValueError:
                errors[names.quantity.format(name)] = [BAD_QUANTITY]
                counts[name] = None
                continue
            if counts[name] is None and not partial:
                errors[names.quantity.format(name)] = [QUANTITY_REQUIRED]
    if errors:
        raise ValidationFailed(FEES_INVALID, field_errors=errors)

    lines = []
    for spec in fees:
        relevant = tuple(c for code, c in accepted.items() if by_code[code].applies_to(spec.code))
        lines.append(_line(spec, exemptions, channel, counts, relevant, accepted, on))
    return FeeQuote(tuple(lines))


def _line(
    spec: FeeSpec,
    exemptions: Sequence[FeeExemptionSpec],
    channel: int,
    counts: Mapping[str, int | None],
    claims: tuple[Claim, ...],
    accepted: Mapping[str, Claim],
    on: dt.date,
) -> FeeLine:
    common: dict[str, Any] = {
        "code": spec.code,
        "kind": spec.kind,
        "name": spec.name,
        "basis": spec.basis,
        "claims": claims,
        "legal_basis": spec.legal_basis,
    }
    if spec.due in (FeeDue.EXEMPT, FeeDue.NONE):
        return FeeLine(
            **common, due=spec.due, rule_text=fee_rule_text(spec), base_amount=0, amount=0
        )
    missing = tuple(n for n in spec.quantity_names if counts.get(n) is None)
    if missing:
        return FeeLine(
            **common,
            due=spec.due,
            rule_text=fee_rule_text(spec),
            base_amount=None,
            amount=None,
            waiting_for=missing,
        )
    copies = counts.get(spec.copies_field) if spec.copies_field else None
    pages = counts.get(spec.pages_field) if spec.basis == FeeBasis.PAGE else None
    base, text = _counted(spec, 1 if copies is None else copies, pages or 0)
    best = None
    for exemption in exemptions:
        if not exemption.applies_to(spec.code) or not exemption.in_force(on):
            continue
        given = (
            exemption.trigger == ExemptionTrigger.CHANNEL and exemption.channel == int(channel)
        ) or (exemption.claimable and exemption.code in accepted)
        if given and (best is None or exemption.percent > best.percent):
            best = exemption
    amount = base if best is None else _reduced(base, best.percent)
    return FeeLine(
        **common,
        due=FeeDue.EXEMPT if best is not None and amount == 0 and base > 0 else spec.due,
        rule_text=text,
        base_amount=base,
        amount=amount,
        copies=copies if spec.basis != FeeBasis.DOSSIER else None,
        pages=pages,
        exemption_code=best.code if best is not None else "",
        exemption_text=exemption_text(best) if best is not None else "",
        reduction_percent=best.percent if best is not None else 0,
    )


# --- rules as data -----------------------------------------------------------------------


def tiers_from_json(value: Any) -> tuple[Tier, ...]:
    """Return tiers from their JSON form ``[{"from": 3, "amount": 1000}]``; ValueError if bad."""
    if value in (None, "", []):
        return ()
    if not isinstance(value, list):
        raise ValueError(value)
    tiers = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"from", "amount"}:
            raise ValueError(item)
        start, amount = item["from"], item["amount"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, amount)):
            raise ValueError(item)
        tiers.append(Tier(start, amount))
    return tuple(tiers)


def tiers_to_json(tiers: Iterable[Tier]) -> list[dict[str, int]]:
    return [{"from": t.start, "amount": t.amount} for t in tiers]


_TIER_TEXT = re.compile(r"^\s*(\d+)\s*:\s*(\d+)\s*$")


def tiers_from_text(text: str) -> tuple[Tier, ...]:
    """Return tiers written as "3: 1000; 10: 500" (a spreadsheet cell); ValueError if bad."""
    tiers = []
    for part in re.split(r"[;\n]", text or ""):
        if not part.strip():
            continue
        match = _TIER_TEXT.match(part.replace(".", ""))
        if match is None:
            raise ValueError(part)
        tiers.append(Tier(int(match[1]), int(match[2])))
    return tuple(tiers)


def tiers_to_text(tiers: Iterable[Tier]) -> str:
    return "; ".join(f"{t.start}: {t.amount}" for t in tiers)


def fee_codes_from_text(text: str) -> tuple[str, ...]:
    """Return the fee codes of "LP1, P2" (commas or semicolons), without blanks."""
    return tuple(c.strip() for c in re.split(r"[,;]", text or "") if c.strip())


Problems = list[tuple[str, Promise | str]]


def _quantity_problems(
    spec: FeeSpec, eform_numbers: frozenset[str] | None, problems: Problems
) -> None:
    if spec.basis == FeeBasis.DOSSIER:
        if spec.tiers or spec.cap is not None or spec.copies_field or spec.pages_field:
            problems.append(("basis", DOSSIER_BASIS_EXTRA))
        return
    if spec.basis == FeeBasis.COPY and not spec.copies_field:
        problems.append(("copies_field", COPIES_FIELD_REQUIRED))
    if spec.basis == FeeBasis.PAGE and not spec.pages_field:
        problems.append(("pages_field", PAGES_FIELD_REQUIRED))
    for key in ("copies_field", "pages_field"):
        name = getattr(spec, key)
        if not name:
            continue
        if not name.isidentifier():
            problems.append((key, QUANTITY_NAME_INVALID))
        elif (
            spec.quantity_source == QuantitySource.EFORM
            and eform_numbers is not None
            and name not in eform_numbers
        ):
            problems.append((key, QUANTITY_NOT_IN_EFORM))


def fee_spec_problems(spec: FeeSpec, eform_numbers: frozenset[str] | None = None) -> Problems:
    """Return what is wrong with one fee rule, as (field, message) pairs (empty when usable).

    ``eform_numbers`` are the number fields of the version's e-form; a count
    the applicant gives must be one of them (None: not checked).
    """
    problems: Problems = []
    if not CODE_PATTERN.match(spec.code or ""):
        problems.append(("code", CODE_INVALID))
    if not spec.name.strip():
        problems.append(("name", FEE_NAME_REQUIRED))
    if spec.kind not in FeeKind.values:
        problems.append(("kind", KIND_UNKNOWN))
    if spec.basis not in FeeBasis.values:
        problems.append(("basis", BASIS_UNKNOWN))
    if spec.due not in FeeDue.values:
        problems.append(("due", DUE_UNKNOWN))
    if spec.quantity_source not in QuantitySource.values:
        problems.append(("quantity_source", SOURCE_UNKNOWN))
    if spec.amount < 0 or (spec.cap is not None and spec.cap < 0):
        problems.append(("amount", AMOUNT_INVALID))
    starts = [t.start for t in spec.tiers]
    if any(t.start < 2 or t.amount < 0 for t in spec.tiers) or starts != sorted(set(starts)):
        problems.append(("tiers", TIERS_INVALID))
    if spec.basis in FeeBasis.values:
        _quantity_problems(spec, eform_numbers, problems)
    return problems


def exemption_spec_problems(
    spec: FeeExemptionSpec, fee_codes: frozenset[str] | None = None
) -> Problems:
    """Return what is wrong with one exemption, as (field, message) pairs (empty when usable)."""
    problems: Problems = []
    if not CODE_PATTERN.match(spec.code or ""):
        problems.append(("code", CODE_INVALID))
    if not spec.name.strip():
        problems.append(("name", EXEMPTION_NAME_REQUIRED))
    if spec.trigger not in ExemptionTrigger.values:
        problems.append(("trigger", TRIGGER_UNKNOWN))
    elif spec.trigger == ExemptionTrigger.CHANNEL:
        if spec.channel not in SubmissionChannel.values:
            problems.append(("channel", CHANNEL_REQUIRED))
    else:
        if spec.channel is not None:
            problems.append(("channel", CHANNEL_ONLY_FOR_CHANNEL))
        if not spec.proof.strip():
            problems.append(("proof", PROOF_DESCRIPTION_REQUIRED))
    if not 1 <= spec.percent <= 100:
        problems.append(("percent", PERCENT_INVALID))
    if fee_codes is not None and any(c not in fee_codes for c in spec.fee_codes):
        problems.append(("fee_codes", FEE_CODES_UNKNOWN))
    if spec.valid_from and spec.valid_until and spec.valid_until < spec.valid_from:
        problems.append(("valid_until", DATES_INVALID))
    return problems


def eform_number_fields(eform: Any) -> frozenset[str]:
    """Return the names of the number fields of an e-form definition."""
    if not isinstance(eform, list):
        return frozenset()
    return frozenset(
        str(spec["name"])
        for spec in eform
        if isinstance(spec, dict) and spec.get("type") == "number" and "name" in spec
    )


def eform_quantities(eform: Any, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Return the counts an applicant gave in the e-form: its number fields' answers, by name.

    An optional field left blank counts 0 (no copies asked); a required one
    left blank stays missing.
    """
    out: dict[str, Any] = {}
    for spec in eform if isinstance(eform, list) else []:
        if not isinstance(spec, dict) or spec.get("type") != "number" or "name" not in spec:
            continue
        value = answers.get(spec["name"])
        blank = value is None or (isinstance(value, str) and not value.strip())
        out[spec["name"]] = 0 if blank and not spec.get("required") else value
    return out


def fee_spec(fee: Fee) -> FeeSpec:
    """Return the rule of one ``Fee`` row."""
    return FeeSpec(
        kind=fee.kind,
        amount=fee.amount,
        code=fee.code,
        name=fee.name,
        basis=fee.basis,
        tiers=tiers_from_json(fee.tiers),
        cap=fee.cap,
        due=fee.due,
        quantity_source=fee.quantity_source,
        copies_field=fee.copies_field,
        pages_field=fee.pages_field,
        legal_basis=fee.legal_basis,
        note=fee.note,
    )


def exemption_spec(exemption: FeeExemption) -> FeeExemptionSpec:
    """Return the rule of one ``FeeExemption`` row."""
    return FeeExemptionSpec(
        code=exemption.code,
        name=exemption.name,
        percent=exemption.percent,
        fee_codes=fee_codes_from_text(exemption.fee_codes),
        trigger=exemption.trigger,
        channel=exemption.channel,
        proof=exemption.proof,
        legal_basis=exemption.legal_basis,
        valid_from=exemption.valid_from,
        valid_until=exemption.valid_until,
    )


def fee_specs(version: ProcedureVersion) -> tuple[FeeSpec, ...]:
    """Return the fee rules of ``version`` (reads ``version.fees``, prefetched or not)."""
    return tuple(fee_spec(f) for f in version.fees.all())


def exemption_specs(version: ProcedureVersion) -> tuple[FeeExemptionSpec, ...]:
    """Return the exemptions of ``version`` (reads ``version.fee_exemptions``)."""
    return tuple(exemption_spec(e) for e in version.fee_exemptions.all())


@dataclass(frozen=True)
class VersionFees:
    """A version's fee rules and exemptions, read once, with what pages show of them."""

    fees: tuple[FeeSpec, ...]
    exemptions: tuple[FeeExemptionSpec, ...]

    def quantity_names(self, source: str | None = None) -> tuple[str, ...]:
        """Return the names of the counts the fees need (of ``source`` only), in order."""
        out: dict[str, None] = {}
        for spec in self.fees:
            if source is None or spec.quantity_source == source:
                out.update(dict.fromkeys(spec.quantity_names))
        return tuple(out)

    @property
    def claimable(self) -> tuple[FeeExemptionSpec, ...]:
        return tuple(e for e in self.exemptions if e.claimable)

    def claimable_on(self, on: dt.date) -> tuple[FeeExemptionSpec, ...]:
        return tuple(e for e in self.claimable if e.in_force(on))

    def quote(self, **kwargs: Any) -> FeeQuote:
        """Return ``fee_quote`` of these rules with ``kwargs`` (channel, quantities, ...)."""
        return fee_quote(fees=self.fees, exemptions=self.exemptions, **kwargs)


@dataclass(frozen=True)
class FeeRow:
    """A fee rule as the procedure page shows it: the rule in words and the exemptions on it."""

    fee: FeeSpec
    summary: str
    kind_label: str
    due_label: str


@dataclass(frozen=True)
class ExemptionRow:
    """An exemption as pages show it: "Miễn: ..." and the names of the fees it covers."""

    exemption: FeeExemptionSpec
    summary: str
    fee_names: tuple[str, ...]
    channel_label: str


def fee_rows(rules: VersionFees) -> tuple[tuple[FeeRow, ...], tuple[ExemptionRow, ...]]:
    """Return the rules and exemptions of a version as pages show them (active language)."""
    rows = tuple(
        FeeRow(
            fee=f,
            summary=fee_rule_text(f),
            kind_label=str(FeeKind(f.kind).label) if f.kind in FeeKind.values else f.kind,
            due_label=str(FeeDue(f.due).label) if f.due in FeeDue.values else f.due,
        )
        for f in rules.fees
    )
    names = {f.code: f.name for f in rules.fees}
    exemptions = tuple(
        ExemptionRow(
            exemption=e,
            summary=exemption_text(e),
            fee_names=tuple(names.get(c, c) for c in e.fee_codes)
            if len(e.fee_codes) < len(rules.fees)
            else (),
            channel_label=str(SubmissionChannel(e.channel).label)
            if e.channel in SubmissionChannel.values
            else "",
        )
        for e in rules.exemptions
    )
    return rows, exemptions


def count_labels(rules: VersionFees, eform: Any) -> tuple[tuple[str, str], ...]:
    """Return each count the fees need with a label: its e-form field's, or one naming the fee."""
    labels: dict[str, str] = {}
    for spec in eform if isinstance(eform, list) else []:
        if isinstance(spec, dict) and "name" in spec:
            labels[str(spec["name"])] = str(
                spec.get("label_en") if _english() and spec.get("label_en") else spec.get("label")
            )
    out: dict[str, str] = {}
    for fee in rules.fees:
        for name in fee.quantity_names:
            if name in out:
                continue
            if name in labels:
                out[name] = labels[name]
            elif name == fee.pages_field:
                out[name] = gettext("Pages of a copy (%(fee)s)") % {"fee": fee.name}
            else:
                out[name] = gettext("Copies (%(fee)s)") % {"fee": fee.name}
    return tuple(out.items())


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def version_fees(version: ProcedureVersion) -> VersionFees:
    """Return the fee rules and exemptions of ``version``."""
    return VersionFees(fee_specs(version), exemption_specs(version))
