import warnings

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# pyHanko imports cryptography's DSA key type for the signatures it can check; we never sign
# with DSA. Without this, every management command prints the deprecation on stderr.
warnings.filterwarnings("ignore", message="DSA is deprecated", module="pyhanko.*")


class EsignConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.esign"
    verbose_name = _("Electronic results")
