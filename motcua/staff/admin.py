"""Admin for staff roles: every change goes through the staff services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Field, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

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
                if data.get("user") == actor and not services.is_province_admin(actor):
                    self.add_error("user", services.NOT_TO_ONESELF)
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
    inlines = (StaffRoleInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """An agency administrator sees the accounts that hold (or held) a role there."""
        queryset: QuerySet[Any] = super().get_queryset(request)
        agencies = admin_agencies(request.user)
        if agencies is None:
            return queryset
        return queryset.filter(
            pk__in=StaffRole.objects.filter(agency__in=agencies).values("user_id")
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not StaffRole:
            super().save_formset(request, form, formset, change)
            return
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
            else:
                services.staff_role_grant(user=user, role=role, agency=agency, actor=request.user)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
