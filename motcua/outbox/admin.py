from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from motcua.audit.admin import AuditedAdmin

from .models import (
    Message,
    MessageKind,
    MessageTemplate,
    ProcedureMessaging,
)
from .rendering import CONTEXT_NAMES, TemplateSyntaxError, check_template
from .services import messages_retry


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    """Every message to applicants, failed ones to retry; nothing edited by hand."""

    list_display = ("created_at", "dossier", "kind", "channel", "status", "attempts", "last_error")
    list_filter = ("status", "channel", "kind")
    search_fields = ("dossier__code", "idempotency_key", "provider_ref")
    list_select_related = ("dossier",)
    date_hierarchy = "created_at"
    actions = ["retry"]
    # The recipient's address or number is personal data: not shown (the error code says why
    # a message failed; the dossier's page, whose reads are audited, has the applicant).
    readonly_fields = tuple(
        f.name for f in Message._meta.fields if f.name not in {"recipient", "claim"}
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Send the selected failed messages again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = messages_retry(messages=queryset, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again.",
                "%(count)d messages will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class MessageTemplateForm(forms.ModelForm[MessageTemplate]):
    class Meta:
        model = MessageTemplate
        fields = ["kind", "language", "subject", "body", "sms"]
        help_texts = {
            "body": _("Django template language. Names: %(names)s.")
            % {"names": ", ".join(CONTEXT_NAMES)},
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("subject", "body", "sms"):
            source = cleaned.get(name)
            if not source:
                continue
            try:
                check_template(source)
            except TemplateSyntaxError as exc:
                self.add_error(name, _("This template cannot be used: %(error)s") % {"error": exc})
        return cleaned


@admin.register(MessageTemplate)
class MessageTemplateAdmin(AuditedAdmin, admin.ModelAdmin[MessageTemplate]):
    form = MessageTemplateForm
    list_display = ("kind", "language", "subject")
    list_filter = ("kind", "language")


class ProcedureMessagingForm(forms.ModelForm[ProcedureMessaging]):
    kinds = forms.MultipleChoiceField(
        label=_("kinds sent"),
        choices=MessageKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to send every kind."),
    )

    class Meta:
        model = ProcedureMessaging
        fields = ["procedure", "email", "sms", "kinds"]


@admin.register(ProcedureMessaging)
class ProcedureMessagingAdmin(AuditedAdmin, admin.ModelAdmin[ProcedureMessaging]):
    form = ProcedureMessagingForm
    list_display = ("procedure", "email", "sms")
    raw_id_fields = ("procedure",)
