"""People's names as Vietnamese writes them: family name first ("Nguyễn Thị Thu")."""

from __future__ import annotations

from typing import Any


def person_name(user: Any) -> str:
    """Return ``user``'s full name, family name (``last_name``) first, or the username.

    Django's ``get_full_name`` puts the given name first ("Thu Nguyễn Thị"),
    which reads backwards in Vietnamese.
    """
    if user is None:
        return ""
    parts = (getattr(user, "last_name", "") or "", getattr(user, "first_name", "") or "")
    name = " ".join(p.strip() for p in parts if p and p.strip())
    return name or str(user.get_username())
