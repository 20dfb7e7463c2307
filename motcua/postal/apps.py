from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.postal"
    verbose_name = _("Public postal service")
