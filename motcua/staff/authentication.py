"""API authentication of staff: the unexpired token, its user and the user's roles in one query."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from .models import StaffRole
from .selectors import ROLES_CACHE
from .services import token_lifetime

INVALID_TOKEN = _("Invalid or expired token.")
INACTIVE = _("User inactive or deleted.")


def _token_sql() -> tuple[str, list[str]]:
    """The one statement of ``StaffTokenAuthentication``: the token, its user, the user's roles.

    One row per active role (one row with null roles for a user without any),
    the user's columns first; no row for an unknown or expired token (the
    statement takes the oldest accepted issue time as a parameter, so the
    expiry costs no query of its own). Written from the models' metadata, so it follows
    their tables and columns; kept as SQL because building it with the ORM
    costs more than running it (about 2 ms of Python for 0.1 ms in PostgreSQL).
    """
    user_model = get_user_model()
    fields = user_model._meta.concrete_fields

    def quote(name: str | None) -> str:
        return str(connection.ops.quote_name(str(name)))

    pk = quote(user_model._meta.pk.column if user_model._meta.pk else "id")
    sql = (
        "SELECT "  # noqa: S608 - names from the models' metadata, the key is a parameter
        + ", ".join(f"u.{quote(f.column)}" for f in fields)
        + ", t.created, r.agency_id, r.role"
        + f" FROM {quote(Token._meta.db_table)} t"
        + f" JOIN {quote(user_model._meta.db_table)} u ON u.{pk} = t.user_id"
        + f" LEFT JOIN {quote(StaffRole._meta.db_table)} r"
        + f" ON r.user_id = u.{pk} AND r.is_active = %s"
        + f" WHERE t.{quote('key')} = %s AND t.{quote('created')} > %s"
    )
    return sql, [f.attname for f in fields]


class StaffTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, reading the user's roles with the token.

    A token is refused once ``MOTCUA_API_TOKEN_HOURS`` have passed since it
    was issued, when it was revoked (deleted) and when its user is inactive.

    The roles are remembered on the user object as ``user_agency_roles``
    remembers them, so a staff request asks the database once for who it is
    and what it may do.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        sql, attnames = _token_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, [True, key, timezone.now() - token_lifetime()])
            rows = cursor.fetchall()
        if not rows:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        n = len(attnames)
        user = get_user_model().from_db(connection.alias, attnames, rows[0][:n])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(INACTIVE)
        roles: dict[int, set[str]] = {}
        for row in rows:
            agency_id, role = row[n + 1], row[n + 2]
            if agency_id is not None:
                roles.setdefault(int(agency_id), set()).add(role)
        setattr(user, ROLES_CACHE, {a: frozenset(r) for a, r in roles.items()})
        token = Token(key=key, user=user, created=rows[0][n])
        token._state.adding = False
        return user, token
