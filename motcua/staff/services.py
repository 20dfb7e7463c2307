"""Writes on staff accounts: the account itself, roles in agencies, TOTP devices, API tokens."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from motcua.audit.models import AuditKind
from motcua.audit.services import audit_record, snapshot
from motcua.core.errors import Forbidden
from motcua.organisation.models import Agency

from .models import Role, StaffRole
from .selectors import user_agency_roles_forget

NOT_TO_ONESELF = _(
    "You cannot grant a role to yourself: ask another administrator of the province."
)


def is_province_admin(actor: Any) -> bool:
    """Tell whether ``actor`` administers the whole province (Django staff or superuser)."""
    return bool(getattr(actor, "is_superuser", False) or getattr(actor, "is_staff", False))


@transaction.atomic
def staff_role_grant(
    *, user: AbstractBaseUser, role: Role | str, agency: Agency, actor: Any = None
) -> StaffRole:
    """Give ``user`` the ``role`` in ``agency``, reactivating a revoked grant.

    Records who granted it (``actor``; None: the system, as the demo loader)
    and writes an audit entry. An agency administrator cannot grant a role to
    themselves. Lock the existing row (``select_for_update``) so two grants
    at once make one row.
    """
    if actor is not None and actor.pk == user.pk and not is_province_admin(actor):
        raise Forbidden(NOT_TO_ONESELF)
    staff_role, created = StaffRole.objects.select_for_update().get_or_create(
        user_id=user.pk,
        role=str(role),
        agency=agency,
        defaults={
            "is_active": True,
            "granted_by_id": getattr(actor, "pk", None),
            "granted_at": timezone.now(),
        },
    )
    if created or not staff_role.is_active:
        if not created:
            staff_role.is_active = True
            staff_role.granted_by_id = getattr(actor, "pk", None)
            staff_role.granted_at = timezone.now()
            staff_role.save(update_fields=["is_active", "granted_by", "granted_at"])
        audit_record(
            action="staff_role.grant",
            target=staff_role,
            actor=actor,
            before=None if created else {"is_active": False},
            after=_grant(staff_role),
        )
    user_agency_roles_forget(user=user)
    return staff_role


def _grant(staff_role: StaffRole) -> dict[str, Any]:
    return {
        "user": staff_role.user_id,
        "role": staff_role.role,
        "agency": staff_role.agency_id,
        "is_active": staff_role.is_active,
    }


@transaction.atomic
def staff_role_revoke(
    *, user: AbstractBaseUser, role: Role | str, agency: Agency, actor: Any = None
) -> bool:
    """Deactivate ``user``'s ``role`` in ``agency``; return whether a grant was active.

    The row is kept (not deleted) so past timeline entries still name the
    role; an audit entry says who revoked it.
    """
    staff_role = (
        StaffRole.objects.select_for_update()
        .filter(user_id=user.pk, role=str(role), agency=agency, is_active=True)
        .first()
    )
    if staff_role is not None:
        staff_role.is_active = False
        staff_role.save(update_fields=["is_active"])
        audit_record(
            action="staff_role.revoke",
            target=staff_role,
            actor=actor,
            before={"is_active": True},
            after=_grant(staff_role),
        )
    user_agency_roles_forget(user=user)
    return staff_role is not None


@transaction.atomic
def totp_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """Return ``user``'s pending (unconfirmed) TOTP device, creating it if needed.

    Lock the user's pending devices (``select_for_update``) so a double click makes one.
    """
    pending = (
        TOTPDevice.objects.select_for_update()
        .filter(user_id=user.pk, confirmed=False)
        .order_by("pk")
        .first()
    )
    if pending is not None:
        return pending
    return TOTPDevice.objects.create(user_id=user.pk, name="default", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm ``device`` when ``token`` is its current code; return whether it was.

    Lock the device row (``select_for_update``) so a code is accepted once.
    """
    locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not locked.verify_token(token):
        return False
    locked.confirmed = True
    locked.save(update_fields=["confirmed"])
    device.refresh_from_db()
    return True


def totp_token_verify(*, user: AbstractBaseUser, token: str) -> bool:
    """Tell whether ``token`` is the current code of one of ``user``'s confirmed devices.

    django-otp records the use (and throttles failures) on the device row.
    """
    return match_token(user, token) is not None


def token_lifetime() -> dt.timedelta:
    """Return how long an API token lasts (``MOTCUA_API_TOKEN_HOURS``)."""
    return dt.timedelta(hours=settings.MOTCUA_API_TOKEN_HOURS)


def token_expires_at(token: Token) -> dt.datetime:
    """Return when ``token`` stops being accepted."""
    expires: dt.datetime = token.created + token_lifetime()
    return expires


def _token_target(user: AbstractBaseUser) -> tuple[str, str, str]:
    # The key never goes into the log: the entry names the token by its user.
    return (Token._meta.label_lower, str(user.pk), f"API token: {user.get_username()}")


@transaction.atomic
def staff_token_obtain(*, user: AbstractBaseUser) -> Token:
    """Return ``user``'s API token: the current one while it lasts, else a new one.

    Writes an ``auth.token_issue`` audit entry either way (the token was handed
    out). Lock the user row (``select_for_update``) so two requests at once
    make one token.
    """
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    current = Token.objects.filter(user_id=user.pk).first()
    renewed = current is None or token_expires_at(current) <= timezone.now()
    if current is not None and renewed:
        current.delete()
    token = Token.objects.create(user_id=user.pk) if renewed or current is None else current
    audit_record(
        action="auth.token_issue",
        kind=AuditKind.ACCESS,
        target=_token_target(user),
        actor=user,
        after={"created": token.created, "expires": token_expires_at(token), "new": renewed},
    )
    return token


def staff_token_issue(*, user: AbstractBaseUser) -> str:
    """Return the key of ``user``'s API token (``staff_token_obtain``)."""
    return str(staff_token_obtain(user=user).key)


@transaction.atomic
def staff_token_revoke(*, user: AbstractBaseUser, actor: Any = None, reason: str = "") -> bool:
    """Delete ``user``'s API token; return whether there was one (audited)."""
    deleted, _by_model = Token.objects.filter(user_id=user.pk).delete()
    if deleted:
        audit_record(
            action="auth.token_revoke",
            kind=AuditKind.ACCESS,
            target=_token_target(user),
            actor=actor,
            note=reason,
        )
    return bool(deleted)


def _sessions_end(*, user: AbstractBaseUser, keep_session_key: str | None) -> int:
    """Delete the stored sessions signed in as ``user`` (but ``keep_session_key``).

    Reads the unexpired sessions of a database-backed engine and decodes each
    (a session does not index its user); other engines are left to Django's
    own checks (an inactive user or a changed password is refused on the next
    request).
    """
    store: Any = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DatabaseSessionStore):
        return 0
    model = store.get_model_class()
    ended = []
    for session in model.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep_session_key:
            continue
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            ended.append(session.session_key)
    for key in ended:
        store(session_key=key).delete(key)  # also from the cache of a cached_db engine
    return len(ended)


@transaction.atomic
def staff_account_sessions_end(
    *,
    user: AbstractBaseUser,
    actor: Any = None,
    reason: str,
    keep_session_key: str | None = None,
) -> int:
    """End every session of ``user`` and revoke their API token; return the sessions ended.

    ``keep_session_key``: the session of an administrator changing their own
    password stays signed in (as Django keeps it). Audited
    (``auth.sessions_end``, and ``auth.token_revoke`` when there was a token).
    """
    ended = _sessions_end(user=user, keep_session_key=keep_session_key)
    staff_token_revoke(user=user, actor=actor, reason=reason)
    audit_record(
        action="auth.sessions_end",
        kind=AuditKind.ACCESS,
        target=user,
        actor=actor,
        after={"sessions": ended},
        note=reason,
    )
    return ended


ACCOUNT_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
)


@transaction.atomic
def staff_account_save(*, user: AbstractBaseUser, actor: Any) -> AbstractBaseUser:
    """Save the changes made on ``user`` (an edited instance) and audit them.

    Deactivating the account ends its sessions and revokes its API token
    (``staff_account_sessions_end``), so a compromised account is stopped at
    once; reactivating it lets it sign in again, with new sessions only. Lock
    the stored row (``select_for_update``) to compare with what it was.
    """
    stored = get_user_model().objects.select_for_update().get(pk=user.pk)
    before, after = snapshot(stored, ACCOUNT_FIELDS), snapshot(user, ACCOUNT_FIELDS)
    user.save()
    changes = [name for name in ACCOUNT_FIELDS if before[name] != after[name]]
    if not changes:
        return user
    action = "account.change"
    if "is_active" in changes:
        action = "account.reactivate" if after["is_active"] else "account.deactivate"
    audit_record(
        action=action,
        target=user,
        actor=actor,
        before={name: before[name] for name in changes},
        after={name: after[name] for name in changes},
    )
    if action == "account.deactivate":
        staff_account_sessions_end(user=user, actor=actor, reason=action)
    return user


@transaction.atomic
def staff_account_created(*, user: AbstractBaseUser, actor: Any) -> None:
    """Record that ``actor`` created the account ``user`` (saved by the admin's add form)."""
    audit_record(
        action="account.create", target=user, actor=actor, after=snapshot(user, ACCOUNT_FIELDS)
    )


@transaction.atomic
def staff_account_set_active(*, user: AbstractBaseUser, active: bool, actor: Any) -> bool:
    """Deactivate or reactivate ``user`` (``staff_account_save``); return whether it changed."""
    if user.is_active == active:
        return False
    user.is_active = active
    staff_account_save(user=user, actor=actor)
    return True


@transaction.atomic
def staff_account_password_changed(
    *, user: AbstractBaseUser, actor: Any, keep_session_key: str | None = None
) -> None:
    """Record that ``user``'s password was changed and end their other sessions and token."""
    audit_record(action="account.password_change", target=user, actor=actor)
    staff_account_sessions_end(
        user=user,
        actor=actor,
        reason="account.password_change",
        keep_session_key=keep_session_key,
    )


@transaction.atomic
def staff_account_ensure(
    *, username: str, full_name: str, password: str, email: str = "", is_staff: bool = False
) -> tuple[AbstractBaseUser, bool]:
    """Return the user ``username`` and whether it was created.

    The password and e-mail are set only on creation, so changes survive a rerun.
    ``is_staff`` opens /admin/ with every permission there.
    """
    last, _sep, first = full_name.rpartition(" ")
    user, created = get_user_model().objects.get_or_create(
        username=username,
        # An /admin/ account of the demo manages everything there.
        defaults={
            "first_name": first,
            "last_name": last,
            "email": email,
            "is_staff": is_staff,
            "is_superuser": is_staff,
        },
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    elif is_staff and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user, created
