from django.urls import path

from scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("", views.agenda, name="agenda"),
    path("book/", views.book, name="book"),
    path("book/clients/", views.client_options, name="client_options"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule, name="reschedule"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="cancel"),
    path("sessions/<int:pk>/mark/", views.session_mark, name="mark"),
    path("sessions/<int:pk>/remove/", views.session_remove, name="remove"),
    path("series/<int:pk>/change/", views.series_change, name="series_change"),
    path("series/<int:pk>/end/", views.series_end, name="series_end"),
    path("series/<int:pk>/pause/", views.series_pause, name="series_pause"),
    path("series/<int:pk>/resume/", views.series_resume, name="series_resume"),
    path("services/", views.service_list, name="services"),
    path("services/new/", views.service_create, name="service_create"),
    path("services/<int:pk>/", views.service_edit, name="service_edit"),
    path("services/<int:pk>/active/", views.service_active, name="service_active"),
    path("rooms/", views.room_list, name="rooms"),
    path("rooms/new/", views.room_create, name="room_create"),
    path("rooms/<int:pk>/", views.room_edit, name="room_edit"),
    path("rooms/<int:pk>/active/", views.room_active, name="room_active"),
]
