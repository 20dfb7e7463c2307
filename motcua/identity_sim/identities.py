"""The demo identities the simulator offers: people of the demo province and a business.

Their numbers are those of the demo's dossiers (``motcua.demo``), so a
dossier taken at the counter for the same person appears in their
"Hồ sơ của tôi" too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings

from motcua.demo.dossier_data import COMPANIES, PEOPLE
from motcua.demo.dossiers import identity_number

USERNAME_PREFIX = "vneid-sim:"


@dataclass(frozen=True)
class SimIdentity:
    """A national identity as the simulator describes it (the provider's side)."""

    key: str
    subject: str
    name: str
    id_number: str
    birthdate: dt.date | None
    phone: str
    email: str
    account_type: str  # "citizen" or "organisation"
    tax_code: str
    loa: int
    description: str

    @property
    def username(self) -> str:
        """Return the simulator's user for this identity (the provider's account, not ours)."""
        return f"{USERNAME_PREFIX}{self.key}"

    def claims(self) -> dict[str, Any]:
        """Return the claims, under the names the portal is configured to read."""
        names: dict[str, str] = settings.MOTCUA_IDENTITY_CLAIMS
        values = {
            "id_number": self.id_number,
            "name": self.name,
            "birthdate": self.birthdate.isoformat() if self.birthdate else "",
            "phone": self.phone,
            "email": self.email,
            "account_type": self.account_type,
            "tax_code": self.tax_code,
            "loa": self.loa,
        }
        return {names[meaning]: value for meaning, value in values.items() if value != ""}


def _person(key: str, index: int, loa: int, description: str, email: str) -> SimIdentity:
    person = PEOPLE[index]
    return SimIdentity(
        key=key,
        subject=f"sim-{key}",
        name=person.name,
        id_number=identity_number(index),
        birthdate=dt.date(person.born, 3 + index % 9, 1 + index * 3 % 27),
        phone=person.phone,
        email=email,
        account_type="citizen",
        tax_code="",
        loa=loa,
        description=description,
    )


@cache
def demo_identities() -> tuple[SimIdentity, ...]:
    """Return the demo identities: citizens at levels 2 and 1, and a business (level 2)."""
    company, representative = COMPANIES["son_tra"]
    return (
        _person(
            "cong-dan-muc-2",
            0,
            2,
            "Công dân, tài khoản định danh mức 2 (có hồ sơ nộp tại quầy)",
            "hung.nguyen@congdan.example",
        ),
        _person(
            "cong-dan-muc-2-b",
            3,
            2,
            "Công dân, tài khoản định danh mức 2",
            "ha.pham@congdan.example",
        ),
        _person(
            "cong-dan-muc-1",
            2,
            1,
            "Công dân, tài khoản định danh mức 1 (bị từ chối khi nộp trực tuyến)",
            "",
        ),
        SimIdentity(
            key="doanh-nghiep",
            subject="sim-doanh-nghiep",
            name=company,
            id_number=identity_number(representative),
            birthdate=None,
            phone="0905822111",  # a mobile: SMS go to mobiles only
            email="lienhe@sontraxanh.example",
            account_type="organisation",
            tax_code="0401234567",
            loa=2,
            description="Doanh nghiệp, tài khoản định danh của tổ chức mức 2",
        ),
    )


def identity_by_key(key: str) -> SimIdentity | None:
    return next((i for i in demo_identities() if i.key == key), None)


def identity_by_username(username: str) -> SimIdentity | None:
    return identity_by_key(username.removeprefix(USERNAME_PREFIX))
