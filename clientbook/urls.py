from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path

from api.routes import api

urlpatterns = [
    path("", lambda request: redirect("clients:list"), name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("practices/", include("practices.urls")),
    path("clients/", include("clients.urls")),
    path("messages/", include("messaging.urls")),
    path("agenda/", include("scheduling.urls")),
    path("animals/", include("pets.urls")),
    path("documents/", include("documents.urls")),
    path("anamnesis/", include("intake.urls")),
    path("sales/", include("billing.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
