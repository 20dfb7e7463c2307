"""Looking up one's dossiers without an account: identification number and phone, then a
one-time code sent by SMS.

For the applicant who submitted at a counter, by post or anonymously online
and has no national-identity sign-in. ``lookup_code_request`` records every
request (matched or not: the limits count alike, and the answer is the same,
so nobody learns who has dossiers) and, when dossiers carry both the number
and the phone, writes the SMS with a 6-digit code to the outbox in the same
transaction. ``lookup_code_verify`` checks a code (limited tries, expiry) and
returns the dossiers it opens; ``lookup_dossiers`` lists them read-only.

Nothing here logs the number, the phone or the code. Both are kept only as
keyed hashes (HMAC with ``SECRET_KEY``), the code too; the SMS text holds the
code until it is sent (``outbox``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from motcua.audit.models import AuditChannel, AuditKind, ReadAction
from motcua.audit.services import audit_dossiers_read, audit_record
from motcua.core.errors import DomainError, ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.outbox.services import lookup_codes_expire, message_lookup_code

from .models import LookupCode
from .selectors import DOSSIER_ROW_FIELDS, MY_DOSSIERS_LIMIT, MyDossier, dossier_rows

INVALID_NUMBER = _(
    "Enter the identification number on your dossier: the 12-digit personal identification "
    "number, or the tax or enterprise code of an organisation."
)
INVALID_PHONE = _("Enter the phone number given on your dossier, e.g. 0912345678.")
INVALID_INPUT = _("Check the details you entered.")
TOO_MANY_CODES = _(
    "Too many codes were asked for these details or from this connection. Please try again "
    "in an hour."
)
CODE_EXPIRED = _("This code has expired or was already used. Ask for a new code.")
TOO_MANY_TRIES = _("Too many wrong codes. Ask for a new code.")
WRONG_CODE = _("This code is not right. Check the SMS and try again.")
INVALID_CODE = _("Enter the 6 digits of the code sent by SMS.")
CODE_SENT = _(
    "If the details match a dossier, a code was sent by SMS to that phone. It is valid for "
    "%(minutes)d minutes."
)
LOOKUP_ENDED = _("Your lookup has ended. Ask for a new code to see your dossiers again.")

CODE_DIGITS = 6
KEEP_ROWS = dt.timedelta(days=1)
CODE_SENT_ACTION = "lookup.code_sent"
VERIFIED_ACTION = "lookup.verified"
LOOKUP_TYPE = "applicants.lookupcode"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


class CodeRefused(DomainError):
    """A code that can no longer open anything: expired, used, or out of tries."""

    status = 400
    code = "code_refused"


REFERENCE_SALT = "motcua.applicants.lookup.reference"


def lookup_reference(row: LookupCode) -> str:
    """Return an opaque, signed reference to a request, for an API client to send back with
    the code (a bare id would let anyone try codes against others' requests)."""
    return signing.dumps(row.pk, salt=REFERENCE_SALT)


def lookup_of_reference(reference: str) -> int:
    """Return the request id of a reference, or raise CodeRefused (forged, or over a day old)."""
    try:
        pk = signing.loads(reference, salt=REFERENCE_SALT, max_age=KEEP_ROWS)
    except signing.BadSignature as exc:
        raise CodeRefused(CODE_EXPIRED) from exc
    if not isinstance(pk, int):
        raise CodeRefused(CODE_EXPIRED)
    return pk


def normal_number(value: str) -> str:
    """Return an identification number as dossiers hold it, or "" if it cannot be one.

    Digits, with the dash of a branch's tax code ("0101234567-001"); spaces and
    dots dropped. 9 digits (old identity card) to 14 characters.
    """
    number = "".join(ch for ch in value.strip() if ch not in " .")
    if not 9 <= len(number) <= 14 or not number[0].isdigit():
        return ""
    if any(not (ch.isdigit() or ch == "-") for ch in number):
        return ""
    return number


def normal_phone(value: str) -> str:
    """Return a phone number as "0" and 9 or 10 digits ("+84 912 345 678" -> "0912345678"),
    or "" if it cannot be one."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if value.strip().startswith("+") or (digits.startswith("84") and len(digits) >= 11):
        digits = "0" + digits[2:] if digits.startswith("84") else ""
    if not digits.startswith("0") or not 10 <= len(digits) <= 11:
        return ""
    return digits


def _key(kind: str, value: str) -> str:
    return salted_hmac(f"motcua.applicants.lookup.{kind}", value, algorithm="sha256").hexdigest()


def _code_hash(number_key: str, code: str) -> str:
    return _key("code", f"{number_key}:{code}")


def _matching(number: str, phone: str) -> list[tuple[int, str]]:
    """Return (id, phone as given) of the dossiers with ``number`` and ``phone``, newest first
    (one query, on the number's index)."""
    rows = (
        Dossier.objects.filter(applicant_id_number=number)
        .order_by("-received_at", "-id")
        .values_list("pk", "applicant_phone")[:MY_DOSSIERS_LIMIT]
    )
    return [(pk, given) for pk, given in rows if normal_phone(given) == phone]


def _limited(*, number_key: str, phone_key: str, address: str | None, now: dt.datetime) -> bool:
    """Tell whether one more code may not be asked now (every request counts, matched or
    not)."""
    recent = LookupCode.objects.filter(created_at__gt=now - dt.timedelta(hours=1))
    per_hour: int = settings.MOTCUA_LOOKUP_CODES_PER_HOUR
    if recent.filter(Q(number_key=number_key) | Q(phone_key=phone_key)).count() >= per_hour:
        return True
    per_address: int = settings.MOTCUA_LOOKUP_CODES_PER_ADDRESS_HOUR
    return address is not None and recent.filter(address=address).count() >= per_address


def lookup_code_request(
    *,
    id_number: str,
    phone: str,
    address: str | None,
    language: str = "vi",
    now: dt.datetime | None = None,
) -> LookupCode:
    """Record a request for a one-time code and, if dossiers match both details, write the SMS.

    Raises ValidationFailed for details that cannot be a number or a phone,
    RateLimited past the hourly limits (per number, per phone, per address),
    whether or not anything matched. Otherwise returns the request's row
    whatever matched: the caller answers the same either way. A sent code is
    an audit entry (how many dossiers, the message); earlier codes of the
    same number stop working. Rows older than a day are deleted here, and
    code SMS left unsent past their expiry given up.
    """
    number, phone_number = normal_number(id_number), normal_phone(phone)
    errors = {}
    if not number:
        errors["id_number"] = [INVALID_NUMBER]
    if not phone_number:
        errors["phone"] = [INVALID_PHONE]
    if errors:
        raise ValidationFailed(INVALID_INPUT, field_errors=errors)
    now = now or timezone.now()
    minutes: int = settings.MOTCUA_LOOKUP_CODE_MINUTES
    number_key, phone_key = _key("number", number), _key("phone", phone_number)
    with transaction.atomic():
        LookupCode.objects.filter(created_at__lt=now - KEEP_ROWS).delete()
        lookup_codes_expire(before=now - dt.timedelta(minutes=minutes))
        if _limited(number_key=number_key, phone_key=phone_key, address=address, now=now):
            raise RateLimited(TOO_MANY_CODES)
        matches = _matching(number, phone_number)
        LookupCode.objects.filter(number_key=number_key, used_at=None, expires_at__gt=now).update(
            expires_at=now
        )
        row = LookupCode(
            number_key=number_key,
            phone_key=phone_key,
            address=address,
            dossier_ids=[pk for pk, _given in matches],
            created_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
        )
        code = ""
        if matches:
            code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            row.code_hash = _code_hash(number_key, code)
        row.save()
        if matches:
            message = message_lookup_code(
                phone=matches[0][1], otp=code, minutes=minutes, language=language, now=now
            )
            audit_record(
                action=CODE_SENT_ACTION,
                target=(LOOKUP_TYPE, str(row.pk), str(row)),
                after={"dossiers": len(matches), "message": message.pk},
                at=now,
            )
    return row


@dataclass(frozen=True)
class Opened:
    """What a right code opens: these dossiers, until then."""

    dossier_ids: list[int]
    until: dt.datetime


def lookup_code_verify(*, lookup_id: int, code: str, now: dt.datetime | None = None) -> Opened:
    """Check ``code`` against the request ``lookup_id``; return the dossiers it opens.

    Locks the request's row (``select_for_update``): two tries at once count
    as two. Each try counts, the wrong ones too (kept when the try fails).
    Raises ValidationFailed (wrong code, or not 6 digits: a malformed code
    costs no try) or CodeRefused (expired, used, too many tries). A right
    code is used up and written to the audit log.
    """
    now = now or timezone.now()
    digits = "".join(ch for ch in code if not ch.isspace())
    if len(digits) != CODE_DIGITS or not digits.isdigit():
        raise ValidationFailed(INVALID_CODE, field_errors={"code": [INVALID_CODE]})
    tries: int = settings.MOTCUA_LOOKUP_CODE_TRIES
    failure: DomainError | None = None
    with transaction.atomic():
        row = LookupCode.objects.select_for_update().filter(pk=lookup_id).first()
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise CodeRefused(CODE_EXPIRED)
        if row.tries >= tries:
            raise CodeRefused(TOO_MANY_TRIES)
        row.tries += 1
        right = bool(row.code_hash) and constant_time_compare(
            row.code_hash, _code_hash(row.number_key, digits)
        )
        if right:
            row.used_at = now
            audit_record(
                action=VERIFIED_ACTION,
                target=(LOOKUP_TYPE, str(row.pk), str(row)),
                after={"dossiers": row.dossier_ids},
                kind=AuditKind.ACCESS,
                at=now,
            )
        elif row.tries >= tries:
            failure = CodeRefused(TOO_MANY_TRIES)
        else:
            failure = ValidationFailed(WRONG_CODE, field_errors={"code": [WRONG_CODE]})
        row.save(update_fields=["tries", "used_at"])
    if failure is not None:
        raise failure
    minutes: int = settings.MOTCUA_LOOKUP_SESSION_MINUTES
    return Opened(dossier_ids=list(row.dossier_ids), until=now + dt.timedelta(minutes=minutes))


def lookup_dossiers(
    dossier_ids: list[int],
    *,
    lookup_id: int | None = None,
    channel: AuditChannel = AuditChannel.PAGE,
) -> list[MyDossier]:
    """Return the dossiers a code opened, newest first, read-only, and write their read to the
    audit log (one entry each, two queries in all)."""
    rows = list(
        Dossier.objects.filter(pk__in=dossier_ids[:MY_DOSSIERS_LIMIT])
        .order_by("-received_at", "-id")
        .values(*DOSSIER_ROW_FIELDS)
    )
    if rows:
        audit_dossiers_read(
            action=ReadAction.LOOKUP,
            dossiers=[(row["id"], row["code"]) for row in rows],
            actor=None,
            channel=channel,
            note=f"lookup #{lookup_id}" if lookup_id else "",
        )
    return dossier_rows(rows, read_only=True)
