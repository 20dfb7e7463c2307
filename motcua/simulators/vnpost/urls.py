from django.urls import path

from . import views

app_name = "vnpost_sim"
urlpatterns = [
    path("token", views.token, name="token"),
    path("apiVNPostNGSP/p1.0/order/post", views.order_post, name="order_post"),
    path("apiVNPostNGSP/p1.0/order/cancel", views.order_cancel, name="order_cancel"),
    path("apiVNPostNGSP/p1.0/order/tracking", views.order_tracking, name="order_tracking"),
    path("don-hang/", views.orders, name="orders"),
]
