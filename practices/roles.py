"""What each role may do. One table, read by `Member.can` and the access layer."""

from practices.models import Role

VIEW_ALL_CLIENTS = "view_all_clients"  # otherwise only the clients one is responsible for
ADD_CLIENT = "add_client"
CHANGE_CLIENT = "change_client"
CHANGE_CLIENT_CODE = "change_client_code"
MANAGE_PRACTICE = "manage_practice"  # settings, services, rooms

_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(
        {VIEW_ALL_CLIENTS, ADD_CLIENT, CHANGE_CLIENT, CHANGE_CLIENT_CODE, MANAGE_PRACTICE}
    ),
    Role.ADMIN: frozenset(
        {VIEW_ALL_CLIENTS, ADD_CLIENT, CHANGE_CLIENT, CHANGE_CLIENT_CODE, MANAGE_PRACTICE}
    ),
    Role.RECEPTION: frozenset({VIEW_ALL_CLIENTS, ADD_CLIENT, CHANGE_CLIENT}),
    # A professional registers and edits clients, but only their own.
    Role.PROFESSIONAL: frozenset({ADD_CLIENT, CHANGE_CLIENT}),
}


def has_permission(role: str, permission: str) -> bool:
    return permission in _ROLE_PERMISSIONS.get(role, frozenset())
