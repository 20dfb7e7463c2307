"""Admin of the calendar: seasons of working hours, the days that differ from their weekday, a year.

A thin interface over ``services``: every save and delete goes through them
(so a day an administrator enters is marked as theirs, and each change is
audited), and what a service refuses comes back as form errors on the page
that was sent, with nothing saved. The year view shows a year's special days
month by month and links to each day, to add a day, and to the seeding of
that year.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from motcua.calendar.announced import ANNOUNCED
from motcua.calendar.models import DayKind, DaySource, SpecialDay, WorkingTime
from motcua.calendar.selectors import special_days_between
from motcua.calendar.services import (
    WORKING_TIME_FIELDS,
    calendar_seed_holidays,
    special_day_add,
    special_day_change,
    special_day_delete,
    working_time_add,
    working_time_delete,
    working_time_update,
)
from motcua.core.errors import DomainError

# django-stubs makes the admin classes generic for the type checker only.
if TYPE_CHECKING:
    WorkingTimeAdminBase = admin.ModelAdmin[WorkingTime]
    SpecialDayAdminBase = admin.ModelAdmin[SpecialDay]
else:
    WorkingTimeAdminBase = SpecialDayAdminBase = admin.ModelAdmin

MIN_YEAR, MAX_YEAR = 1900, 2200
SHOW_ALL = "all"
SEEDED = _("%(year)s: %(count)s special days created, changed or removed.")
SEEDED_NOTHING = _("%(year)s: the calendar already had these days; nothing changed.")
DELETE_REFUSED = _("Not deleted: %(reason)s")
SHORT_KIND = {
    DayKind.HOLIDAY: pgettext_lazy("calendar cell", "Holiday"),
    DayKind.DAY_OFF: pgettext_lazy("calendar cell", "Day off"),
    DayKind.WORKING_DAY: pgettext_lazy("calendar cell", "Work day"),
}
WEEKDAY_SHORT = [
    pgettext_lazy("weekday, two letters", "Mo"),
    pgettext_lazy("weekday, two letters", "Tu"),
    pgettext_lazy("weekday, two letters", "We"),
    pgettext_lazy("weekday, two letters", "Th"),
    pgettext_lazy("weekday, two letters", "Fr"),
    pgettext_lazy("weekday, two letters", "Sa"),
    pgettext_lazy("weekday, two letters", "Su"),
]
_SERVICE_ERROR = "_calendar_service_error"


class _Refused(Exception):
    """A service refused a save: the page is drawn again with the service's messages."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(str(error.message))
        self.error = error


# A service names a model's field; the form may enter it under another name.
FORM_FIELD = {"starts_month": "season_month", "starts_day": "season_day"}


def _add_errors(form: forms.BaseForm, error: DomainError) -> None:
    placed = False
    for field, errors in error.field_errors.items():
        name = FORM_FIELD.get(field, field)
        for message in errors:
            form.add_error(name if name in form.fields else None, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))


class _ServiceAdmin:
    """Shows what a service refused as errors of the form that was sent, with nothing saved.

    ``save_model`` raises ``_Refused``; the admin's change view runs in a
    transaction, which rolls back, and the view is run once more with a form
    that carries the service's messages, so Django draws it as any invalid
    form (fields kept, errors next to them).
    """

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        view = super().changeform_view  # type: ignore[misc]
        try:
            response: HttpResponse = view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            setattr(request, _SERVICE_ERROR, refused.error)
            response = view(request, object_id, form_url, extra_context)
        return response

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        error: DomainError | None = getattr(request, _SERVICE_ERROR, None)
        if error is None:
            return form_class

        def clean(form: forms.BaseForm) -> Any:
            data = form_class.clean(form)
            _add_errors(form, error)
            return data

        return type(form_class.__name__, (form_class,), {"clean": clean})

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            response: HttpResponse = super().delete_view(  # type: ignore[misc]
                request, object_id, extra_context
            )
        except _Refused as refused:
            messages.error(request, DELETE_REFUSED % {"reason": refused.error.message})
            return HttpResponseRedirect(request.path)
        return response


# --- Working hours ------------------------------------------------------------------------------


class WorkingTimeForm(forms.ModelForm):  # type: ignore[type-arg]
    """A season's hours and start; the service checks the start and says what is wrong with it.

    The start is entered in fields of the form's own (not the model's), so the
    model's constraints on it are left to the service, whose message says
    that another season starts that day.
    """

    season_month = forms.TypedChoiceField(
        label=_("starts in month"),
        choices=[(number, name) for number, name in MONTHS.items()],
        coerce=int,
        initial=1,
    )
    season_day = forms.IntegerField(
        label=_("starts on day"),
        min_value=1,
        max_value=31,
        initial=1,
        help_text=WorkingTime._meta.get_field("starts_day").help_text,
    )

    class Meta:
        model = WorkingTime
        fields = ["name", *WORKING_TIME_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("season_month", self.instance.starts_month)
            self.initial.setdefault("season_day", self.instance.starts_day)


@admin.register(WorkingTime)
class WorkingTimeAdmin(_ServiceAdmin, WorkingTimeAdminBase):
    form = WorkingTimeForm
    list_display = ["season", "starts", "morning", "afternoon", "daily_cutoff", "day_length"]
    list_display_links = ["season", "starts"]
    fieldsets = [
        (_("Season"), {"fields": ["name", "season_month", "season_day"]}),
        (_("Morning"), {"fields": ["morning_start", "morning_end"]}),
        (_("Afternoon"), {"fields": ["afternoon_start", "afternoon_end"]}),
        (_("Same-day dossiers"), {"fields": ["daily_cutoff"]}),
    ]
    actions = None

    @admin.display(description=_("season"))
    def season(self, obj: WorkingTime) -> str:
        return obj.name or str(_("(no name)"))

    @admin.display(description=_("in force from"), ordering="starts_month")
    def starts(self, obj: WorkingTime) -> str:
        return f"{obj.starts_day:02d}/{obj.starts_month:02d}"

    @admin.display(description=_("morning"))
    def morning(self, obj: WorkingTime) -> str:
        return f"{obj.morning_start:%H:%M}-{obj.morning_end:%H:%M}"

    @admin.display(description=_("afternoon"))
    def afternoon(self, obj: WorkingTime) -> str:
        return f"{obj.afternoon_start:%H:%M}-{obj.afternoon_end:%H:%M}"

    @admin.display(description=_("working day"))
    def day_length(self, obj: WorkingTime) -> str:
        minutes = int(obj.day_length.total_seconds()) // 60
        return f"{minutes // 60}h{minutes % 60:02d}"

    def has_delete_permission(self, request: HttpRequest, obj: WorkingTime | None = None) -> bool:
        # The last season stays: without hours no due date can be computed.
        return super().has_delete_permission(request, obj) and WorkingTime.objects.count() > 1

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # With one season the list is a detour: open that row. Several: the list of seasons.
        # "?all" asks for the list anyway (from a season's page).
        if SHOW_ALL in request.GET:
            query = request.GET.copy()
            del query[SHOW_ALL]
            request.GET = query  # type: ignore[assignment]
        elif not request.GET:
            rows = list(WorkingTime.objects.values_list("pk", flat=True)[:2])
            if len(rows) == 1:
                return HttpResponseRedirect(reverse("admin:calendar_workingtime_change", args=rows))
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: WorkingTime, form: Any, change: bool) -> None:
        data = form.cleaned_data
        values = {name: data[name] for name in ("name", *WORKING_TIME_FIELDS)}
        values.update(starts_month=data["season_month"], starts_day=data["season_day"])
        try:
            if change:
                saved = working_time_update(pk=obj.pk, actor=request.user, **values)
            else:
                saved = working_time_add(actor=request.user, **values)
        except DomainError as exc:
            raise _Refused(exc) from exc
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: WorkingTime) -> None:
        try:
            working_time_delete(pk=obj.pk, actor=request.user)
        except DomainError as exc:
            raise _Refused(exc) from exc


# --- Special days -------------------------------------------------------------------------------


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        years = SpecialDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@dataclass(frozen=True)
class Cell:
    """A date in a month's table: its special day if it has one."""

    date: dt.date
    in_month: bool
    weekend: bool
    special: SpecialDay | None

    @property
    def short_kind(self) -> str:
        return str(SHORT_KIND[DayKind(self.special.kind)]) if self.special else ""


@dataclass(frozen=True)
class Listed:
    """A special day in the list under its month's table."""

    day: SpecialDay

    @property
    def short_kind(self) -> str:
        return str(SHORT_KIND[DayKind(self.day.kind)])


@dataclass(frozen=True)
class Month:
    number: int
    name: str
    weeks: list[list[Cell]]
    special: list[Listed]


def _months(year: int, days: dict[dt.date, SpecialDay]) -> list[Month]:
    weeks_of = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar
    return [
        Month(
            number=number,
            name=str(MONTHS[number]),
            weeks=[
                [
                    Cell(
                        date=d,
                        in_month=d.month == number,
                        weekend=d.weekday() >= calendar.SATURDAY,
                        special=days.get(d) if d.month == number else None,
                    )
                    for d in week
                ]
                for week in weeks_of(year, number)
            ],
            special=[Listed(s) for d, s in sorted(days.items()) if d.month == number],
        )
        for number in range(1, 13)
    ]


class SpecialDayForm(forms.ModelForm):  # type: ignore[type-arg]
    """The day's fields; whether the date is free is the service's to say, naming the day there."""

    class Meta:
        model = SpecialDay
        fields = ["date", "kind", "name", "basis"]

    def validate_unique(self) -> None:
        """Leave the date to ``special_day_add``, whose message names the day already there."""


@admin.register(SpecialDay)
class SpecialDayAdmin(_ServiceAdmin, SpecialDayAdminBase):
    form = SpecialDayForm
    list_display = ["date", "weekday", "kind", "name", "source"]
    list_filter = ["kind", "source", YearFilter]
    search_fields = ["name", "basis"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name", "basis", "source"]
    readonly_fields = ["source"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: SpecialDay) -> str:
        return str(WEEKDAYS[obj.date.weekday()])

    def get_readonly_fields(self, request: HttpRequest, obj: SpecialDay | None = None) -> Any:
        # A row is its date: to move a day, delete it and add the new date.
        if obj is not None:
            return [*self.readonly_fields, "date"]
        return self.readonly_fields

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "year/",
                self.admin_site.admin_view(self.year_view),
                name="calendar_specialday_year",
            ),
            path(
                "year/<int:year>/",
                self.admin_site.admin_view(self.year_view),
                name="calendar_specialday_year",
            ),
            path(
                "year/<int:year>/seed/",
                self.admin_site.admin_view(require_POST(self.seed_view)),
                name="calendar_specialday_seed",
            ),
        ]
        return extra + super().get_urls()

    def save_model(self, request: HttpRequest, obj: SpecialDay, form: Any, change: bool) -> None:
        service = special_day_change if change else special_day_add
        try:
            saved = service(
                date=obj.date, kind=obj.kind, name=obj.name, basis=obj.basis, actor=request.user
            )
        except DomainError as exc:
            raise _Refused(exc) from exc
        obj.pk, obj.source = saved.pk, saved.source

    def delete_model(self, request: HttpRequest, obj: SpecialDay) -> None:
        try:
            special_day_delete(date=obj.date, actor=request.user)
        except DomainError as exc:
            raise _Refused(exc) from exc

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SpecialDay]) -> None:
        with transaction.atomic():
            for day in queryset:
                special_day_delete(date=day.date, actor=request.user)

    def response_add(
        self, request: HttpRequest, obj: SpecialDay, post_url_continue: str | None = None
    ) -> HttpResponse:
        response = super().response_add(request, obj, post_url_continue)
        if {"_continue", "_addanother", "_popup"} & set(request.POST):
            return response
        return HttpResponseRedirect(_year_url(obj.date.year))

    def response_change(self, request: HttpRequest, obj: SpecialDay) -> HttpResponse:
        response = super().response_change(request, obj)
        if {"_continue", "_addanother", "_saveasnew", "_popup"} & set(request.POST):
            return response
        return HttpResponseRedirect(_year_url(obj.date.year))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {"this_year": timezone.localdate().year, **(extra_context or {})}
        return super().changelist_view(request, context)

    def year_view(self, request: HttpRequest, year: int | None = None) -> HttpResponse:
        """Show a year month by month: the days unlike their weekday, with links to edit and add."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        asked = request.GET.get("year", "")
        if year is None and asked.isascii() and asked.isdigit():  # "²" is a digit to isdigit
            return HttpResponseRedirect(_year_url(int(asked)))
        year = year or timezone.localdate().year
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise Http404
        days = {d.date: d for d in special_days_between(dt.date(year, 1, 1), dt.date(year, 12, 31))}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Working-day calendar %(year)s") % {"year": year},
            "year": year,
            "previous_year": year - 1 if year > MIN_YEAR else None,
            "next_year": year + 1 if year < MAX_YEAR else None,
            "months": _months(year, days),
            "weekdays": [
                (str(WEEKDAY_SHORT[i]), str(WEEKDAYS[i]), i >= calendar.SATURDAY) for i in range(7)
            ],
            "kinds": [(str(SHORT_KIND[k]), k.value, str(k.label)) for k in DayKind],
            "counts": [
                (str(SHORT_KIND[kind]), sum(1 for d in days.values() if d.kind == kind))
                for kind in DayKind
            ],
            "total": len(days),
            "admin_entered": sum(1 for d in days.values() if d.source == DaySource.ADMIN),
            "is_announced": year in ANNOUNCED,
            "can_add": self.has_add_permission(request),
            "can_change": self.has_change_permission(request),
            "can_seed": self.has_add_permission(request) and self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/calendar/specialday/year.html", context)

    def seed_view(self, request: HttpRequest, year: int) -> HttpResponse:
        """Seed one year's days (its announcement, else the package), then show the year."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise Http404
        written = calendar_seed_holidays(years=[year], actor=request.user)
        if written:
            message = SEEDED % {"year": year, "count": written}
        else:
            message = SEEDED_NOTHING % {"year": year}
        messages.success(request, message)
        return HttpResponseRedirect(_year_url(year))


def _year_url(year: int) -> str:
    return reverse("admin:calendar_specialday_year", args=[year])
