"""Texts of Django's admin and authentication that Django's Vietnamese catalogue lacks.

Marked here so that ``makemessages`` keeps them in our catalogue, whose
translations take precedence over Django's (``LOCALE_PATHS``): the
administration is in Vietnamese throughout, not half in English.
"""

from django.utils.translation import gettext_noop as _
from django.utils.translation import ngettext_lazy

DJANGO_TEXTS = (
    _("Select this object for an action - {}"),
    _("Breadcrumbs"),
    _("Model name"),
    _("Add link"),
    _("Change or view list link"),
    _("After you’ve created a user, you’ll be able to edit more user options."),
    _("Error:"),
    _("Set password"),
    _("Skip to main content"),
    _("Hide counts"),
    _("Show counts"),
    _("Toggle theme (current theme: auto)"),
    _("Toggle theme (current theme: light)"),
    _("Toggle theme (current theme: dark)"),
    _("Added:"),
    _("Changed:"),
    _("Deleted:"),
    _("Forgotten your login credentials?"),
    _("Toggle navigation"),
    _("Sidebar"),
    _("Filter navigation items"),
    ngettext_lazy("entry", "entries", 1),
    _("View selected %(model)s"),
    _("In case you’ve forgotten, you are:"),
    _("Select all objects on this page for an action"),
    _("Conflicting form data submitted. Please try again."),
    _("Reset password"),
    _("Password-based authentication"),
    _("Enabled"),
    _("Disabled"),
    _("Raw passwords are not stored, so there is no way to see the user’s password."),
    _("Enable password-based authentication for this user by setting a password."),
    _("Enable password-based authentication"),
    _("Disable password-based authentication"),
    _("Password-based authentication was disabled."),
)
