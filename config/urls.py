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
    # The applicant's actions on their own dossier and the ratings (public and staff pages).
    path("ho-so-cua-toi/", include("motcua.workflow.applicant_urls")),
    path("", include("motcua.ratings.urls")),
    path("", include("motcua.dossiers.urls")),
    path("", include("motcua.portal.urls")),
]

# Error views: the JSON error body under /api/, the site's error pages elsewhere.
handler400 = "motcua.api.handlers.bad_request"
handler403 = "motcua.api.handlers.permission_denied"
handler404 = "motcua.api.handlers.page_not_found"
handler500 = "motcua.api.handlers.server_error"
