from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemoteSigningSimConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.simulators.remote_signing"
    label = "remote_signing_sim"
    verbose_name = _("Remote signing simulator")
