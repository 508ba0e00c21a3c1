"""The Django admin is for superusers operating the installation, not for practices: it
crosses tenants. Its changelist of sessions is also the baseline `make bench` compares the
agenda with (a week of one professional: `?professional__id__exact=…&starts_at__gte=…&
starts_at__lt=…`)."""

from django.contrib import admin

from scheduling.models import Session


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "ends_at", "client", "professional", "service", "room", "status"]
    list_filter = ["status", "professional"]
    date_hierarchy = "starts_at"
    list_per_page = 100
    raw_id_fields = ["practice", "client", "professional", "service", "room", "series"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Changes go through scheduling.services (conflict check, events, reminders), never
        # the admin.
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
