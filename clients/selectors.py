"""Reading clients: the list with its tabs, search, sorting and keyset pagination, and the counts.

Search is a case- and accent-insensitive substring match of every term on Client.search_text
(a query of only one- or two-letter words matches the start of the name instead).
The index behind it depends on the engine: SQLite's FTS5 trigram table `client_search` (kept
by triggers, see migration 0002), PostgreSQL's pg_trgm GIN index. Terms shorter than three
characters cannot use a trigram index and are matched with LIKE on the rows the others leave.
"""

import base64
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, F, Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from clientbook.lib.text import search_terms
from clients.access import visible_clients
from clients.models import Client, ClientQuerySet, Status, StatusCount
from practices import roles
from practices.models import Member, Professional

TABS = (*Status.values, "all")
TRIGRAM = 3

# Sort name -> (column, label). Each has an index starting with (practice, status).
SORTS: dict[str, tuple[str, Any]] = {
    "name": ("sort_key", _("Name")),
    "code": ("code", _("Code")),
    "contact": ("first_contact_at", _("First contact")),
    "registered": ("created_at", _("Registered")),
}
# What a row of the list shows (and sorts by): loading only these keeps a page cheap.
LIST_COLUMNS = (
    "id", "practice_id", "code", "full_name", "preferred_name", "email", "phone", "status",
    "first_contact_at", "created_at", "sort_key",
)  # fmt: skip
DEFAULT_SORT = {"waitlist": "contact"}  # Owl: the waitlist is oldest first contact first


def default_sort(status: str) -> str:
    return DEFAULT_SORT.get(status, "name")


def search(clients: QuerySet[Client], query: str) -> QuerySet[Client]:
    """Clients whose search text contains every term of `query`, in any order."""
    terms = search_terms(query)
    if terms and all(len(t) < TRIGRAM for t in terms):
        # One or two letters (someone still typing): no trigram index can answer that, so
        # match the start of the name, a range of the sort index.
        prefix = " ".join(terms)
        return clients.filter(sort_key__gte=prefix, sort_key__lt=prefix + "\uffff")
    indexed = [t for t in terms if len(t) >= TRIGRAM]
    short = [t for t in terms if len(t) < TRIGRAM]
    if indexed and connection.vendor == "sqlite":
        # Each term quoted as an FTS5 string: a substring match through the trigram index.
        match = " AND ".join('"{}"'.format(t.replace('"', '""')) for t in indexed)
        clients = clients.filter(
            pk__in=RawSQL("SELECT rowid FROM client_search WHERE client_search MATCH %s", [match])
        )
    else:
        short = terms
    for term in short:
        clients = clients.filter(search_text__contains=term)
    return clients


def _encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime.datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, column: str) -> tuple[Any, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        # A cursor comes from the URL: anything not shaped like ours is ignored (page 1).
        if type(pk) is not int or not 0 < pk < 2**63:
            return None
        if not isinstance(value, str) or "\x00" in value:
            return None
        if column.endswith("_at"):
            value = parse_datetime(value)
        if value is None:
            return None
        return value, pk
    except (ValueError, TypeError):
        return None


@dataclass
class ClientPage:
    rows: list[Client]
    sort: str
    descending: bool
    next_cursor: str | None = None
    previous_cursor: str | None = None
    is_first: bool = True


def client_page(
    clients: QuerySet[Client],
    *,
    sort: str = "name",
    descending: bool = False,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
    columns: Sequence[str] = LIST_COLUMNS,
    prefetch: Sequence[Any] = (),
) -> ClientPage:
    """One page of `clients` in the order asked, by keyset: `after` (or `before`) is the cursor
    of the last (first) row of the neighbouring page. Deep pages cost what page 1 costs.

    The page's ids are chosen first (from indexes alone where the engine can), then only
    those rows are loaded, with `columns` and `prefetch`: a search matching thousands of
    clients never reads thousands of wide rows."""
    column = SORTS.get(sort, SORTS["name"])[0]
    ordering = (
        [F(column).desc(), F("pk").desc()] if descending else [F(column).asc(), F("pk").asc()]
    )
    key = Tuple(F(column), F("pk"))
    forward = True
    cursor = None
    if after and (cursor := _decode_cursor(after, column)):
        lookup = TupleLessThan if descending else TupleGreaterThan
        clients = clients.filter(lookup(key, cursor))
    elif before and (cursor := _decode_cursor(before, column)):
        forward = False
        lookup = TupleGreaterThan if descending else TupleLessThan
        clients = clients.filter(lookup(key, cursor))
        ordering = [o.copy().reverse_ordering() for o in ordering]
    ids = list(clients.order_by(*ordering).values_list("pk", flat=True)[: size + 1])
    loaded = Client.objects.filter(pk__in=ids).only(*columns).prefetch_related(*prefetch)
    by_id = {client.pk: client for client in loaded}
    rows = [by_id[pk] for pk in ids]
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    page = ClientPage(rows=rows, sort=sort, descending=descending, is_first=cursor is None)
    if rows:
        first, last = rows[0], rows[-1]
        if (forward and more) or (not forward and cursor):
            page.next_cursor = _encode_cursor([getattr(last, column), last.pk])
        if (forward and cursor) or (not forward and more):
            page.previous_cursor = _encode_cursor([getattr(first, column), first.pk])
            page.is_first = False
    return page


def status_counts(member: Member, clients: ClientQuerySet, *, filtered: bool) -> dict[str, int]:
    """Clients per tab. Unfiltered, for a role that sees the whole practice: read from the
    counts kept by the services (no scan). Otherwise: counted on the filtered set."""
    if not filtered and member.can(roles.VIEW_ALL_CLIENTS):
        counts = dict(
            StatusCount.objects.filter(practice_id=member.practice_id).values_list(
                "status", "count"
            )
        )
    else:
        counts = dict(
            clients.order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
    result = {status: counts.get(status, 0) for status in Status.values}
    result["all"] = sum(result.values())
    return result


def filter_clients(
    clients: ClientQuerySet,
    *,
    q: str = "",
    professional: int | None = None,
    debt: bool = False,
    practice_id: int | None = None,
) -> ClientQuerySet:
    if professional:
        clients = clients.filter(professional_links__professional_id=professional)
    if debt and practice_id is not None:
        # Read from the open documents (their partial index), not by summing every client's.
        from billing.services import clients_with_debt

        clients = clients.filter(pk__in=clients_with_debt(practice_id))
    if q:
        clients = search(clients, q)
    return clients


def client_list(
    member: Member,
    *,
    status: str = "active",
    q: str = "",
    professional: int | None = None,
    debt: bool = False,
    sort: str | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> tuple[ClientPage, dict[str, int]]:
    """The client list as the pages and the API show it: one tab's page of the clients
    `member` may see, searched and filtered, with every tab's count. `sort` is a SORTS key,
    "-" in front for descending; unknown or missing, the tab's default order."""
    clients = filter_clients(
        visible_clients(member),
        q=q,
        professional=professional,
        debt=debt,
        practice_id=member.practice_id,
    )
    counts = status_counts(member, clients, filtered=bool(q or professional or debt))
    descending = bool(sort) and sort.startswith("-")
    column = (sort or "").lstrip("-")
    if column not in SORTS:
        column, descending = default_sort(status), False
    page = client_page(
        clients.with_status(status),
        sort=column,
        descending=descending,
        after=after,
        before=before,
        size=size,
        prefetch=[Prefetch("professionals", queryset=Professional.objects.only("pk", "name"))],
    )
    return page, counts
