"""The client list: tabs with counts, sorting, keyset pagination, filters, htmx and no-JS use."""

import datetime
import html
import itertools
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone, translation

from clientbook.testing import logged_in, make_client, make_user
from clients.models import Client, ClientProfessional, Status, StatusCount
from clients.services import bump_status_counts, change_status
from practices.models import Member

LIST = reverse("clients:list")
ROW = re.compile(r'<a href="/clients/(\d+)/" class="client-link">')
TAB = re.compile(r'data-tab="(\w+)">.*?<span class="count">([^<]*)</span>', re.S)
COLUMNS = {
    "name": "sort_key",
    "code": "code",
    "contact": "first_contact_at",
    "registered": "created_at",
}


def rows(response) -> list[int]:
    """The client ids of the list's rows, in order."""
    return [int(pk) for pk in ROW.findall(response.content.decode())]


def tabs(response) -> dict[str, int]:
    return {key: int(re.sub(r"\D", "", n)) for key, n in TAB.findall(response.content.decode())}


def link(response, rel: str) -> str | None:
    """The plain href of the pager's next/prev link (what a browser without JS follows)."""
    found = re.search(rf'<a rel="{rel}" href="([^"]*)"', response.content.decode())
    return LIST + html.unescape(found[1]) if found else None


def ids(clients) -> list[int]:
    return [c.pk for c in clients]


@pytest.fixture
def crowd(a) -> list[Client]:
    """120 more active clients of practice A, made by a small factory (registering them one
    by one through the service takes seconds). Names, first contacts and registration times
    tie in places, so the id has to break the ties of every sort."""
    start = timezone.now() - datetime.timedelta(days=400)
    made = []
    for i in range(120):
        client = Client(
            practice=a.practice,
            code=f"C{(i * 37) % 120:04d}",  # codes not in the order of the ids
            full_name=f"Crowd {i % 40:02d}",
            first_contact_at=start + datetime.timedelta(days=i % 30),
            created_at=start + datetime.timedelta(hours=i // 4),
        )
        client.refresh_search_fields()
        made.append(client)
    made = Client.objects.bulk_create(made)
    ClientProfessional.objects.bulk_create(
        ClientProfessional(practice=a.practice, client=c, professional=a.other_professional)
        for c in made
    )
    bump_status_counts(a.practice, {Status.ACTIVE: len(made)})
    return made


def expected_order(practice, column: str, descending: bool, status=Status.ACTIVE) -> list[int]:
    order = [f"-{column}", "-pk"] if descending else [column, "pk"]
    clients = Client.objects.filter(practice=practice, status=status).order_by(*order)
    return list(clients.values_list("pk", flat=True))


# Tenancy.


@pytest.mark.parametrize("role", ["owner", "admin", "reception"])
def test_owner_admin_and_reception_see_every_client_of_their_practice(a, b, role):
    response = logged_in(a.member(role)).get(LIST)
    assert response.status_code == 200
    assert set(rows(response)) == set(ids(a.clients.values()))


def test_a_professional_sees_only_their_clients(a, b):
    response = logged_in(a.professional).get(LIST)
    assert rows(response) == [a.clients["Ana's client"].pk]
    assert tabs(response)["active"] == 1


def test_a_user_with_no_practice_gets_the_no_practice_page(a):
    http = HttpClient()
    http.force_login(make_user("nobody@example.test"))
    response = http.get(LIST)
    assert response.status_code == 403
    assert "practices/no_practice.html" in [t.name for t in response.templates]


def test_a_deactivated_member_gets_the_no_practice_page(a):
    Member.objects.filter(pk=a.reception.pk).update(is_active=False)
    response = logged_in(a.reception).get(LIST)
    assert response.status_code == 403
    assert "practices/no_practice.html" in [t.name for t in response.templates]


def test_an_anonymous_visitor_is_sent_to_log_in(a):
    response = HttpClient().get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_practice_sees_only_its_own_clients_with_the_same_names(a, b):
    response = logged_in(b.owner).get(LIST)
    assert set(rows(response)) == set(ids(b.clients.values()))
    assert not set(rows(response)) & set(ids(a.clients.values()))


def test_filtering_by_another_practices_professional_shows_nothing_of_it(a, b):
    response = logged_in(b.owner).get(LIST, {"professional": a.other_professional.pk})
    assert response.status_code == 200
    assert rows(response) == []
    assert tabs(response)["active"] == 0


def test_searching_from_another_practice_finds_only_its_own_look_alike(a, b):
    response = logged_in(b.owner).get(LIST, {"q": "joao silva"})
    assert rows(response) == [b.clients["João da Silva"].pk]


# Tabs and their counts.


def test_the_tabs_show_the_count_of_each_status(a):
    change_status(
        [a.clients["João da Silva"], a.clients["Zoë Ødegaard"]], by=a.owner, status="waitlist"
    )
    change_status([a.clients["Émilie Tremblay"]], by=a.owner, status="inactive")
    response = logged_in(a.reception).get(LIST)
    assert tabs(response) == {"active": 2, "waitlist": 2, "inactive": 1, "forgotten": 0, "all": 5}


def test_each_tab_lists_only_its_status_and_all_lists_every_client(a):
    waiting = a.clients["João da Silva"]
    change_status([waiting], by=a.owner, status="waitlist")
    http = logged_in(a.reception)
    assert rows(http.get(LIST, {"status": "waitlist"})) == [waiting.pk]
    assert waiting.pk not in rows(http.get(LIST))
    assert set(rows(http.get(LIST, {"status": "all"}))) == set(ids(a.clients.values()))
    assert rows(http.get(LIST, {"status": "forgotten"})) == []


def test_an_unknown_tab_shows_the_active_tab(a):
    response = logged_in(a.reception).get(LIST, {"status": "deleted"})
    assert response.status_code == 200
    assert response.context["status"] == "active"


def test_the_counts_come_from_the_kept_counts_without_scanning_the_practice(a):
    # The services keep StatusCount; the page must read it, not count the clients.
    StatusCount.objects.filter(practice=a.practice, status="active").update(count=42)
    assert tabs(logged_in(a.owner).get(LIST))["active"] == 42


def test_with_a_search_the_counts_are_counted_on_the_found_clients(a):
    StatusCount.objects.filter(practice=a.practice, status="active").update(count=42)
    change_status([a.clients["Łukasz Wiśniewski"]], by=a.owner, status="waitlist")
    make_client(a.reception, "Łukasz Nowak")
    response = logged_in(a.owner).get(LIST, {"q": "lukasz"})
    assert tabs(response) == {"active": 1, "waitlist": 1, "inactive": 0, "forgotten": 0, "all": 2}


def test_with_a_professional_filter_the_counts_are_counted_on_their_clients(a):
    StatusCount.objects.filter(practice=a.practice, status="active").update(count=42)
    ana = a.professional.professional
    response = logged_in(a.owner).get(LIST, {"professional": ana.pk})
    assert rows(response) == [a.clients["Ana's client"].pk]
    assert tabs(response)["active"] == 1
    assert tabs(response)["all"] == 1


def test_a_professionals_counts_are_their_own_clients_not_the_practices(a):
    StatusCount.objects.filter(practice=a.practice, status="active").update(count=42)
    assert tabs(logged_in(a.professional).get(LIST))["active"] == 1


def test_the_tab_labels_are_in_the_users_language(a, b):
    for member, language in ((a.reception, "pt-br"), (b.owner, "pl")):
        response = logged_in(member).get(LIST)
        with translation.override(language):
            expected = translation.gettext("Waitlist")
        assert expected != "Waitlist", "no compiled catalog (see test_translations.py)"
        tab = re.search(r'data-tab="waitlist">\s*([^<]*?)\s*<span', response.content.decode())
        assert tab[1] == expected


# Order and sorting.


def test_the_waitlist_is_ordered_by_first_contact_oldest_first(a):
    now = timezone.now()
    made = {
        days: make_client(
            a.reception,
            f"Waiting {days}",
            status="waitlist",
            first_contact_at=now - datetime.timedelta(days=days),
        )
        for days in (3, 90, 10, 400, 1)
    }
    response = logged_in(a.reception).get(LIST, {"status": "waitlist"})
    assert rows(response) == [made[d].pk for d in (400, 90, 10, 3, 1)]


def test_the_active_tab_is_ordered_by_name_ignoring_accents(a):
    response = logged_in(a.reception).get(LIST)
    names = [Client.objects.get(pk=pk).full_name for pk in rows(response)]
    assert names == [
        "Conceição Araújo",
        "Émilie Tremblay",
        "João da Silva",
        "Łukasz Wiśniewski",
        "Zoë Ødegaard",
    ]


@pytest.mark.parametrize("sort", list(COLUMNS))
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_it_sorts_by_each_column_both_ways(a, crowd, sort, descending):
    response = logged_in(a.reception).get(LIST, {"sort": f"-{sort}" if descending else sort})
    expected = expected_order(a.practice, COLUMNS[sort], descending)
    assert rows(response) == expected[:50]


def test_clicking_a_column_header_sorts_by_it_and_clicking_again_reverses(a):
    http = logged_in(a.reception)
    page = http.get(LIST).content.decode()
    href = re.search(r'<a class="sort" href="([^"]*sort=code)"', page)[1]
    response = http.get(LIST + html.unescape(href))
    assert rows(response) == expected_order(a.practice, "code", False)
    href = re.search(r'<a class="sort sorted" href="([^"]*sort=-code)"', response.content.decode())
    response = http.get(LIST + html.unescape(href[1]))
    assert rows(response) == expected_order(a.practice, "code", True)


def test_an_unknown_sort_falls_back_to_the_tabs_default(a):
    response = logged_in(a.reception).get(LIST, {"sort": "-national_id"})
    assert response.status_code == 200
    assert rows(response) == expected_order(a.practice, "sort_key", False)


# Keyset pagination.


def walk(http, url: str, rel: str) -> list[list[int]]:
    """Every page from `url`, following the `rel` link until there is none."""
    pages = []
    while url:
        response = http.get(url)
        assert response.status_code == 200
        pages.append(rows(response))
        url = link(response, rel)
        assert len(pages) < 20, "the pager loops"
    return pages


@pytest.mark.parametrize("sort", list(COLUMNS))
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_next_links_walk_the_whole_list_with_no_duplicate_and_no_gap(
    a, crowd, settings, sort, descending
):
    settings.CLIENTS_PAGE_SIZE = 25
    http = logged_in(a.reception)
    pages = walk(http, f"{LIST}?sort={'-' if descending else ''}{sort}", "next")
    assert [len(p) for p in pages] == [25, 25, 25, 25, 25]
    assert list(itertools.chain(*pages)) == expected_order(a.practice, COLUMNS[sort], descending)


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("sort", list(COLUMNS))
def test_previous_links_walk_back_to_the_first_page_with_no_duplicate_and_no_gap(
    a, crowd, settings, sort, descending
):
    settings.CLIENTS_PAGE_SIZE = 25
    http = logged_in(a.reception)
    url = f"{LIST}?sort={'-' if descending else ''}{sort}"
    forward = walk(http, url, "next")
    # Back from the last page: go there through the next links, then follow the prev links.
    last = url
    for _ in forward[1:]:
        last = link(http.get(last), "next")
    backward = walk(http, last, "prev")
    assert backward == forward[::-1]
    assert list(itertools.chain(*backward[::-1])) == expected_order(
        a.practice, COLUMNS[sort], descending
    )


def test_the_first_page_has_no_previous_link_and_the_last_no_next(a, crowd):
    http = logged_in(a.reception)
    first = http.get(LIST)
    assert link(first, "prev") is None
    assert link(first, "next") is not None
    last = http.get(link(http.get(link(first, "next")), "next"))
    assert len(rows(last)) == 125 - 100
    assert link(last, "next") is None


def test_the_pager_keeps_the_search_the_filter_and_the_sort(a, crowd, settings):
    settings.CLIENTS_PAGE_SIZE = 10
    bruno = a.other_professional
    response = logged_in(a.reception).get(
        LIST, {"q": "crowd", "professional": bruno.pk, "sort": "-code"}
    )
    url = link(response, "next")
    assert "q=crowd" in url
    assert f"professional={bruno.pk}" in url
    assert "sort=-code" in url


def test_a_garbled_cursor_shows_the_first_page(a, crowd):
    http = logged_in(a.reception)
    first = rows(http.get(LIST))
    for cursor in ["garbage", "eyJ4Ijoi", "WzEsMl0", "W251bGwsIDFd", ""]:
        response = http.get(LIST, {"after": cursor})
        assert response.status_code == 200, cursor
        assert rows(response) == first, cursor


# Filters and search through the page.


def test_the_professional_filter_shows_only_that_professionals_clients(a):
    ana = a.professional.professional
    make_client(a.reception, "Shared Client", professionals=[ana, a.other_professional])
    response = logged_in(a.reception).get(LIST, {"professional": a.other_professional.pk})
    names = {Client.objects.get(pk=pk).full_name for pk in rows(response)}
    assert names == {
        "João da Silva",
        "Łukasz Wiśniewski",
        "Émilie Tremblay",
        "Zoë Ødegaard",
        "Shared Client",
    }


def test_a_non_numeric_professional_filter_is_ignored(a):
    response = logged_in(a.reception).get(LIST, {"professional": "1 OR 1=1"})
    assert response.status_code == 200
    assert set(rows(response)) == set(ids(a.clients.values()))


def test_a_search_finds_clients_by_name_without_accents(a):
    response = logged_in(a.reception).get(LIST, {"q": "JOAO"})
    assert rows(response) == [a.clients["João da Silva"].pk]


def test_a_search_finds_a_client_by_phone_typed_in_any_format(a):
    response = logged_in(a.reception).get(LIST, {"q": "(11) 98765-4321"})
    assert rows(response) == [a.clients["Ana's client"].pk]


def test_a_professionals_search_finds_only_their_clients(a):
    http = logged_in(a.professional)
    assert rows(http.get(LIST, {"q": "silva"})) == []
    assert rows(http.get(LIST, {"q": "conceicao"})) == [a.clients["Ana's client"].pk]


def test_a_search_with_no_match_offers_to_search_all_statuses(a):
    response = logged_in(a.reception).get(LIST, {"q": "nobody-like-this"})
    assert rows(response) == []
    assert 'href="?status=all&amp;q=nobody-like-this"' in response.content.decode()


# htmx and pages without JavaScript.


def test_an_htmx_request_gets_only_the_results_fragment(a):
    response = logged_in(a.reception).get(LIST, {"q": "silva"}, headers={"HX-Request": "true"})
    body = response.content.decode().strip()
    assert response.status_code == 200
    assert body.startswith('<div id="results">')
    assert body.endswith("</div>")
    assert "<html" not in body
    assert 'class="filters"' not in body
    assert rows(response) == [a.clients["João da Silva"].pk]


def test_a_boosted_htmx_request_gets_the_whole_page(a):
    response = logged_in(a.reception).get(
        LIST, headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert "<html" in response.content.decode()


def test_every_link_of_the_list_works_as_a_plain_get_without_javascript(a, crowd):
    http = logged_in(a.reception)
    page = http.get(LIST).content.decode()
    assert '<form class="filters" method="get" action="/clients/"' in page
    links = re.findall(r'href="(\?[^"]*)"\s+hx-get="([^"]*)"', page)
    # Each htmx link has the same plain href beside it.
    assert links
    assert all(href == hx for href, hx in links)
    hrefs = {html.unescape(href) for href, _ in links}
    # Every tab, the sort headers and the next page.
    assert {"?status=waitlist", "?status=all"} <= hrefs
    assert any("sort=code" in h for h in hrefs)
    assert any("after=" in h for h in hrefs)
    for href in hrefs:
        response = http.get(LIST + href)
        assert response.status_code == 200, href
        assert "<html" in response.content.decode(), href


def test_the_search_form_submitted_without_javascript_shows_the_whole_page(a):
    response = logged_in(a.reception).get(
        LIST, {"status": "active", "q": "zoe", "professional": ""}
    )
    assert "<html" in response.content.decode()
    assert rows(response) == [a.clients["Zoë Ødegaard"].pk]


# Query counts.

# 1 session, 2 user, 3 the user's memberships with their practices (middleware; also the
# practice switcher), 4 the tab counts (from StatusCount; counted on the found clients with a
# search or a filter), 5 the ids of the page (from the indexes), 6 those rows, 7 their
# professionals (one prefetch for all rows), 8 the professionals for the filter.
LIST_QUERIES = 8


def test_the_list_of_fifty_rows_takes_eight_queries(a, django_assert_num_queries):
    for i in range(50):
        make_client(a.reception, f"Client {i:02d}")
    http = logged_in(a.owner)
    with django_assert_num_queries(LIST_QUERIES):
        response = http.get(LIST)
    assert len(rows(response)) == 50


@pytest.mark.parametrize("extra", [0, 60])
def test_the_list_takes_the_same_queries_for_five_rows_and_for_sixty(
    a, django_assert_num_queries, extra
):
    for i in range(extra):
        make_client(
            a.reception,
            f"Client {i:02d}",
            professionals=[a.other_professional, a.professional.professional],
            phone="+5511987650000",
        )
    http = logged_in(a.owner)
    with django_assert_num_queries(LIST_QUERIES):  # nothing per row
        response = http.get(LIST)
    assert len(rows(response)) == min(5 + extra, 50)


@pytest.mark.parametrize(
    ("query", "shown"),
    [({"q": "silva"}, 31), ({"status": "waitlist"}, 30), ({"sort": "-contact"}, 35)],
)
def test_a_search_a_tab_or_a_sort_takes_the_same_number_of_queries(
    a, django_assert_num_queries, query, shown
):
    for i in range(60):
        make_client(a.reception, f"Silva {i:02d}", status=Status.WAITLIST if i % 2 else "active")
    http = logged_in(a.owner)
    with django_assert_num_queries(LIST_QUERIES):
        response = http.get(LIST, query)
    assert len(rows(response)) == shown
