"""The identity's claims, mapped to an applicant by the names set in ``MOTCUA_IDENTITY_CLAIMS``.

The national identity's user information carries the personal identification
number, name, date of birth, phone, e-mail, account type (citizen or
organisation), tax or enterprise code and level of assurance (LoA). Every
check that can refuse a sign-in is here, with the message the person sees.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import ApplicantKind
from motcua.dossiers.services import valid_id_number

LOA_TOO_LOW = _(
    "Your electronic identity account is at level %(loa)s. Online public services here "
    "need a level %(required)s account: activate level %(required)s in the VNeID app "
    "(at the police of your commune or ward), then sign in again."
)
NO_ID_NUMBER = _(
    "The national identity did not give a valid 12-digit personal identification number: "
    "you were not signed in."
)
NO_NAME = _("The national identity did not give your full name: you were not signed in.")
BAD_ACCOUNT_TYPE = _("The national identity gave an unknown account type: you were not signed in.")
NO_SUBJECT = _("The national identity did not say who you are: you were not signed in.")

_PHONE = re.compile(r"^(?:0|\+?84)\d{9,10}$")
_CITIZEN = {"citizen", "person", "1", "cong_dan", "công dân"}
_ORGANISATION = {"organisation", "organization", "business", "enterprise", "2", "doanh_nghiep"}


class IdentityRefused(Exception):
    """An identity this site does not accept; ``message`` says why, for the person."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Identity:
    """An applicant as the identity provider describes them."""

    subject: str
    id_number: str
    name: str
    birthdate: dt.date | None
    phone: str
    email: str
    kind: str
    tax_code: str
    loa: int


def _claim(claims: Mapping[str, Any], meaning: str) -> str:
    names: dict[str, str] = settings.MOTCUA_IDENTITY_CLAIMS
    value = claims.get(names.get(meaning, meaning))
    return "" if value is None else str(value).strip()


def _birthdate(value: str) -> dt.date | None:
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, layout).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None


def _email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        return ""  # the applicant types one: a bad address must not block the submission
    return value


def _phone(value: str) -> str:
    phone = re.sub(r"[\s.\-()]", "", value)
    return phone if _PHONE.match(phone) else ""


def identity_from_claims(claims: Mapping[str, Any]) -> Identity:
    """Map the identity's claims to an ``Identity``, or raise ``IdentityRefused`` saying why.

    Refused: no subject, no valid 12-digit identification number, no name, an
    unknown account type, or a level of assurance below ``MOTCUA_SUBMIT_MIN_LOA``.
    """
    subject = _claim(claims, "subject")
    if not subject:
        raise IdentityRefused(NO_SUBJECT)
    loa_text = _claim(claims, "loa")
    loa = int(loa_text) if loa_text.isdigit() else 0
    required: int = settings.MOTCUA_SUBMIT_MIN_LOA
    if loa < required:
        raise IdentityRefused(LOA_TOO_LOW % {"loa": loa or 1, "required": required})
    id_number = _claim(claims, "id_number").replace(" ", "")
    if not valid_id_number(id_number):
        raise IdentityRefused(NO_ID_NUMBER)
    name = " ".join(_claim(claims, "name").split())
    if not name or len(name) > 200:
        raise IdentityRefused(NO_NAME)
    account = _claim(claims, "account_type").lower() or "citizen"
    if account in _CITIZEN:
        kind = ApplicantKind.PERSON
    elif account in _ORGANISATION:
        kind = ApplicantKind.ORGANISATION
    else:
        raise IdentityRefused(BAD_ACCOUNT_TYPE)
    return Identity(
        subject=subject[:255],
        id_number=id_number,
        name=name,
        birthdate=_birthdate(_claim(claims, "birthdate")),
        phone=_phone(_claim(claims, "phone")),
        email=_email(_claim(claims, "email")[:254]),
        kind=str(kind),
        tax_code=_claim(claims, "tax_code")[:20] if kind == ApplicantKind.ORGANISATION else "",
        loa=loa,
    )
