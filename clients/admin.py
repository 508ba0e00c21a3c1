"""The Django admin is for superusers operating the installation, not for practices: it
crosses tenants. Its changelist is also the baseline `make bench` compares the list with."""

from django.contrib import admin

from clients.models import Client


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["full_name", "code", "status", "email", "phone", "practice"]
    list_filter = ["status"]
    search_fields = ["full_name", "email", "phone"]
    list_per_page = 50
    raw_id_fields = ["practice", "anamnesis_group"]
    readonly_fields = ["search_text", "sort_key", "version"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Changes go through clients.services (events, counts, checks), never the admin.
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
