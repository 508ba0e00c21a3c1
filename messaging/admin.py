"""The Django admin is for superusers operating the installation, not for practices: it
crosses tenants. Messages are read here (a delivery problem, a provider's answer), never
changed: sending and cancelling go through messaging.services."""

from django.contrib import admin

from messaging.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["send_at", "channel", "recipient", "status", "attempts", "via", "practice"]
    list_filter = ["status", "channel", "kind", "via"]
    date_hierarchy = "send_at"
    list_per_page = 100
    raw_id_fields = ["practice", "client", "session", "created_by"]
    search_fields = ["provider_id", "uuid"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
