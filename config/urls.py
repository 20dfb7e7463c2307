from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from motcua.workflow.due_recompute import due_recompute_view

# Uploaded dossier files hold personal data: they are never served from MEDIA_URL,
# only through views that check who is asking.
urlpatterns = [
    path("admin/calendar/recompute/", due_recompute_view, name="calendar-due-recompute"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("motcua.staff.api_urls")),
    path("api/v1/", include("motcua.api.urls")),
    path("can-bo/", include("motcua.staff.urls")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("can-bo/", include("motcua.notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("motcua.dossiers.urls")),
    path("", include("motcua.portal.urls")),
]

# The local SMS gateway (eSMS.vn's protocol), for development, the demo and the tests only.
if settings.OUTBOX_SMS_SIMULATOR:
    urlpatterns.insert(0, path("sim/esms/", include("motcua.sms_sim.urls")))
