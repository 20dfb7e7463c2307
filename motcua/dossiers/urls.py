from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("ho-so/<str:code>/bien-nhan.pdf", views.receipt, name="receipt"),
]
