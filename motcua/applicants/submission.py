"""A submission's answers with the signed-in identity's values over them (portal and API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict


def answers_with_identity(answers: Mapping[str, Any], fixed: Mapping[str, str]) -> QueryDict:
    """Return ``answers`` as form data (files left out), with the identity's ``fixed`` values.

    Whatever was posted for an input of ``fixed`` is replaced: the name and
    number of a signed-in applicant are the identity's, never typed.
    """
    data = QueryDict(mutable=True)
    getlist = getattr(answers, "getlist", None)
    for name in answers:
        if name.startswith("component-") and not name.endswith("-kept"):
            continue  # files travel apart
        value = getlist(name) if getlist is not None else answers[name]
        values = value if isinstance(value, list) else [value]
        data.setlist(name, ["" if v is None else str(v) for v in values])
    for name, value in fixed.items():
        data[name] = value
    return data
