"""The applicant's choice of message channels and language: its inputs, read and checked.

The submission (portal, counter, API) and the applicant's dossier page post
the same three inputs: ``message_email`` and ``message_sms`` (yes or no) and
``message_language`` (a code of ``settings.LANGUAGES``). A form that shows
them as checkboxes sends nothing for an unticked box: ``checkboxes_posted``
turns that into an explicit "no" before the inputs are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed

EMAIL_INPUT = "message_email"
SMS_INPUT = "message_sms"
LANGUAGE_INPUT = "message_language"
INPUTS = (EMAIL_INPUT, SMS_INPUT, LANGUAGE_INPUT)

BAD_YES_NO = _("Answer yes or no (true or false).")
BAD_LANGUAGE = _("Choose a language offered: vi (Vietnamese) or en (English).")
INVALID_CHOICE = _("Your choice of messages was not saved: please correct the fields shown.")

YES = frozenset({"true", "1", "on", "yes"})
_NO = frozenset({"false", "0", "off", "no"})
D = TypeVar("D", bound=dict[str, Any])


@dataclass(frozen=True)
class MessageChoice:
    """Whether the applicant wants e-mails and SMS about the dossier, and in which language."""

    email: bool = True
    sms: bool = True
    language: str = "vi"


def _yes_no(value: Any, name: str, errors: dict[str, list[Any]]) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in YES:
        return True
    if text in _NO:
        return False
    errors[name] = [BAD_YES_NO]
    return None


def _given(data: Mapping[str, Any], name: str) -> Any:
    value = data.get(name)
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def message_choice_read(
    data: Mapping[str, Any], errors: dict[str, list[Any]], *, default_language: str = "vi"
) -> MessageChoice | None:
    """Return the choice posted in ``data``, or None when none of its inputs was given.

    An input left out keeps its default (both channels on, ``default_language``);
    a value that is not yes/no or not a language offered adds its message to
    ``errors`` under the input's name (the caller reports every error at once).
    """
    if all(_given(data, name) is None for name in INPUTS):
        return None
    email = sms = True
    raw = _given(data, EMAIL_INPUT)
    if raw is not None:
        email = bool(_yes_no(raw, EMAIL_INPUT, errors))
    raw = _given(data, SMS_INPUT)
    if raw is not None:
        sms = bool(_yes_no(raw, SMS_INPUT, errors))
    language = str(_given(data, LANGUAGE_INPUT) or default_language).strip()
    if language not in dict(settings.LANGUAGES):
        errors[LANGUAGE_INPUT] = [BAD_LANGUAGE]
        language = "vi"
    return MessageChoice(email=email, sms=sms, language=language)


def message_choice_checked(
    data: Mapping[str, Any], *, default_language: str = "vi"
) -> MessageChoice:
    """Return the choice posted in ``data`` (defaults when none); ValidationFailed if wrong."""
    errors: dict[str, list[Any]] = {}
    choice = message_choice_read(data, errors, default_language=default_language)
    if errors:
        raise ValidationFailed(INVALID_CHOICE, field_errors=errors)
    return choice or MessageChoice(language=default_language)


def checkboxes_posted(data: D) -> D:
    """Return a copy of ``data`` with "false" for each channel checkbox left unticked.

    Only for a form that shows the checkboxes (it always posts the language):
    an absent box there means "no", never "the default".
    """
    if not data.get(LANGUAGE_INPUT):
        return data
    copied = cast(D, data.copy())
    for name in (EMAIL_INPUT, SMS_INPUT):
        if not copied.get(name):
            copied[name] = "false"
    return copied


def message_choice_from_checkboxes(data: Mapping[str, Any]) -> MessageChoice:
    """Return the choice posted by a form of two checkboxes and a language select.

    An unticked box is "no"; the language must be given. ValidationFailed if wrong.
    """
    posted = {name: data.get(name) or "" for name in INPUTS}
    for name in (EMAIL_INPUT, SMS_INPUT):
        posted[name] = posted[name] or "false"
    return message_choice_checked(posted, default_language="")
