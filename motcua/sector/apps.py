from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SectorConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.sector"
    verbose_name = _("Sector indicators")
