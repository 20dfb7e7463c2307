from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EsignConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.esign"
    verbose_name = _("Electronic results")
