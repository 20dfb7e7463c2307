from django.urls import path

from . import lookup_views, views

app_name = "applicants"
urlpatterns = [
    path("dang-nhap/", views.sign_in_page, name="sign-in-page"),
    path("dang-nhap/vneid/", views.SignInView.as_view(), name="sign-in"),
    path("dang-nhap/vneid/xac-thuc/", views.CallbackView.as_view(), name="callback"),
    path("dang-xuat/", views.SignOutView.as_view(), name="sign-out"),
    path("ho-so-cua-toi/", views.my_dossiers, name="my-dossiers"),
    path("ho-so-cua-toi/nhap/<int:procedure_id>/xoa/", views.draft_delete, name="draft-delete"),
    path("ho-so-cua-toi/<str:code>/", views.my_dossier, name="dossier"),
    path("tra-cuu-ho-so/", lookup_views.lookup_start, name="lookup"),
    path("tra-cuu-ho-so/nhap-ma/", lookup_views.lookup_verify, name="lookup-verify"),
    path("tra-cuu-ho-so/danh-sach/", lookup_views.lookup_dossiers, name="lookup-dossiers"),
    path("tra-cuu-ho-so/ket-thuc/", lookup_views.lookup_end, name="lookup-end"),
    path("ho-so-cua-toi/<str:code>/tin-nhan/", views.message_choice, name="message-choice"),
]
