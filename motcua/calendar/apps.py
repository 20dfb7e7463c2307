from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "motcua.calendar"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        from . import signals

        signals.connect()
