from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VnpaySimConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.simulators.vnpay"
    label = "vnpay_sim"
    verbose_name = _("VNPAY simulator")
