from django.urls import path

from . import views

app_name = "applicants"
urlpatterns = [
    path("dang-nhap/", views.sign_in_page, name="sign-in-page"),
    path("dang-nhap/vneid/", views.SignInView.as_view(), name="sign-in"),
    path("dang-nhap/vneid/xac-thuc/", views.CallbackView.as_view(), name="callback"),
    path("dang-xuat/", views.SignOutView.as_view(), name="sign-out"),
    path("ho-so-cua-toi/", views.my_dossiers, name="my-dossiers"),
    path("ho-so-cua-toi/nhap/<int:procedure_id>/xoa/", views.draft_delete, name="draft-delete"),
    path("ho-so-cua-toi/<str:code>/", views.my_dossier, name="dossier"),
]
