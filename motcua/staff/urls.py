from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("dang-nhap/", views.login, name="login"),
    path("dang-xuat/", views.logout, name="logout"),
    path("xac-thuc-hai-buoc/", views.two_factor, name="two-factor"),
]
