import pytest

from clientbook.lib.text import fold, search_terms
from clientbook.testing import make_client
from clients.access import visible_clients
from clients.selectors import client_page, search


def test_fold_removes_case_and_accents():
    assert fold("JOÃO Łukasz Żółć Ødegaard Straße") == "joao lukasz zolc odegaard strasse"


def test_a_phone_typed_in_any_format_is_one_term_of_digits():
    assert search_terms("(11) 98765-4321") == ["11987654321"]
    assert search_terms("+48 601 234 567") == ["48601234567"]
    assert search_terms("Silva  joão") == ["silva", "joao"]


@pytest.mark.django_db
def test_joao_finds_every_spelling_and_no_other_practice(a, b):
    reception = a.reception
    spellings = ["João Pereira", "Joao Lima", "JOÃO SOUZA", "joão gomes"]
    made = {make_client(reception, name).pk for name in spellings}
    found = set(search(visible_clients(reception), "joao").values_list("pk", flat=True))
    assert made <= found
    assert a.clients["João da Silva"].pk in found
    assert b.clients["João da Silva"].pk not in found


@pytest.mark.django_db
def test_lukasz_finds_every_lukasz(a):
    made = {make_client(a.reception, n).pk for n in ["Łukasz Nowak", "ŁUKASZ KOWALSKI"]}
    found = set(search(visible_clients(a.reception), "lukasz").values_list("pk", flat=True))
    assert made | {a.clients["Łukasz Wiśniewski"].pk} == found


@pytest.mark.django_db
def test_words_match_in_any_order_and_short_terms_work(a):
    client = a.clients["João da Silva"]
    clients = visible_clients(a.reception)
    assert list(search(clients, "silva joao")) == [client]
    assert client in search(clients, "da silva")


@pytest.mark.django_db
def test_phone_email_code_and_national_id_find_the_client(a):
    client = a.clients["Ana's client"]
    clients = visible_clients(a.reception)
    for query in [
        "4321",
        "98765-4321",
        "(11) 98765 4321",
        "+55 11 98765-4321",
        "conceicao@",
        "example.com",
        client.code,
    ]:
        assert client in search(clients, query), query


@pytest.mark.django_db
def test_accented_initials_sort_with_their_letter(a):
    for name in ["Zenon Zebra", "Łucja Lis", "Śmiały Sowa", "Émile Eco", "Adam Abel"]:
        make_client(a.reception, name)
    names = [c.full_name for c in client_page(visible_clients(a.reception), size=100).rows]
    assert names.index("Łucja Lis") < names.index("Zenon Zebra")
    assert names.index("Śmiały Sowa") < names.index("Zenon Zebra")
    assert names.index("Émile Eco") < names.index("Łucja Lis")
    assert names[0] == "Adam Abel"
