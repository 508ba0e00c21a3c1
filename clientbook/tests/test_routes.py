"""Every URL of the project has an access test.

ROUTES maps each URL name to how to build its URLs for practice A's data, the methods it
answers, and the tests that check its tenancy. A new URL without an entry fails
`test_every_url_pattern_has_an_access_test`. Each entry is also requested here as an
anonymous visitor (sent to log in) and as practice B's owner with practice A's ids (404,
nothing changed) or, for URLs without an id, seeing only B's data.
"""

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.models import Event
from billing.models import DocumentType, Product, Warehouse
from billing.tests import routes as sales
from billing.tests import routes_catalog as sales_catalog
from clientbook.testing import PracticeWorld, logged_in
from clients.models import Client
from documents.tests import routes as papers
from intake.tests import routes as anamnesis
from messaging.tests import routes as messages
from pets.tests import routes as animals
from practices.models import Member, User
from scheduling.tests import routes as agenda

# URL prefixes with no entry in ROUTES, and why.
EXEMPT = {
    "admin/": "Django's admin: staff users only (no member has is_staff), not part of the app",
    "accounts/": "login, logout, password change and reset: no practice data; tested in "
    "practices/tests/test_auth.py",
    "api/v1/": "the REST API: token authentication and its own tenancy tests (api/tests/)",
}

Requests = Callable[[PracticeWorld], list[tuple[str, dict]]]
Check = Callable[[HttpClient, PracticeWorld, PracticeWorld], None]


@dataclass(frozen=True)
class Route:
    # The URLs of this name for practice A, each with the data to POST to it.
    build: Requests
    # The methods the view answers; each is requested.
    methods: tuple[str, ...]
    # The tests that check this URL's tenancy, as "module::function".
    tests: tuple[str, ...]
    # For a URL without an id of A's: what practice B's owner must (not) see there.
    only_own_data: Check | None = field(default=None)


def each_client(name: str) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        payload = {
            "full_name": "Taken over",
            "code": "STOLEN",
            "professionals": [a.other_professional.pk],
            "version": 1,
        }
        return [(reverse(name, args=[c.pk]), payload) for c in a.clients.values()]

    return build


def one(name: str, **payload) -> Requests:
    return lambda a: [(reverse(name), {k: v(a) if callable(v) else v for k, v in payload.items()})]


def client_links(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/clients/(\d+)/"', response.content.decode())}


def pks(world: PracticeWorld) -> set[int]:
    return {c.pk for c in world.clients.values()}


def list_shows_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    for query in ({}, {"status": "all"}, {"q": "silva"}, {"professional": a.other_professional.pk}):
        response = http.get(reverse("clients:list"), query, follow=True)
        assert response.status_code == 200
        assert not client_links(response) & pks(a), query
    assert client_links(http.get(reverse("clients:list"))) == pks(b)


def home_shows_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    response = http.get(reverse("home"), follow=True)
    assert client_links(response) == pks(b)


def create_offers_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    form = http.get(reverse("clients:create")).context["form"]
    assert set(form.fields["professionals"].queryset) == {b.other_professional}
    before = Client.objects.count()
    response = http.post(
        reverse("clients:create"),
        {"full_name": "Cross", "professionals": [a.other_professional.pk]},
    )
    assert response.status_code == 200
    assert Client.objects.count() == before


def language_is_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    response = http.post(reverse("practices:language"), {"language": "fr"})
    assert response.status_code == 302
    assert User.objects.get(pk=b.owner.user_id).language == "fr"
    assert set(User.objects.exclude(pk=b.owner.user_id).values_list("language", flat=True)) == {""}


ROUTES: dict[str, Route] = {
    "home": Route(
        one("home"),
        ("get",),
        ("clientbook.tests.test_routes::test_another_practices_owner_sees_only_their_own_data",),
        home_shows_only_own,
    ),
    "clients:list": Route(
        one("clients:list"),
        ("get",),
        (
            "clients.tests.test_list_view::"
            "test_another_practice_sees_only_its_own_clients_with_the_same_names",
            "clients.tests.test_list_view::"
            "test_filtering_by_another_practices_professional_shows_nothing_of_it",
            "clients.tests.test_list_view::test_a_professional_sees_only_their_clients",
            "clients.tests.test_list_view::test_a_user_with_no_practice_gets_the_no_practice_page",
        ),
        list_shows_only_own,
    ),
    "clients:create": Route(
        one("clients:create", full_name="Cross", professionals=lambda a: [a.other_professional.pk]),
        ("get", "post"),
        (
            "clients.tests.test_create_view::"
            "test_another_practices_professional_is_refused_and_nothing_is_written",
            "clients.tests.test_create_view::test_the_form_offers_only_the_practices_own_professionals",
            "clients.tests.test_create_view::"
            "test_a_role_without_the_right_to_register_gets_403_and_writes_nothing",
        ),
        create_offers_only_own,
    ),
    "clients:card": Route(
        each_client("clients:card"),
        ("get", "post"),
        (
            "clients.tests.test_card_view::"
            "test_another_practice_gets_404_for_every_client_and_changes_nothing",
            "clients.tests.test_card_view::test_a_professional_gets_404_for_a_colleagues_client",
            "clients.tests.test_card_view::test_a_user_with_no_practice_gets_the_no_practice_page",
        ),
    ),
    "clients:edit": Route(
        each_client("clients:edit"),
        ("get", "post"),
        (
            "clients.tests.test_edit_view::"
            "test_another_practice_gets_404_for_every_client_and_changes_nothing",
            "clients.tests.test_edit_view::"
            "test_a_role_without_the_right_to_change_gets_403_and_changes_nothing",
            "clients.tests.test_edit_view::"
            "test_a_professional_gets_404_for_a_colleagues_client_and_changes_nothing",
        ),
    ),
    "clients:change_code": Route(
        each_client("clients:change_code"),
        ("get", "post"),
        (
            "clients.tests.test_change_code::"
            "test_another_practice_gets_404_for_every_client_and_changes_nothing",
            "clients.tests.test_change_code::"
            "test_reception_and_professionals_get_403_and_change_nothing",
        ),
    ),
    # The agenda (scheduling).
    "scheduling:agenda": Route(
        one("scheduling:agenda"),
        ("get",),
        (
            "scheduling.tests.test_agenda_view::test_another_practice_sees_only_its_own_agenda",
            "scheduling.tests.test_agenda_view::"
            "test_a_professional_sees_a_colleagues_sessions_only_as_busy",
        ),
        agenda.agenda_shows_only_own,
    ),
    "scheduling:book": Route(
        one("scheduling:book", client=lambda a: a.clients["João da Silva"].pk, time="10:00"),
        ("get", "post"),
        (
            "scheduling.tests.test_book_view::"
            "test_another_practices_client_professional_service_and_room_are_refused",
            "scheduling.tests.test_book_view::test_a_professional_cannot_book_a_colleagues_client",
        ),
        agenda.booking_offers_only_own,
    ),
    "scheduling:client_options": Route(
        one("scheduling:client_options"),
        ("get",),
        (
            "scheduling.tests.test_book_view::"
            "test_the_client_picker_finds_active_clients_of_the_practice_by_name",
            "scheduling.tests.test_book_view::test_a_professional_finds_only_their_own_clients",
        ),
        agenda.picker_finds_only_own,
    ),
    **{
        f"scheduling:{name}": Route(
            agenda.each_session(f"scheduling:{name}", **payload),
            methods,
            (
                "scheduling.tests.test_session_views::"
                "test_another_practice_gets_404_for_every_session_and_series_and_changes_nothing",
                "scheduling.tests.test_session_views::"
                "test_a_professional_gets_404_for_a_colleagues_clients_sessions_and_changes_nothing",
            ),
        )
        for name, methods, payload in [
            ("session", ("get",), {}),
            ("reschedule", ("get", "post"), {"date": "2030-01-07", "time": "07:00"}),
            ("cancel", ("get", "post"), {"cancelled_by": "client", "reason": "x"}),
            ("mark", ("post",), {"status": "attended"}),
            ("remove", ("get", "post"), {}),
        ]
    },
    **{
        f"scheduling:{name}": Route(
            agenda.each_series(
                f"scheduling:{name}",
                reason="x",
                what="all",
                date="2030-01-07",
                time="07:00",
                repeats="weekly",
                count=2,
                professional=lambda a: a.other_professional.pk,
            ),
            ("get", "post"),
            (
                "scheduling.tests.test_session_views::"
                "test_another_practice_gets_404_for_every_session_and_series_and_changes_nothing",
                "scheduling.tests.test_session_views::"
                "test_a_professional_gets_404_for_a_colleagues_clients_sessions_and_changes_nothing",
            ),
        )
        for name in ("series_pause", "series_resume", "series_change", "series_end")
    },
    **{
        f"scheduling:{name}": Route(
            one(f"scheduling:{name}"),
            ("get",),
            (
                "scheduling.tests.test_catalog_views::"
                "test_another_practice_lists_and_adds_only_its_own",
                "scheduling.tests.test_catalog_views::"
                "test_reception_and_professionals_get_403_and_change_nothing",
            ),
            agenda.catalog_lists_only_own,
        )
        for name in ("services", "rooms")
    },
    **{
        f"scheduling:{name}": Route(
            one(f"scheduling:{name}"),
            ("get",),
            (
                "scheduling.tests.test_catalog_views::"
                "test_another_practice_lists_and_adds_only_its_own",
                "scheduling.tests.test_catalog_views::"
                "test_reception_and_professionals_get_403_and_change_nothing",
            ),
            agenda.catalog_adds_only_own,
        )
        for name in ("service_create", "room_create")
    },
    **{
        f"scheduling:{name}": Route(
            build(f"scheduling:{name}", name="Taken over", default_duration=30, active="0"),
            methods,
            (
                "scheduling.tests.test_catalog_views::"
                "test_another_practice_gets_404_for_every_service_and_room_and_changes_nothing",
                "scheduling.tests.test_catalog_views::"
                "test_reception_and_professionals_get_403_and_change_nothing",
            ),
        )
        for name, build, methods in [
            ("service_edit", agenda.each_service, ("get", "post")),
            ("service_active", agenda.each_service, ("post",)),
            ("room_edit", agenda.each_room, ("get", "post")),
            ("room_active", agenda.each_room, ("post",)),
        ]
    },
    # Messages (messaging) and the practice's settings.
    "messaging:client": Route(
        messages.each_client("messaging:client"),
        ("get",),
        (
            "messaging.tests.test_views::"
            "test_another_practice_gets_404_for_every_client_and_changes_nothing",
            "messaging.tests.test_views::test_a_professional_gets_404_for_a_colleagues_client",
        ),
    ),
    "messaging:new": Route(
        messages.each_client("messaging:new", **messages.MESSAGE),
        ("get", "post"),
        (
            "messaging.tests.test_views::"
            "test_another_practice_gets_404_for_every_client_and_changes_nothing",
            "messaging.tests.test_views::test_a_professional_gets_404_for_a_colleagues_client",
        ),
    ),
    "messaging:cancel": Route(
        messages.each_message("messaging:cancel", reason="x"),
        ("post",),
        (
            "messaging.tests.test_views::test_another_practice_cannot_cancel_and_changes_nothing",
            "messaging.tests.test_views::"
            "test_a_professional_cannot_cancel_a_colleagues_clients_message",
        ),
    ),
    "messaging:templates": Route(
        messages.templates_page(),
        ("get", "post"),
        (
            "messaging.tests.test_views::"
            "test_another_practice_sees_only_its_own_templates_and_gets_404_for_others",
            "messaging.tests.test_views::"
            "test_reception_and_professionals_get_403_for_templates_and_change_nothing",
        ),
        messages.templates_only_own,
    ),
    **{
        f"messaging:{name}": Route(
            messages.each_template(f"messaging:{name}", **messages.TEMPLATE),
            methods,
            (
                "messaging.tests.test_views::"
                "test_another_practice_sees_only_its_own_templates_and_gets_404_for_others",
                "messaging.tests.test_views::"
                "test_reception_and_professionals_get_403_for_templates_and_change_nothing",
            ),
        )
        for name, methods in [("template_edit", ("get", "post")), ("template_delete", ("post",))]
    },
    # Animals (veterinary practices).
    **{
        f"animals:{name}": Route(
            animals.each_client(f"animals:{name}", **payload),
            methods,
            (
                "pets.tests.test_views::"
                "test_another_practice_gets_404_for_every_client_and_changes_nothing",
                "pets.tests.test_views::"
                "test_a_professional_gets_404_for_a_colleagues_client_and_changes_nothing",
            ),
        )
        for name, methods, payload in [
            ("add", ("get", "post"), animals.ANIMAL),
            ("client_active", ("post",), {"active": "0"}),
        ]
    },
    **{
        f"animals:{name}": Route(
            animals.each_animal(f"animals:{name}", **payload),
            methods,
            (
                "pets.tests.test_views::"
                "test_another_practice_gets_404_for_every_animal_and_changes_nothing",
                "pets.tests.test_views::"
                "test_a_professional_gets_404_for_a_colleagues_clients_animal",
            ),
        )
        for name, methods, payload in [
            ("edit", ("get", "post"), animals.ANIMAL),
            ("active", ("post",), {"active": "0"}),
        ]
    },
    # A client's sales (billing): new sale, documents, payments, settlements, turnover.
    **{
        f"billing:{name}": Route(
            sales.each_client(f"billing:{name}", **payload),
            methods,
            (
                "billing.tests.test_views::test_another_practice_gets_404_for_every_sales_page",
                "billing.tests.test_views::test_a_professional_cannot_sell_to_a_colleagues_client",
            ),
        )
        for name, methods, payload in [
            ("client", ("get",), {}),
            ("new", ("get", "post"), {"document_type": "1", "lines-TOTAL_FORMS": "0"}),
            ("pay", ("get", "post"), sales.PAYMENT),
            ("settle", ("get", "post"), sales.PAYMENT),
            ("turnover", ("get",), {}),
        ]
    },
    **{
        f"billing:{name}": Route(
            sales.each_document(f"billing:{name}", **payload),
            methods,
            (
                "billing.tests.test_views::test_another_practice_gets_404_for_every_sales_page",
                "billing.tests.test_views::test_a_professional_gets_404_for_a_colleagues_papers",
            ),
        )
        for name, methods, payload in [
            ("document", ("get",), {}),
            ("document_pdf", ("get",), {}),
            ("credit", ("get", "post"), {"reason": "taken over"}),
            ("send", ("get", "post"), {"channel": "email", "body": "x"}),
        ]
    },
    **{
        f"billing:{name}": Route(
            sales.each_payment(f"billing:{name}", **payload),
            methods,
            (
                "billing.tests.test_views::test_another_practice_gets_404_for_every_sales_page",
                "billing.tests.test_views::test_a_professional_gets_404_for_a_colleagues_papers",
            ),
        )
        for name, methods, payload in [
            ("payment", ("get",), {}),
            ("payment_pdf", ("get",), {}),
            ("reverse_payment", ("post",), {"reason": "taken over"}),
        ]
    },
    **{
        f"billing:{name}": Route(
            sales.each_settlement(f"billing:{name}", **payload),
            methods,
            (
                "billing.tests.test_views::test_another_practice_gets_404_for_every_sales_page",
                "billing.tests.test_views::test_a_professional_gets_404_for_a_colleagues_papers",
            ),
        )
        for name, methods, payload in [
            ("settlement", ("get",), {}),
            ("settlement_pdf", ("get",), {}),
            ("reverse_settlement", ("post",), {"reason": "taken over"}),
        ]
    },
    # The sales catalog (billing): goods, warehouses and their stock, document types.
    "billing:catalog": Route(
        sales_catalog.page("billing:catalog"),
        ("get",),
        (
            "billing.tests.test_catalog_views::test_another_practice_sees_only_its_own_catalog",
            "billing.tests.test_catalog_views::test_every_member_sees_the_catalog",
        ),
        sales_catalog.catalog_shows_only_own,
    ),
    **{
        f"billing:{name}": Route(
            sales_catalog.page(f"billing:{name}", **payload),
            ("get", "post"),
            (
                "billing.tests.test_catalog_views::test_another_practice_adds_only_its_own",
                "billing.tests.test_catalog_views::"
                "test_reception_and_professionals_get_403_and_change_nothing",
            ),
            sales_catalog.adding_adds_only_own(f"billing:{name}", payload, model),
        )
        for name, payload, model in [
            ("product_add", sales_catalog.GOOD, Product),
            ("warehouse_add", sales_catalog.WAREHOUSE, Warehouse),
            ("document_type_add", sales_catalog.DOCUMENT_TYPE, DocumentType),
        ]
    },
    **{
        f"billing:{name}": Route(
            build(f"billing:{name}", **payload),
            ("get", "post"),
            (
                "billing.tests.test_catalog_views::"
                "test_another_practice_gets_404_for_every_row_and_changes_nothing",
                "billing.tests.test_catalog_views::"
                "test_reception_and_professionals_get_403_and_change_nothing",
            ),
        )
        for name, build, payload in [
            ("product_edit", sales_catalog.each_good, sales_catalog.GOOD),
            ("warehouse_edit", sales_catalog.each_warehouse, sales_catalog.WAREHOUSE),
            ("document_type_edit", sales_catalog.each_document_type, sales_catalog.DOCUMENT_TYPE),
        ]
    },
    "billing:stock": Route(
        sales_catalog.each_warehouse("billing:stock", **sales_catalog.MOVEMENT),
        ("get", "post"),
        (
            "billing.tests.test_catalog_views::"
            "test_another_practice_gets_404_for_every_row_and_changes_nothing",
            "billing.tests.test_catalog_views::"
            "test_a_professional_sees_the_stock_but_cannot_record_a_movement",
        ),
    ),
    "billing:movements": Route(
        sales_catalog.page("billing:movements"),
        ("get",),
        (
            "billing.tests.test_catalog_views::"
            "test_another_practice_sees_only_its_own_movements_and_gets_404_for_others",
        ),
        sales_catalog.movements_show_only_own,
    ),
    # Documents and files (documents).
    **{
        f"documents:{name}": Route(
            papers.each_client(f"documents:{name}", **payload),
            methods,
            (
                "documents.tests.test_attachments::"
                "test_another_practice_gets_404_for_every_client_and_file_and_changes_nothing",
                "documents.tests.test_attachments::"
                "test_a_professional_gets_404_for_a_colleagues_clients_files",
            ),
        )
        for name, methods, payload in [
            ("client", ("get",), {}),
            ("upload", ("get", "post"), {"title": "Taken over"}),
        ]
    },
    "documents:create": Route(
        papers.each_client("documents:create", **papers.DOCUMENT),
        ("get", "post"),
        (
            "documents.tests.test_documents::"
            "test_another_practice_gets_404_for_every_clients_documents_and_changes_nothing",
            "documents.tests.test_documents::"
            "test_a_professional_gets_404_for_a_colleagues_clients_documents",
        ),
    ),
    **{
        f"documents:{name}": Route(
            papers.each_attachment(f"documents:{name}"),
            methods,
            (
                "documents.tests.test_attachments::"
                "test_another_practice_gets_404_for_every_client_and_file_and_changes_nothing",
                "documents.tests.test_attachments::"
                "test_a_professional_gets_404_for_a_colleagues_clients_files",
                "documents.tests.test_attachments::"
                "test_a_role_without_the_right_to_change_gets_403_and_changes_nothing",
            ),
        )
        for name, methods in [("attachment", ("get",)), ("attachment_remove", ("get", "post"))]
    },
    **{
        f"documents:{name}": Route(
            papers.each_document(f"documents:{name}", **payload),
            methods,
            (
                "documents.tests.test_documents::"
                "test_another_practice_gets_404_for_every_clients_documents_and_changes_nothing",
                "documents.tests.test_documents::"
                "test_a_professional_gets_404_for_a_colleagues_clients_documents",
                "documents.tests.test_documents::"
                "test_a_role_without_the_right_to_change_reads_but_gets_403_for_writing",
            ),
        )
        for name, methods, payload in [
            ("document", ("get",), {}),
            ("print", ("get",), {}),
            ("pdf", ("get",), {}),
            ("send", ("get", "post"), {"channel": "email", "recipient": "client", "body": "x"}),
            ("remove", ("get", "post"), {}),
        ]
    },
    "documents:templates": Route(
        papers.templates_page(),
        ("get", "post"),
        (
            "documents.tests.test_documents::"
            "test_another_practice_sees_only_its_own_templates_and_gets_404_for_others",
            "documents.tests.test_documents::"
            "test_reception_and_professionals_get_403_for_templates_and_change_nothing",
        ),
        papers.templates_only_own,
    ),
    **{
        f"documents:{name}": Route(
            papers.each_template(f"documents:{name}", **papers.TEMPLATE),
            methods,
            (
                "documents.tests.test_documents::"
                "test_another_practice_sees_only_its_own_templates_and_gets_404_for_others",
                "documents.tests.test_documents::"
                "test_reception_and_professionals_get_403_for_templates_and_change_nothing",
            ),
        )
        for name, methods in [("template_edit", ("get", "post")), ("template_delete", ("post",))]
    },
    # Anamnesis (intake).
    **{
        f"intake:{name}": Route(
            anamnesis.each_client(f"intake:{name}"),
            methods,
            (
                "intake.tests.test_views::"
                "test_another_practice_gets_404_for_every_client_and_changes_nothing",
                "intake.tests.test_views::test_a_professional_gets_404_for_a_colleagues_client",
                "intake.tests.test_views::"
                "test_a_role_without_the_right_to_change_reads_but_gets_403_for_answering",
            ),
        )
        for name, methods in [
            ("client", ("get",)),
            ("edit", ("get", "post")),
            ("history", ("get",)),
        ]
    },
    "intake:groups": Route(
        anamnesis.groups_page(),
        ("get", "post"),
        (
            "intake.tests.test_views::"
            "test_another_practice_sees_only_its_own_forms_and_gets_404_for_others",
            "intake.tests.test_views::"
            "test_reception_and_professionals_get_403_for_the_forms_and_change_nothing",
        ),
        anamnesis.groups_only_own,
    ),
    **{
        f"intake:{name}": Route(
            build(f"intake:{name}", **payload),
            methods,
            (
                "intake.tests.test_views::"
                "test_another_practice_sees_only_its_own_forms_and_gets_404_for_others",
                "intake.tests.test_views::"
                "test_reception_and_professionals_get_403_for_the_forms_and_change_nothing",
            ),
        )
        for name, build, methods, payload in [
            ("group", anamnesis.each_group, ("get", "post"), {"name": "Taken over"}),
            ("question_add", anamnesis.each_group, ("get", "post"), anamnesis.QUESTION),
            ("question_edit", anamnesis.each_question, ("get", "post"), anamnesis.QUESTION),
            ("question_move", anamnesis.each_question, ("post",), {"direction": "down"}),
            ("question_active", anamnesis.each_question, ("post",), {"active": "0"}),
        ]
    },
    "practices:settings": Route(
        one("practices:settings", **messages.SETTINGS),
        ("get", "post"),
        (
            "practices.tests.test_settings_view::"
            "test_another_practices_owner_changes_only_their_own_practice",
            "practices.tests.test_settings_view::"
            "test_reception_and_professionals_get_403_and_change_nothing",
        ),
        messages.settings_only_own,
    ),
    "practices:switch": Route(
        one("practices:switch", practice=lambda a: a.practice.pk),
        ("post",),
        (
            "practices.tests.test_views::"
            "test_switching_to_a_practice_one_does_not_belong_to_is_a_404",
            "practices.tests.test_views::"
            "test_switching_shows_the_other_practices_clients_and_its_ids_only",
        ),
    ),
    "practices:language": Route(
        one("practices:language", language="fr"),
        ("post",),
        (
            "practices.tests.test_views::test_the_language_changes_nothing_in_the_practice",
            "practices.tests.test_views::test_choosing_a_language_is_a_post_for_members",
        ),
        language_is_own,
    ),
}


def url_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """(route, name) of every URL pattern of the project, includes walked recursively."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            # An unnamed pattern is listed by its route, so it cannot slip through.
            yield route, f"{namespace}{pattern.name}" if pattern.name else route


def exemption(route: str) -> str | None:
    return next((prefix for prefix in EXEMPT if route.startswith(prefix)), None)


def everything() -> tuple:
    """What a request must not change: every client row, the events, memberships, languages,
    the agenda, the messages, the animals, the sales catalog."""
    return (
        agenda.scheduling_rows(),
        messages.messaging_rows(),
        animals.animal_rows(),
        papers.document_rows(),
        anamnesis.intake_rows(),
        sales_catalog.catalog_rows(),
        sales.sales_rows(),
        list(
            Client.objects.order_by("pk").values_list(
                "pk", "practice_id", "code", "former_codes", "full_name", "status", "version"
            )
        ),
        Event.objects.count(),
        list(Member.objects.order_by("pk").values_list("pk", "practice_id", "role", "is_active")),
        list(User.objects.order_by("pk").values_list("pk", "language", "password")),
    )


def requests(route: Route, a: PracticeWorld):
    for url, payload in route.build(a):
        for method in route.methods:
            yield method, url, payload


def send(http: HttpClient, method: str, url: str, payload: dict):
    return http.post(url, payload) if method == "post" else http.get(url)


# The map is complete and points at real tests.


def test_every_url_pattern_has_an_access_test():
    discovered = {name for route, name in url_patterns() if exemption(route) is None}
    assert discovered == set(ROUTES), (
        "A URL without an access test (add it to ROUTES with its tenancy tests) or an entry "
        "for a URL that no longer exists."
    )


def test_every_exemption_still_matches_a_url():
    routes = [route for route, _ in url_patterns()]
    for prefix in EXEMPT:
        assert any(route.startswith(prefix) for route in routes), prefix


@pytest.mark.parametrize("name", list(ROUTES))
def test_the_tenancy_tests_named_for_each_url_exist(name):
    for reference in ROUTES[name].tests:
        module, function = reference.split("::")
        assert callable(getattr(importlib.import_module(module), function, None)), reference


# Anonymous visitors and another practice.


@pytest.mark.parametrize("name", list(ROUTES))
def test_an_anonymous_visitor_is_sent_to_log_in(a, name):
    todo = list(requests(ROUTES[name], a))  # first: building them may make A's data
    before = everything()
    http = HttpClient()
    for method, url, payload in todo:
        response = send(http, method, url, payload)
        # The home page first redirects to the list, which then asks to log in.
        for _ in range(3):
            if response.status_code != 302 or response["Location"].startswith(reverse("login")):
                break
            response = http.get(response["Location"])
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("login") + "?next="), (method, url)
    assert everything() == before


@pytest.mark.parametrize("name", [n for n, r in ROUTES.items() if r.only_own_data is None])
def test_another_practices_owner_gets_404_for_practice_as_ids(a, b, name):
    todo = list(requests(ROUTES[name], a))  # first: building them may make A's data
    before = everything()
    http = logged_in(b.owner)
    for method, url, payload in todo:
        response = send(http, method, url, payload)
        assert response.status_code == 404, (method, url)
    assert everything() == before


@pytest.mark.parametrize("name", [n for n, r in ROUTES.items() if r.only_own_data is not None])
def test_another_practices_owner_sees_only_their_own_data(a, b, name):
    ROUTES[name].only_own_data(logged_in(b.owner), a, b)
