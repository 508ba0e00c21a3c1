from django.urls import path

from intake import views

app_name = "intake"
urlpatterns = [
    path("client/<int:client_pk>/", views.client_anamnesis, name="client"),
    path("client/<int:client_pk>/edit/", views.edit, name="edit"),
    path("client/<int:client_pk>/history/", views.history, name="history"),
    path("forms/", views.groups, name="groups"),
    path("forms/<int:pk>/", views.group, name="group"),
    path("forms/<int:group_pk>/questions/new/", views.question_add, name="question_add"),
    path("questions/<int:pk>/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/move/", views.question_move, name="question_move"),
    path("questions/<int:pk>/active/", views.question_active, name="question_active"),
]
