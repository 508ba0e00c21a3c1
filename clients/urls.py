from django.urls import path

from clients import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("<int:pk>/", views.client_card, name="card"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/code/", views.client_change_code, name="change_code"),
]
