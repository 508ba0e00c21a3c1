"""The operations that change a client: register, update, change code, change status.

Each checks the actor, stays in the actor's practice, is atomic (nothing half-written) and
records its event; the tab counts (StatusCount) move with the statuses.
"""

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count

from audit.models import Event, EventKind
from clientbook import testing
from clientbook.testing import client_data, make_client
from clients.access import visible_clients
from clients.models import Client, Status, StatusCount
from clients.selectors import search
from clients.services import (
    StaleVersion,
    bump_status_counts,
    change_client_code,
    change_status,
    register_client,
    update_client,
)
from practices.models import Practice, Professional


def fresh(client: Client) -> Client:
    return Client.objects.get(pk=client.pk)


def kept_counts(practice: Practice) -> dict[str, int]:
    rows = StatusCount.objects.filter(practice=practice).values_list("status", "count")
    return {status: n for status, n in rows if n}


def real_counts(practice: Practice) -> dict[str, int]:
    rows = (
        Client.objects.filter(practice=practice)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return dict(rows)


def written(practice: Practice) -> tuple:
    """Everything an operation on the practice's clients may write."""
    practice.refresh_from_db()
    clients = Client.objects.filter(practice=practice).order_by("pk")
    return (
        list(clients.values_list("pk", "code", "status", "version", "full_name", "former_codes")),
        Event.objects.filter(practice=practice).count(),
        kept_counts(practice),
        practice.next_client_number,
    )


# Register.


def test_codes_are_numbered_in_order_in_each_practice(a, b):
    assert sorted(c.code for c in a.clients.values()) == [f"00000{i}" for i in range(1, 6)]
    assert sorted(c.code for c in b.clients.values()) == [f"00000{i}" for i in range(1, 5)]
    assert make_client(a.reception, "Next One").code == "000006"


def test_a_code_taken_by_hand_is_skipped(a):
    change_client_code(a.clients["João da Silva"], by=a.owner, code="000006")
    assert make_client(a.reception, "Next One").code == "000007"
    assert make_client(a.reception, "Next Two").code == "000008"


def test_registering_records_one_event_with_the_fields_and_the_code(a):
    client = make_client(a.reception, "Maria", email="maria@example.com")
    (event,) = Event.objects.filter(client=client)
    assert event.kind == EventKind.CLIENT_CREATED
    assert event.actor == a.reception
    assert event.changes["full_name"] == [None, "Maria"]
    assert event.changes["email"] == [None, "maria@example.com"]
    assert event.data == {"code": client.code, "status": "active"}


def test_registering_bumps_the_count_of_its_status(a):
    before = kept_counts(a.practice)
    make_client(a.reception, "Waiting", status=Status.WAITLIST)
    make_client(a.reception, "Active")
    assert kept_counts(a.practice) == {
        "active": before["active"] + 1,
        "waitlist": before.get("waitlist", 0) + 1,
    }


@pytest.mark.parametrize("status", [Status.INACTIVE, Status.FORGOTTEN, "deleted"])
def test_a_new_client_is_only_active_or_waitlisted(a, status):
    before = written(a.practice)
    with pytest.raises(ValidationError) as error:
        make_client(a.reception, "Nope", status=status)
    assert "status" in error.value.error_dict
    assert written(a.practice) == before


def test_nobody_registers_into_another_practice(a, b):
    before = written(b.practice)
    with pytest.raises(PermissionDenied):
        register_client(
            practice=b.practice,
            by=a.owner,
            data=client_data([b.other_professional], full_name="Intruder"),
        )
    assert written(b.practice) == before


def test_another_practices_professional_is_refused(a, b):
    before = written(a.practice)
    with pytest.raises(ValidationError) as error:
        make_client(a.reception, "Mixed", professionals=[b.other_professional])
    assert "professionals" in error.value.error_dict
    assert written(a.practice) == before


def test_a_client_needs_a_professional(a):
    before = written(a.practice)
    with pytest.raises(ValidationError) as error:
        make_client(a.reception, "Alone", professionals=[])
    assert "professionals" in error.value.error_dict
    assert written(a.practice) == before


def test_a_professional_registering_is_added_to_their_own_client(a):
    client = make_client(a.professional, "Mine Too", professionals=[a.other_professional])
    assert set(client.professionals.all()) == {a.professional.professional, a.other_professional}


def test_an_invalid_card_writes_nothing_and_uses_no_code(a):
    before = written(a.practice)
    with pytest.raises(ValidationError):
        make_client(a.reception, "Bad Mail", email="not-an-e-mail")
    assert written(a.practice) == before
    assert make_client(a.reception, "Good").code == "000006"


@pytest.fixture
def threads_share_the_database(tmp_path):
    """Lets threads, each with its own connection, write at once as two requests would.

    PostgreSQL: nothing to do. SQLite: the test database lives in memory with a shared cache,
    where a second writer fails at once ("database table is locked") instead of waiting as it
    does on the WAL file production uses (busy_timeout, immediate transactions; see settings).
    So the threads work on a copy of the test database in a file, opened with the production
    settings. The main thread's in-memory connection is left open and untouched.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    path = tmp_path / "concurrent.sqlite3"
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    settings_dict = connection.settings_dict  # the dict new connections are made from
    name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        settings_dict["NAME"] = name


def in_threads(work: Callable[[int], Any], n: int) -> list[Any]:
    """Runs work(0) … work(n - 1) in n threads started together; each closes its connection."""
    start = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = work(i)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results


@pytest.mark.django_db(transaction=True)
def test_receptionists_registering_at_once_get_different_codes(request):
    world = testing.build_practice_a()
    request.getfixturevalue("threads_share_the_database")
    members = [world.owner, world.admin, world.reception, world.owner]
    codes = in_threads(
        lambda i: [make_client(members[i % 4], f"At once {i}-{j}").code for j in range(3)], 8
    )
    codes = [code for batch in codes for code in batch]
    assert len(set(codes)) == 24
    assert sorted(codes) == [f"{n:06d}" for n in range(6, 30)]

    # What the database holds afterwards, read through a connection of its own as well.
    def check(_):
        practice = Practice.objects.get(pk=world.practice.pk)
        return (
            sorted(Client.objects.filter(practice=practice).values_list("code", flat=True)),
            kept_counts(practice),
            real_counts(practice),
            practice.next_client_number,
        )

    stored, kept, real, next_number = in_threads(check, 1)[0]
    assert stored == [f"{n:06d}" for n in range(1, 30)]
    assert kept == real == {"active": 29}
    assert next_number == 30


# Update.


def test_an_update_records_the_changed_fields_old_and_new(a):
    client = a.clients["Ana's client"]
    updated = update_client(
        client,
        by=a.reception,
        fields={"phone": "+5511912345678", "email": "conceicao@example.com", "city": "Santos"},
    )
    assert updated.version == client.version + 1
    event = Event.objects.filter(client=client).latest("pk")
    assert event.kind == EventKind.CLIENT_UPDATED
    assert event.actor == a.reception
    assert event.changes == {"phone": ["+5511987654321", "+5511912345678"], "city": ["", "Santos"]}


def test_an_update_that_changes_nothing_records_nothing(a):
    client = a.clients["Ana's client"]
    before = written(a.practice)
    update_client(client, by=a.reception, fields={"email": "conceicao@example.com"})
    assert written(a.practice) == before


def test_a_new_name_is_found_by_search_and_the_old_one_is_not(a):
    client = a.clients["Zoë Ødegaard"]
    update_client(client, by=a.reception, fields={"full_name": "Zoë Lindqvist"})
    clients = visible_clients(a.reception)
    assert list(search(clients, "lindqvist")) == [fresh(client)]
    assert list(search(clients, "odegaard")) == []


def test_a_stale_version_is_refused_and_nothing_is_written(a):
    client = a.clients["João da Silva"]
    update_client(client, by=a.owner, fields={"city": "Olinda"})
    before = written(a.practice)
    with pytest.raises(StaleVersion) as error:
        update_client(client, by=a.reception, fields={"city": "Recife"}, expected_version=1)
    assert error.value.current == 2
    assert written(a.practice) == before


@pytest.mark.parametrize("field", ["code", "status", "practice", "version", "search_text"])
def test_fields_outside_the_card_cannot_be_changed_by_an_update(a, field):
    before = written(a.practice)
    with pytest.raises(ValidationError):
        update_client(a.clients["João da Silva"], by=a.owner, fields={field: "x"})
    assert written(a.practice) == before


def test_a_professional_cannot_change_a_colleagues_client(a):
    before = written(a.practice)
    with pytest.raises(PermissionDenied):
        update_client(a.clients["João da Silva"], by=a.professional, fields={"city": "X"})
    assert written(a.practice) == before


def test_nobody_changes_another_practices_client(a, b):
    before = written(b.practice)
    with pytest.raises(PermissionDenied):
        update_client(b.clients["João da Silva"], by=a.owner, fields={"city": "X"})
    assert written(b.practice) == before


def test_a_professional_cannot_take_themselves_off_their_client(a):
    before = written(a.practice)
    with pytest.raises(ValidationError):
        update_client(
            a.clients["Ana's client"],
            by=a.professional,
            fields={},
            professionals=[a.other_professional],
        )
    assert written(a.practice) == before


def test_a_change_of_professionals_is_recorded_by_name(a):
    client = a.clients["João da Silva"]
    carla = Professional.objects.create(practice=a.practice, name="Carla Costa")
    update_client(client, by=a.owner, fields={}, professionals=[carla, a.other_professional])
    assert set(fresh(client).professionals.all()) == {carla, a.other_professional}
    event = Event.objects.filter(client=client).latest("pk")
    assert event.changes == {"professionals": [["Bruno Brito"], ["Bruno Brito", "Carla Costa"]]}


# Change code.


def test_a_new_code_keeps_the_old_one_findable_and_records_both(a):
    client = a.clients["João da Silva"]
    old = client.code
    changed = change_client_code(client, by=a.admin, code=" JS-1 ")
    assert changed.code == "JS-1"
    assert changed.former_codes == [old]
    assert changed.version == client.version + 1
    clients = visible_clients(a.reception)
    assert list(search(clients, old)) == [changed]
    assert list(search(clients, "JS-1")) == [changed]
    event = Event.objects.filter(client=client).latest("pk")
    assert event.kind == EventKind.CLIENT_CODE_CHANGED
    assert event.actor == a.admin
    assert event.changes == {"code": [old, "JS-1"]}


def test_a_code_another_client_has_is_refused(a):
    before = written(a.practice)
    with pytest.raises(ValidationError) as error:
        change_client_code(
            a.clients["João da Silva"], by=a.owner, code=a.clients["Zoë Ødegaard"].code
        )
    assert "code" in error.value.error_dict
    assert written(a.practice) == before


def test_an_empty_code_is_refused(a):
    before = written(a.practice)
    with pytest.raises(ValidationError):
        change_client_code(a.clients["João da Silva"], by=a.owner, code="  ")
    assert written(a.practice) == before


@pytest.mark.parametrize("role", ["reception", "professional"])
def test_only_owner_and_admin_change_codes(a, role):
    before = written(a.practice)
    with pytest.raises(PermissionDenied):
        change_client_code(a.clients["Ana's client"], by=a.member(role), code="NEW")
    assert written(a.practice) == before


def test_nobody_changes_the_code_of_another_practices_client(a, b):
    before = written(b.practice)
    with pytest.raises(PermissionDenied):
        change_client_code(b.clients["João da Silva"], by=a.owner, code="NEW")
    assert written(b.practice) == before


# Change status.


def test_a_status_change_moves_the_counts_and_records_one_event_per_client(a):
    moving = [a.clients["João da Silva"], a.clients["Zoë Ødegaard"]]
    assert change_status(moving, by=a.reception, status=Status.WAITLIST, reason="Full") == 2
    assert kept_counts(a.practice) == {"active": 3, "waitlist": 2}
    for client in moving:
        client = fresh(client)
        assert client.status == Status.WAITLIST
        assert client.status_reason == "Full"
        (event,) = Event.objects.filter(client=client, kind=EventKind.CLIENT_STATUS_CHANGED)
        assert event.actor == a.reception
        assert event.changes == {"status": ["active", "waitlist"], "status_reason": [None, "Full"]}


def test_a_batch_with_one_impossible_move_writes_nothing(a):
    waiting = a.clients["João da Silva"]
    change_status([waiting], by=a.owner, status=Status.WAITLIST)
    before = written(a.practice)
    batch = [a.clients["Zoë Ødegaard"], fresh(waiting)]
    with pytest.raises(ValidationError):
        change_status(batch, by=a.owner, status=Status.WAITLIST)  # already waiting
    assert written(a.practice) == before


def test_forgetting_is_not_a_plain_status_change(a):
    before = written(a.practice)
    with pytest.raises(ValidationError):
        change_status([a.clients["João da Silva"]], by=a.owner, status=Status.FORGOTTEN)
    assert written(a.practice) == before


def test_a_professional_cannot_move_a_colleagues_client(a):
    before = written(a.practice)
    with pytest.raises(PermissionDenied):
        change_status([a.clients["João da Silva"]], by=a.professional, status=Status.INACTIVE)
    assert written(a.practice) == before


def test_nobody_moves_another_practices_client(a, b):
    before = written(b.practice), written(a.practice)
    with pytest.raises(PermissionDenied):
        change_status([b.clients["João da Silva"]], by=a.owner, status=Status.INACTIVE)
    assert (written(b.practice), written(a.practice)) == before


def test_an_empty_batch_changes_nothing(a):
    before = written(a.practice)
    assert change_status([], by=a.owner, status=Status.INACTIVE) == 0
    assert written(a.practice) == before


def test_two_requests_moving_the_same_client_keep_the_counts_true(a):
    client = a.clients["João da Silva"]
    first, second = fresh(client), fresh(client)  # each request loaded it, active
    change_status([first], by=a.owner, status=Status.WAITLIST)
    with contextlib.suppress(ValidationError):  # refusing the second move is as good
        change_status([second], by=a.reception, status=Status.WAITLIST)
    assert kept_counts(a.practice) == real_counts(a.practice)
    assert Event.objects.filter(kind=EventKind.CLIENT_STATUS_CHANGED).count() == 1


def test_a_client_given_twice_in_a_batch_is_counted_once(a):
    client = a.clients["João da Silva"]
    with contextlib.suppress(ValidationError):  # refusing the batch is as good
        change_status([client, client], by=a.owner, status=Status.INACTIVE)
    assert kept_counts(a.practice) == real_counts(a.practice)


# The tab counts.


def test_missing_count_rows_are_created_on_first_use(a):
    StatusCount.objects.filter(practice=a.practice).delete()
    bump_status_counts(a.practice, {"inactive": 2, "active": 0})
    assert kept_counts(a.practice) == {"inactive": 2}


def test_the_kept_counts_equal_the_real_counts_after_a_mix_of_operations(a, b):
    for i in range(6):
        make_client(a.reception, f"Mix {i}", status=Status.WAITLIST if i % 2 else Status.ACTIVE)
        make_client(b.reception, f"Mix {i}", professionals=[b.other_professional])
    a_clients = list(Client.objects.filter(practice=a.practice).order_by("pk"))
    change_status(a_clients[:4], by=a.owner, status=Status.INACTIVE)
    change_status(
        list(Client.objects.filter(practice=a.practice, status=Status.WAITLIST)),
        by=a.reception,
        status=Status.ACTIVE,
    )
    change_status(
        list(Client.objects.filter(pk__in=[c.pk for c in a_clients[:2]])),
        by=a.owner,
        status=Status.WAITLIST,
    )
    update_client(a_clients[5], by=a.owner, fields={"city": "Natal"})
    change_client_code(a_clients[6], by=a.owner, code="MIX-6")
    change_status(
        list(Client.objects.filter(practice=b.practice)[:3]), by=b.owner, status=Status.WAITLIST
    )
    for practice in (a.practice, b.practice):
        assert kept_counts(practice) == real_counts(practice)
    assert real_counts(a.practice) == {"active": 7, "waitlist": 2, "inactive": 2}
    assert real_counts(b.practice) == {"active": 7, "waitlist": 3}
