from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VnpostSimConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.simulators.vnpost"
    label = "vnpost_sim"
    verbose_name = _("VNPost simulator")
