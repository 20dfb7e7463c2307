"""API authentication of staff: the token, its user and the user's roles in one query."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from .models import StaffRole
from .selectors import ROLES_CACHE

INVALID_TOKEN = _("Invalid token.")
INACTIVE = _("User inactive or deleted.")


class Joined(Aggregate):
    """The values of a group joined with commas (STRING_AGG; GROUP_CONCAT on SQLite)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def _roles_joined() -> Subquery:
    """A subquery of a token's user's active roles as ``agency:role,agency:role``."""
    return Subquery(
        StaffRole.objects.filter(user_id=OuterRef("user_id"), is_active=True)
        .order_by()
        .values("user_id")
        .annotate(joined=Joined(Concat(Cast("agency_id", CharField()), Value(":"), "role")))
        .values("joined")[:1],
        output_field=CharField(),
    )


def roles_from(joined: str | None) -> dict[int, frozenset[str]]:
    """Return ``{agency id: roles}`` from the joined text of ``_roles_joined``."""
    found: dict[int, set[str]] = {}
    for pair in (joined or "").split(","):
        agency, _sep, role = pair.partition(":")
        if agency.isdigit() and role:
            found.setdefault(int(agency), set()).add(role)
    return {agency: frozenset(roles) for agency, roles in found.items()}


class StaffTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, reading the user's roles with the token.

    The roles are remembered on the user object as ``user_agency_roles``
    remembers them, so a staff request asks the database once for who it is
    and what it may do.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        token = (
            Token.objects.select_related("user")
            .annotate(roles_joined=_roles_joined())
            .filter(key=key)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(INACTIVE)
        setattr(token.user, ROLES_CACHE, roles_from(token.roles_joined))
        return token.user, token
