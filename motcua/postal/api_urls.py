from django.urls import path

from . import api

urlpatterns = [
    path("postal/collections", api.collection_create, name="api-postal-collection-create"),
]
