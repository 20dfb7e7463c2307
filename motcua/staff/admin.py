"""Admin for staff accounts, roles and API tokens: every change goes through the staff services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Field, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import Token, TokenProxy

from motcua.organisation.models import Agency

from . import services
from .models import StaffRole
from .permissions import AgencyScopedAdmin, admin_agencies

User = get_user_model()

# django-stubs makes the admin classes generic for the type checker only.
if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[StaffRole]
    TabularInline = admin.TabularInline[StaffRole, Any]
else:
    ModelAdmin = admin.ModelAdmin
    TabularInline = admin.TabularInline


@admin.register(StaffRole)
class StaffRoleAdmin(AgencyScopedAdmin[StaffRole], ModelAdmin):
    """Roles of staff; an agency administrator grants and revokes those of their agencies."""

    agency_lookup = "agency"
    list_display = ("user", "role", "agency", "is_active", "granted_by", "granted_at")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "user__first_name", "user__last_name", "agency__name")
    autocomplete_fields = ("user", "agency")
    list_select_related = ("user", "agency")

    def save_model(
        self, request: HttpRequest, obj: StaffRole, form: ModelForm[StaffRole], change: bool
    ) -> None:
        if change:
            # The grant itself (user, role, agency) is fixed; only activity changes, and
            # through the services, as everywhere else.
            if obj.is_active:
                services.staff_role_grant(
                    user=obj.user, role=obj.role, agency=obj.agency, actor=request.user
                )
            else:
                services.staff_role_revoke(
                    user=obj.user, role=obj.role, agency=obj.agency, actor=request.user
                )
            return
        granted = services.staff_role_grant(
            user=obj.user, role=obj.role, agency=obj.agency, actor=request.user
        )
        if not obj.is_active:
            services.staff_role_revoke(
                user=obj.user, role=obj.role, agency=obj.agency, actor=request.user
            )
            granted.refresh_from_db()
        obj.pk = granted.pk
        obj.is_active = granted.is_active

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        actor = request.user

        class GrantForm(form):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                data: dict[str, Any] = super().clean() or {}
                if services.is_province_admin(actor):
                    return data
                if data.get("user") == actor:
                    self.add_error("user", services.NOT_TO_ONESELF)
                elif (
                    self.instance.pk  # the user is read-only: reactivating is a grant too
                    and self.instance.user_id == actor.pk
                    and data.get("is_active")
                    and not self.instance.is_active
                ):
                    self.add_error(None, services.NOT_TO_ONESELF)
                return data

        return GrantForm

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is not None:
            return ("user", "role", "agency", "granted_by", "granted_at")
        return ("granted_by", "granted_at")

    def formfield_for_foreignkey(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        agencies = admin_agencies(request.user)
        if db_field.name == "agency" and agencies is not None:
            kwargs["queryset"] = Agency.objects.filter(pk__in=agencies)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[arg-type]


class OwnRolesFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """Refuse an administrator's changes to their own roles (only the province's may)."""

    actor: Any = None

    def clean(self) -> None:
        super().clean()
        own = self.instance is not None and self.instance == self.actor
        if own and not services.is_province_admin(self.actor) and self.has_changed():
            raise ValidationError(services.NOT_TO_ONESELF)


class StaffRoleInline(TabularInline):
    model = StaffRole
    fk_name = "user"
    formset = OwnRolesFormSet
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset: Any = super().get_formset(request, obj, **kwargs)
        formset.actor = request.user
        return formset

    fields = ("role", "agency", "is_active")
    autocomplete_fields = ("agency",)


class StaffUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Accounts with their roles; edits, deactivation and password changes go through services."""

    inlines = (StaffRoleInline,)
    actions = ("deactivate_accounts", "reactivate_accounts")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """An agency administrator sees the accounts that hold (or held) a role there."""
        queryset: QuerySet[Any] = super().get_queryset(request)
        agencies = admin_agencies(request.user)
        if agencies is None:
            return queryset
        return queryset.filter(
            pk__in=StaffRole.objects.filter(agency__in=agencies).values("user_id")
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            services.staff_account_created(user=obj, actor=request.user)
            return
        services.staff_account_save(user=obj, actor=request.user)

    @admin.action(description=_("Deactivate the selected accounts (ends their sessions)"))
    def deactivate_accounts(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_active(request, queryset, active=False)

    @admin.action(description=_("Reactivate the selected accounts"))
    def reactivate_accounts(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._set_active(request, queryset, active=True)

    def _set_active(self, request: HttpRequest, queryset: QuerySet[Any], *, active: bool) -> None:
        if not self.has_change_permission(request):
            raise PermissionDenied
        changed = sum(
            services.staff_account_set_active(user=user, active=active, actor=request.user)
            for user in queryset
        )
        message = (
            ngettext("%(n)d account reactivated.", "%(n)d accounts reactivated.", changed)
            if active
            else ngettext("%(n)d account deactivated.", "%(n)d accounts deactivated.", changed)
        )
        self.message_user(request, message % {"n": changed}, messages.SUCCESS)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Change the password, then end the account's other sessions and its API token."""
        with transaction.atomic():
            response: HttpResponse = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, unquote(id))
                if user is None:  # the password view answered 404 before
                    return response
                own = user.pk == request.user.pk
                services.staff_account_password_changed(
                    user=user,
                    actor=request.user,
                    keep_session_key=request.session.session_key if own else None,
                )
        return response

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not StaffRole:
            super().save_formset(request, form, formset, change)
            return
        # The rows are written by the services, not by formset.save(); what the admin's
        # change message reads from a saved formset is filled here instead.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        user = form.instance
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            data = inline_form.cleaned_data
            role, agency = data["role"], data["agency"]
            old = inline_form.instance
            if old.pk and (old.role, old.agency_id) != (role, agency.pk):
                # Editing a row's role or agency revokes the old grant and makes a new one.
                original = StaffRole.objects.get(pk=old.pk)
                services.staff_role_revoke(
                    user=user, role=original.role, agency=original.agency, actor=request.user
                )
            if data.get("DELETE") or not data.get("is_active", True):
                services.staff_role_revoke(user=user, role=role, agency=agency, actor=request.user)
                row = StaffRole.objects.get(user=user, role=role, agency=agency)
                formset.changed_objects.append((row, ["is_active"]))
            else:
                row = services.staff_role_grant(
                    user=user, role=role, agency=agency, actor=request.user
                )
                if old.pk:
                    formset.changed_objects.append((row, inline_form.changed_data))
                else:
                    formset.new_objects.append(row)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)


if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ApiTokenAdmin(TokenAdmin):
    """API tokens: who holds one, since when, until when; deleting one revokes it.

    The key itself is never shown (it is a password); rows open by the user's id.
    """

    list_display = ("user", "created", "expires", "is_valid")
    list_select_related = ("user",)
    fields = ("user", "created", "expires", "is_valid")
    readonly_fields = fields

    @admin.display(description=_("expires"))
    def expires(self, obj: Token) -> Any:
        return services.token_expires_at(obj)

    @admin.display(description=_("valid"), boolean=True)
    def is_valid(self, obj: Token) -> bool:
        return bool(services.token_expires_at(obj) > timezone.now() and obj.user.is_active)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens come from POST /api/v1/auth/token

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Token) -> None:
        services.staff_token_revoke(user=obj.user, actor=request.user, reason="admin")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for token in queryset.select_related("user"):
            self.delete_model(request, token)
