"""Applicants for page tests: signed in directly (the flow itself is tested in test_sign_in)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from motcua.applicants.claims import Identity
from motcua.applicants.models import Applicant
from motcua.applicants.services import applicant_sign_in

HOA = Identity(
    subject="sub-hoa",
    id_number="048185012345",
    name="Nguyễn Thị Hoa",
    birthdate=None,
    phone="0905123456",
    email="hoa@example.vn",
    kind="person",
    tax_code="",
    loa=2,
)
BINH = Identity(
    subject="sub-binh",
    id_number="049090054321",
    name="Trần Văn Bình",
    birthdate=None,
    phone="",
    email="",
    kind="person",
    tax_code="",
    loa=2,
)


def signed_in(client: Client, identity: Identity = HOA, **changes: Any) -> Applicant:
    """Create the applicant of ``identity`` and sign ``client`` in as them."""
    applicant = applicant_sign_in(identity=Identity(**{**identity.__dict__, **changes}))
    client.force_login(applicant.user, backend="motcua.applicants.oidc.IdentityBackend")
    return applicant


def applicant_user(id_number: str) -> Any:
    """Return the user of an applicant holding ``id_number`` (created at first sign-in)."""
    identity = Identity(**{**HOA.__dict__, "id_number": id_number, "subject": f"sub-{id_number}"})
    return applicant_sign_in(identity=identity).user
