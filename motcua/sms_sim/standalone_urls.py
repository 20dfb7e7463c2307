from django.urls import include, path

urlpatterns = [path("sim/esms/", include("motcua.sms_sim.urls"))]
