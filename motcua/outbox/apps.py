from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.outbox"
    verbose_name = _("Messages to applicants")

    def ready(self) -> None:
        from .models import MessageTemplate, ProcedureMessaging
        from .services import config_forget

        def forget(**kwargs: Any) -> None:  # this process at once; the others within a minute
            config_forget()

        for model in (MessageTemplate, ProcedureMessaging):
            post_save.connect(forget, sender=model, dispatch_uid=f"outbox-forget-{model.__name__}")
            post_delete.connect(
                forget, sender=model, dispatch_uid=f"outbox-forget-del-{model.__name__}"
            )
