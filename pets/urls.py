from django.urls import path

from pets import views

app_name = "animals"
urlpatterns = [
    path("client/<int:client_pk>/new/", views.add, name="add"),
    path("client/<int:client_pk>/active/", views.client_active, name="client_active"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/active/", views.active, name="active"),
]
