from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DvcqgPaymentSimConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.simulators.dvcqg_payment"
    label = "dvcqg_payment_sim"
    verbose_name = _("National portal payment platform simulator")
