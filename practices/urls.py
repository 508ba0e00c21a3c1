from django.urls import path

from practices import views

app_name = "practices"
urlpatterns = [
    path("switch/", views.switch_practice, name="switch"),
    path("language/", views.set_language, name="language"),
    path("settings/", views.practice_settings, name="settings"),
]
