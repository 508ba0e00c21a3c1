from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_search_index(sender, using, **kwargs) -> None:
    from django.db import connections

    from clients.models import Client
    from clients.search_index import ensure_search_index

    table = Client._meta.db_table
    connection = connections[using]
    if table in connection.introspection.table_names():
        ensure_search_index(connection)


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        post_migrate.connect(_restore_search_index, sender=self)
