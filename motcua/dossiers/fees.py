"""Fees of a dossier: the lines its version's rules give, stored as ``DossierFee`` rows.

The amounts come from ``motcua.catalog.fees.fee_quote``; this module reads
the inputs of a submission (claims, counts), writes the lines in the
submission's transaction, replaces them when an officer recounts, and reads
them back for pages, the receipt and the API.

Inputs, the same in HTML forms and the API's multipart bodies:

- ``fee_claim``: the code of an exemption claimed (repeat it for several);
- ``fee_proof-<code>``: the number or reference of that exemption's proof;
- ``fee_qty-<name>``: a count given by the officer at the counter (online,
  the counts are the e-form's answers, ``eform-<name>``).

Stored lines keep their texts (how each was counted, the exemption applied)
in the site's language, Vietnamese, whatever language the request was in:
they are part of the record and printed on the receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation

from motcua.audit.services import audit_record
from motcua.catalog.fees import (
    Claim,
    FeeInputNames,
    FeeLine,
    FeeQuote,
    eform_quantities,
    version_fees,
)
from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import DomainError

from .models import Channel, Dossier, DossierFee

CLAIM_INPUT = "fee_claim"
PROOF_INPUT = "fee_proof-{}"
COUNT_INPUT = "fee_qty-{}"
ONLINE_NAMES = FeeInputNames(quantity="eform-{}", claims=CLAIM_INPUT, proof=PROOF_INPUT)
COUNTER_NAMES = FeeInputNames(quantity=COUNT_INPUT, claims=CLAIM_INPUT, proof=PROOF_INPUT)


def _values(data: Mapping[str, Any], name: str) -> list[Any]:
    if hasattr(data, "getlist"):
        return list(data.getlist(name))
    value = data.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def fee_claims_from_data(data: Mapping[str, Any]) -> list[Claim]:
    """Return the exemptions claimed in posted ``data`` (``fee_claim``, ``fee_proof-<code>``)."""
    claims = []
    for raw in _values(data, CLAIM_INPUT):
        code = str(raw or "").strip()
        if code:
            claims.append(Claim(code, str(data.get(PROOF_INPUT.format(code)) or "").strip()))
    return claims


def fee_counts_from_data(data: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """Return the counts ``names`` given in posted ``data`` as ``fee_qty-<name>``."""
    return {name: data.get(COUNT_INPUT.format(name)) for name in names}


def fee_quote_for(
    *,
    version: ProcedureVersion,
    channel: int,
    data: Mapping[str, Any],
    form_data: Mapping[str, Any] | None = None,
    on: dt.date,
    at_counter: bool = False,
    partial: bool = False,
    require_proofs: bool | None = None,
) -> FeeQuote:
    """Compute a submission's fee lines from posted ``data``; raise ValidationFailed if it can't.

    Online (and by post) the counts are the e-form's answers (``form_data``,
    checked; or the raw ``eform-<name>`` inputs for a live quote), and the
    counts an officer gives wait for intake. At the counter every count is
    the officer's (``fee_qty-<name>``).
    """
    rules = version_fees(version)
    if at_counter:
        quantities = fee_counts_from_data(data, rules.quantity_names())
        names = COUNTER_NAMES
    else:
        answers = (
            form_data
            if form_data is not None
            else {k.removeprefix("eform-"): v for k, v in data.items() if k.startswith("eform-")}
        )
        quantities = eform_quantities(version.eform, answers)
        names = ONLINE_NAMES
    return rules.quote(
        channel=int(channel),
        quantities=quantities,
        claims=fee_claims_from_data(data),
        on=on,
        counted=at_counter,
        partial=partial,
        require_proofs=require_proofs,
        names=names,
    )


def fee_quote_checked(
    *,
    version: ProcedureVersion,
    channel: int,
    data: Mapping[str, Any],
    form_data: Mapping[str, Any] | None,
    on: dt.date,
    errors: dict[str, list[Any]],
    at_counter: bool = False,
) -> FeeQuote:
    """Return the fee lines of a submission, adding its problems to ``errors`` (no raise).

    ``form_data`` None means the e-form itself was refused: its counts are
    then not asked again, but the claims are still checked, so the applicant
    sees every problem at once. At the counter a count left blank leaves its
    line waiting (the officer may count later, ``dossier_fees_replace``; a
    caller that sends no fee inputs keeps working); a count that is not a
    whole number, or a claim without its proof, is refused.
    """
    try:
        with translation.override(settings.LANGUAGE_CODE):
            return fee_quote_for(
                version=version,
                channel=channel,
                data=data,
                form_data=form_data if form_data is not None else {},
                on=on,
                at_counter=at_counter,
                partial=form_data is None or at_counter,
                require_proofs=True,
            )
    except DomainError as exc:
        for name, messages in exc.field_errors.items():
            errors.setdefault(name, []).extend(messages)
        return FeeQuote()


def fee_claims_fingerprint(data: Mapping[str, Any]) -> list[list[str]]:
    """Return the claims of ``data`` in a stable order, for a request's fingerprint."""
    return sorted([c.code, c.proof] for c in fee_claims_from_data(data))


def fee_lines_insert(
    *,
    dossier: Dossier,
    quote: FeeQuote,
    now: dt.datetime,
    actor: AbstractBaseUser | None = None,
) -> list[DossierFee]:
    """Write the lines of ``quote`` for ``dossier``, in the caller's transaction."""
    return DossierFee.objects.bulk_create(
        DossierFee(
            dossier=dossier,
            order=order,
            code=line.code,
            kind=line.kind,
            name=line.name[:255],
            basis=line.basis,
            due=line.due,
            copies=line.copies,
            pages=line.pages,
            base_amount=line.base_amount,
            amount=line.amount,
            rule_text=line.rule_text[:500],
            exemption_code=line.exemption_code,
            exemption_text=line.exemption_text[:500],
            reduction_percent=line.reduction_percent,
            claims=[{"code": c.code, "proof": c.proof} for c in line.claims],
            waiting_for=list(line.waiting_for),
            legal_basis=line.legal_basis,
            computed_at=now,
            computed_by_id=actor.pk if actor is not None else None,
        )
        for order, line in enumerate(quote.lines, start=1)
    )


def _line(row: DossierFee) -> FeeLine:
    return FeeLine(
        code=row.code,
        kind=row.kind,
        name=row.name,
        basis=row.basis,
        due=row.due,
        rule_text=row.rule_text,
        base_amount=row.base_amount,
        amount=row.amount,
        copies=row.copies,
        pages=row.pages,
        exemption_code=row.exemption_code,
        exemption_text=row.exemption_text,
        reduction_percent=row.reduction_percent,
        claims=tuple(Claim(str(c.get("code", "")), str(c.get("proof", ""))) for c in row.claims),
        legal_basis=row.legal_basis,
        waiting_for=tuple(str(n) for n in row.waiting_for),
    )


def dossier_fee_lines(*, dossier: Dossier | int) -> FeeQuote:
    """Return the fee lines stored for ``dossier`` and their totals (one query).

    A dossier submitted before fees were rules has no lines: the quote is empty.
    """
    rows = DossierFee.objects.filter(
        dossier_id=dossier.pk if isinstance(dossier, Dossier) else dossier
    ).order_by("order", "id")
    return FeeQuote(tuple(_line(row) for row in rows))


def _snapshot(quote: FeeQuote) -> list[dict[str, Any]]:
    return [
        {
            "code": line.code,
            "amount": line.amount,
            "due": line.due,
            "copies": line.copies,
            "pages": line.pages,
            "exemption": line.exemption_code,
            "claims": [[c.code, c.proof] for c in line.claims],
        }
        for line in quote.lines
    ]


@transaction.atomic
def dossier_fees_replace(
    *,
    dossier: Dossier | int,
    actor: AbstractBaseUser,
    quantities: Mapping[str, Any],
    claims: Sequence[Claim],
    now: dt.datetime | None = None,
) -> FeeQuote:
    """Recompute ``dossier``'s fee lines with the officer's counts and the claims now accepted.

    Locks the dossier row (``select_for_update``). The rules are those of the
    dossier's version and channel, in force on the day it was received;
    counts not in ``quantities`` are the e-form's answers. Every count is
    then needed: a missing one, a claim without its proof or an unknown
    claim raises ValidationFailed (keyed ``fee_qty-<name>``, ``fee_claim``,
    ``fee_proof-<code>``) and nothing changes. The old lines are replaced in
    one go, with an audit entry of both.
    """
    now = now or timezone.now()
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    locked = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure_version")
        .get(pk=pk)
    )
    version = locked.procedure_version
    rules = version_fees(version)
    counts = {**eform_quantities(version.eform, locked.form_data), **quantities}
    with translation.override(settings.LANGUAGE_CODE):
        quote = rules.quote(
            channel=Channel(locked.channel),
            quantities=counts,
            claims=claims,
            on=timezone.localdate(locked.received_at),
            counted=True,
            names=COUNTER_NAMES,
        )
    before = dossier_fee_lines(dossier=locked)
    DossierFee.objects.filter(dossier=locked).delete()
    fee_lines_insert(dossier=locked, quote=quote, now=now, actor=actor)
    audit_record(
        action="dossier.fees_replace",
        target=locked,
        actor=actor,
        before={"lines": _snapshot(before)},
        after={"lines": _snapshot(quote)},
    )
    return quote
