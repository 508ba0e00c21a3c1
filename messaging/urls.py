from django.urls import path

from messaging import views

app_name = "messaging"
urlpatterns = [
    path("client/<int:client_pk>/", views.client_messages, name="client"),
    path("client/<int:client_pk>/new/", views.new_message, name="new"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
]
