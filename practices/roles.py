"""What each role may do. One table, read by `Member.can` and the access layer."""

from practices.models import Role

VIEW_ALL_CLIENTS = "view_all_clients"  # otherwise only the clients one is responsible for
ADD_CLIENT = "add_client"
CHANGE_CLIENT = "change_client"
CHANGE_CLIENT_CODE = "change_client_code"
MANAGE_PRACTICE = "manage_practice"  # settings, services, rooms, goods, document types
SELL = "sell"  # issue sales documents and record payments (a professional: for own clients)
CORRECT_SALES = "correct_sales"  # credit notes, reversing payments and settlements
MANAGE_STOCK = "manage_stock"  # deliveries and stock corrections

_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(
        {VIEW_ALL_CLIENTS, ADD_CLIENT, CHANGE_CLIENT, CHANGE_CLIENT_CODE, MANAGE_PRACTICE}
        | {SELL, CORRECT_SALES, MANAGE_STOCK}
    ),
    Role.ADMIN: frozenset(
        {VIEW_ALL_CLIENTS, ADD_CLIENT, CHANGE_CLIENT, CHANGE_CLIENT_CODE, MANAGE_PRACTICE}
        | {SELL, CORRECT_SALES, MANAGE_STOCK}
    ),
    # Reception runs the front desk: sells, takes payments, corrects mistakes, receives goods.
    Role.RECEPTION: frozenset(
        {VIEW_ALL_CLIENTS, ADD_CLIENT, CHANGE_CLIENT, SELL, CORRECT_SALES, MANAGE_STOCK}
    ),
    # A professional registers, edits and bills clients, but only their own.
    Role.PROFESSIONAL: frozenset({ADD_CLIENT, CHANGE_CLIENT, SELL}),
}


def has_permission(role: str, permission: str) -> bool:
    return permission in _ROLE_PERMISSIONS.get(role, frozenset())
