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
    path("can-bo/buu-chinh/", include("motcua.postal.staff_urls")),
    path("can-bo/thong-ke/chi-so-766/", include("motcua.indicators.urls")),
    path("can-bo/thong-ke/nganh/", include("motcua.sector.staff_urls")),
    path("can-bo/thong-ke/chi-tieu/", include("motcua.targets.staff_urls")),
    path("can-bo/thong-ke/nhap-lieu/", include("motcua.history.urls")),
    path("can-bo/thong-ke/", include("motcua.statistics.urls")),
    path("thong-ke/", include("motcua.statistics.public_urls")),
    path("can-bo/thong-ke/", include("motcua.catalog.statistics_urls")),
    path("can-bo/thong-ke/bao-cao/", include("motcua.reports.urls")),
    path("buu-chinh/", include("motcua.postal.urls")),
    path("can-bo/thong-ke/tong-ket/", include("motcua.review.urls")),  # the annual review
    path("i18n/", include("django.conf.urls.i18n")),
    # The applicant's sign-in, their dossiers and drafts; their actions on a dossier; ratings.
    path("", include("motcua.applicants.urls")),
    path("ho-so-cua-toi/", include("motcua.workflow.applicant_urls")),
    path("", include("motcua.ratings.urls")),
    path("", include("motcua.esign.urls")),
    path("", include("motcua.payments.urls")),
    path("", include("motcua.dossiers.urls")),
    path("", include("motcua.portal.urls")),
]
if settings.MOTCUA_IDENTITY_SIMULATOR:  # the local national identity, for the demo and tests
    urlpatterns += [path("mo-phong-vneid/", include("motcua.identity_sim.urls"))]

# Error views: the JSON error body under /api/, the site's error pages elsewhere.
handler400 = "motcua.api.handlers.bad_request"
handler403 = "motcua.api.handlers.permission_denied"
handler404 = "motcua.api.handlers.page_not_found"
handler500 = "motcua.api.handlers.server_error"

# The local SMS gateway (eSMS.vn's protocol), for development, the demo and the tests only.
if settings.OUTBOX_SMS_SIMULATOR:
    urlpatterns.insert(0, path("sim/esms/", include("motcua.sms_sim.urls")))

# The local payment gateways (VNPAY's and the national portal platform's protocols), for
# development, the demo and the tests only.
if settings.PAYMENTS_SIMULATOR:
    urlpatterns[:0] = [
        path("sim/vnpay/", include("motcua.simulators.vnpay.urls")),
        path("sim/dvcqg/", include("motcua.simulators.dvcqg_payment.urls")),
    ]

# The local remote-signing service (VNPT SmartCA's protocol), for development, the demo and tests.
if settings.ESIGN_SIMULATOR:
    urlpatterns.insert(0, path("sim/smartca/", include("motcua.simulators.remote_signing.urls")))

# The local post (VNPost's public-service order API), for development, the demo and the tests.
if settings.POSTAL_SIMULATOR:
    urlpatterns.insert(0, path("sim/vnpost/", include("motcua.simulators.vnpost.urls")))
