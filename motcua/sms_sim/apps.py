from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsSimConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.sms_sim"
    verbose_name = _("SMS gateway simulator")
