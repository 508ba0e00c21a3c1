from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("client/<int:client_pk>/", views.client_documents, name="client"),
    path("client/<int:client_pk>/upload/", views.upload, name="upload"),
    path("client/<int:client_pk>/new/", views.create, name="create"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("files/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("<int:pk>/", views.document, name="document"),
    path("<int:pk>/print/", views.print_view, name="print"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/send/", views.send, name="send"),
    path("<int:pk>/remove/", views.remove, name="remove"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
]
