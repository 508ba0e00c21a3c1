"""Booking a session or a recurring series: from a free slot of the agenda or from the card,
with the client picker, the service's defaults, and the conflicts named on the form."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from clientbook.testing import logged_in
from clients.models import Status
from clients.services import change_status
from pets.models import Animal
from pets.services import add_animal, set_animals_active
from practices.models import Practice
from scheduling.models import Series, Session
from scheduling.services import book_session
from scheduling.tests.helpers import HOUR, agenda_of, at, english, next_monday, text

BOOK = reverse("scheduling:book")
PICKER = reverse("scheduling:client_options")


@pytest.fixture
def world(a, b):
    english(a, b)
    return agenda_of(a)


def booking(a, client, day: datetime.date, time: str = "15:00", **fields) -> dict:
    data = {
        "client": client.pk,
        "professional": a.other_professional.pk,
        "date": day.isoformat(),
        "time": time,
        **fields,
    }
    return {k: v for k, v in data.items() if v is not None}


def rows() -> tuple:
    return (
        list(Session.objects.order_by("pk").values_list("pk", "starts_at", "status")),
        Series.objects.count(),
        Event.objects.count(),
    )


# The form.


def test_a_free_slot_opens_the_form_with_its_professional_room_date_and_time(a, world):
    response = logged_in(a.reception).get(
        BOOK,
        {
            "date": world.monday.isoformat(),
            "time": "14:30",
            "professional": a.other_professional.pk,
            "room": world.room.pk,
            "next": "/agenda/?view=week",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form["date"].value() == world.monday.isoformat()
    assert form["time"].value() == "14:30"
    assert str(form["professional"].value()) == str(a.other_professional.pk)
    assert str(form["room"].value()) == str(world.room.pk)
    html = response.content.decode()
    assert 'name="next" value="/agenda/?view=week"' in html
    assert f'<option value="{world.service.pk}" data-duration="50" data-price="200.00">' in html


def test_a_professional_books_for_themselves_by_default(a, world):
    form = logged_in(a.professional).get(BOOK).context["form"]
    assert form["professional"].value() == a.professional.professional.pk
    assert form["date"].value() == timezone.localdate().isoformat()


def test_from_the_card_the_client_and_their_professional_are_chosen(a, world):
    client = a.clients["Zoë Ødegaard"]
    response = logged_in(a.reception).get(BOOK, {"client": client.pk})
    assert response.context["chosen_client"] == client
    assert f'name="client" value="{client.pk}" checked' in response.content.decode()
    assert response.context["form"]["professional"].value() == a.other_professional.pk


def test_the_client_picker_finds_active_clients_of_the_practice_by_name(a, b, world):
    inactive = a.clients["Émilie Tremblay"]
    change_status([inactive], by=a.owner, status=Status.INACTIVE)
    http = logged_in(a.reception)
    response = http.get(PICKER, {"client_q": "silva"})
    assert [c.full_name for c in response.context["results"]] == ["João da Silva"]
    assert response.context["results"][0].practice_id == a.practice.pk
    assert not http.get(PICKER, {"client_q": "emilie"}).context["results"]
    assert "No active client matches “emilie”" in text(http.get(PICKER, {"client_q": "emilie"}))
    assert not http.get(PICKER, {"client_q": ""}).context["results"]


def test_the_picker_keeps_the_chosen_client_while_searching_for_another(a, world):
    chosen = a.clients["Zoë Ødegaard"]
    response = logged_in(a.reception).get(PICKER, {"client_q": "silva", "client": chosen.pk})
    html = response.content.decode()
    assert html.index(f'value="{chosen.pk}" checked') < html.index("João da Silva")


def test_a_professional_finds_only_their_own_clients(a, world):
    http = logged_in(a.professional)
    assert not http.get(PICKER, {"client_q": "silva"}).context["results"]
    found = http.get(PICKER, {"client_q": "araujo"}).context["results"]
    assert [c.full_name for c in found] == ["Conceição Araújo"]
    # A colleague's client given by id is not shown as chosen either.
    response = http.get(BOOK, {"client": a.clients["João da Silva"].pk})
    assert response.context["chosen_client"] is None


def test_without_javascript_find_searches_and_keeps_what_was_typed(a, world):
    response = logged_in(a.reception).get(
        BOOK,
        {
            "client_q": "odegaard",
            "find": "1",
            "professional": a.other_professional.pk,
            "date": "2030-01-07",
            "time": "08:15",
            "duration": "45",
        },
    )
    assert [c.full_name for c in response.context["results"]] == ["Zoë Ødegaard"]
    form = response.context["form"]
    assert (form["date"].value(), form["time"].value(), form["duration"].value()) == (
        "2030-01-07",
        "08:15",
        "45",
    )
    assert not form.errors


# Booking.


def test_booking_a_session_in_the_practices_time_zone(a, world):
    client = a.clients["Zoë Ødegaard"]
    day = next_monday(a, weeks=2)
    response = logged_in(a.reception).post(
        BOOK,
        booking(a, client, day, "15:00", service=world.service.pk, room=world.room.pk, next="/x/"),
    )
    assert response.status_code == 302
    assert response["Location"] == "/x/"
    session = Session.objects.get(client=client, starts_at__date__gte=day)
    assert session.starts_at == at(a, day, 15)  # 18:00 UTC
    assert session.starts_at.astimezone(datetime.UTC).hour == 18
    assert (session.duration, session.price) == (datetime.timedelta(minutes=50), Decimal("200"))
    assert (session.room, session.service) == (world.room, world.service)
    message = next(iter(response.wsgi_request._messages)).message
    assert message.startswith("Session booked: Zoë Ødegaard with Bruno Brito")


def test_a_typed_duration_and_price_win_over_the_services(a, world):
    day = next_monday(a, weeks=2)
    logged_in(a.reception).post(
        BOOK,
        booking(
            a,
            a.clients["Zoë Ødegaard"],
            day,
            service=world.service.pk,
            duration="80",
            price="150.50",
        ),
    )
    session = Session.objects.get(starts_at=at(a, day, 15))
    assert (session.duration, session.price) == (datetime.timedelta(minutes=80), Decimal("150.50"))


def test_without_next_it_goes_to_the_week_of_the_professional(a, world):
    day = next_monday(a, weeks=2)
    response = logged_in(a.reception).post(BOOK, booking(a, a.clients["Zoë Ødegaard"], day))
    assert response["Location"] == (
        f"/agenda/?view=week&date={day.isoformat()}&scope=professional-{a.other_professional.pk}"
    )


def test_next_leading_off_the_site_is_ignored(a, world):
    day = next_monday(a, weeks=2)
    response = logged_in(a.reception).post(
        BOOK, booking(a, a.clients["Zoë Ødegaard"], day, next="https://evil.example/")
    )
    assert response["Location"].startswith("/agenda/?view=week")


def test_booking_a_weekly_series_every_two_weeks(a, world):
    day = next_monday(a, weeks=2)
    response = logged_in(a.reception).post(
        BOOK,
        booking(
            a,
            a.clients["Zoë Ødegaard"],
            day,
            "08:00",
            repeats="weekly",
            interval="2",
            ends="count",
            count="5",
        ),
    )
    assert response.status_code == 302
    series = Series.objects.get(client=a.clients["Zoë Ødegaard"])
    starts = list(series.sessions.order_by("starts_at").values_list("starts_at", flat=True))
    assert starts == [at(a, day + datetime.timedelta(weeks=2 * i), 8) for i in range(5)]
    message = next(iter(response.wsgi_request._messages)).message
    assert message.startswith("5 sessions booked: Zoë Ødegaard with Bruno Brito, from ")


def test_booking_a_monthly_series_on_the_same_weekday_until_a_date(a, world):
    day = next_monday(a, weeks=2)
    until = day + datetime.timedelta(days=100)
    logged_in(a.reception).post(
        BOOK,
        booking(
            a,
            a.clients["Zoë Ødegaard"],
            day,
            "08:00",
            repeats="monthly_weekday",
            ends="until",
            until=until.isoformat(),
        ),
    )
    series = Series.objects.get(client=a.clients["Zoë Ødegaard"])
    assert (series.frequency, series.until, series.count) == ("monthly_weekday", until, None)
    days = [
        s.astimezone(a.practice.tz).date()
        for s in series.sessions.values_list("starts_at", flat=True)
    ]
    assert {d.weekday() for d in days} == {0}
    assert len(days) in (3, 4)


def test_an_open_ended_series_is_booked_ahead(a, world):
    day = next_monday(a, weeks=2)
    logged_in(a.reception).post(
        BOOK, booking(a, a.clients["Zoë Ødegaard"], day, "08:00", repeats="weekly", ends="never")
    )
    series = Series.objects.get(client=a.clients["Zoë Ødegaard"])
    assert (series.count, series.until) == (None, None)
    assert series.sessions.count() >= 20


# Refusals: named on the field, nothing written, the input kept.


def test_missing_fields_are_named_and_nothing_is_written(a, world):
    before = rows()
    response = logged_in(a.reception).post(BOOK, {"date": "", "time": "", "next": "/agenda/"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"client", "professional", "date", "time"}
    page = text(response)
    assert "Please correct the fields marked below." in page
    assert "Choose the client: search by name, code or phone." in page
    assert rows() == before


def test_a_bad_date_time_duration_or_price_is_named(a, world):
    response = logged_in(a.reception).post(
        BOOK,
        booking(a, a.clients["Zoë Ødegaard"], world.monday, "25:99", duration="2", price="-1")
        | {"date": "31/02/2026"},
    )
    assert set(response.context["form"].errors) == {"date", "time", "duration", "price"}


def test_a_series_needs_its_count_or_its_last_date(a, world):
    http = logged_in(a.reception)
    day = next_monday(a, weeks=2)
    client = a.clients["Zoë Ødegaard"]
    form = http.post(
        BOOK, booking(a, client, day, repeats="weekly", ends="count", count="")
    ).context["form"]
    assert form.errors == {"count": ["How many sessions?"]}
    form = http.post(
        BOOK,
        booking(
            a, client, day, repeats="weekly", ends="until", until=(day - HOUR * 24).isoformat()
        ),
    ).context["form"]
    assert form.errors == {"until": ["The last date comes after the first."]}
    assert not Series.objects.filter(client=client).exists()


def test_a_clash_with_the_professional_is_named_next_to_the_time_and_the_input_kept(a, world):
    before = rows()
    response = logged_in(a.reception).post(
        BOOK,
        booking(a, a.clients["Zoë Ødegaard"], world.monday, "09:30", duration="30", price="99.00"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["time"] == [
        f"Bruno Brito already has a session at {world.monday.isoformat()} 09:00."
    ]
    html = response.content.decode()
    assert 'value="09:30"' in html
    assert 'value="30"' in html
    assert 'value="99.00"' in html
    assert response.context["chosen_client"] == a.clients["Zoë Ødegaard"]
    assert rows() == before


def test_a_clash_with_the_room_is_named_next_to_the_room(a, world):
    response = logged_in(a.reception).post(
        BOOK,
        booking(
            a,
            a.clients["Zoë Ødegaard"],
            world.monday,
            "09:10",
            professional=a.professional.professional.pk,
            room=world.room.pk,
        ),
    )
    assert response.context["form"].errors == {
        "room": [f"Sala 1 is taken at {world.monday.isoformat()} 09:00."]
    }


def test_a_series_is_refused_whole_naming_each_clash(a, world):
    second_monday = world.monday + datetime.timedelta(weeks=2)
    book_session(
        by=a.reception,
        client=a.clients["Zoë Ødegaard"],
        professional=a.other_professional,
        starts_at=at(a, second_monday, 9),
    )
    before = rows()
    response = logged_in(a.reception).post(
        BOOK,
        booking(
            a, a.clients["Émilie Tremblay"], world.monday, "09:00", repeats="weekly", count="4"
        ),
    )
    errors = response.context["form"].errors["time"]
    assert len(errors) == 2
    assert second_monday.isoformat() in errors[1]
    assert rows() == before


def test_an_inactive_client_cannot_be_booked(a, world):
    client = a.clients["Zoë Ødegaard"]
    change_status([client], by=a.owner, status=Status.INACTIVE)
    before = rows()
    response = logged_in(a.reception).post(BOOK, booking(a, client, next_monday(a, weeks=2)))
    assert response.context["form"].errors["client"] == ["Choose an active client from the search."]
    assert rows() == before


def test_a_professional_cannot_book_a_colleagues_client(a, world):
    before = rows()
    response = logged_in(a.professional).post(
        BOOK, booking(a, a.clients["João da Silva"], next_monday(a, weeks=2))
    )
    assert "client" in response.context["form"].errors
    assert rows() == before


def test_another_practices_client_professional_service_and_room_are_refused(a, b, world):
    """Practice B's owner, with practice A's ids: each refused as unknown, nothing written."""
    agenda_of(b)
    before = rows()
    http = logged_in(b.owner)
    response = http.post(
        BOOK,
        booking(
            a,
            a.clients["João da Silva"],
            next_monday(a, weeks=2),
            service=world.service.pk,
            room=world.room.pk,
        ),
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"client", "professional", "service", "room"}
    assert rows() == before
    form = http.get(BOOK).context["form"]
    assert {p.practice_id for p in form.fields["professional"].queryset} == {b.practice.pk}
    assert {s.practice_id for s in form.fields["service"].queryset} == {b.practice.pk}
    assert (
        http.get(BOOK, {"client": a.clients["João da Silva"].pk}).context["chosen_client"] is None
    )
    found = http.get(PICKER, {"client_q": "silva"}).context["results"]
    assert [c.practice_id for c in found] == [b.practice.pk]


# In the agenda's dialog.


def test_in_the_dialog_the_form_comes_alone_and_a_booking_sends_the_page_back(a, world):
    http = logged_in(a.reception)
    headers = {"HX-Request": "true", "HX-Target": "dialog-body"}
    response = http.get(BOOK, {"date": world.monday.isoformat()}, headers=headers)
    html = response.content.decode()
    assert "<html" not in html
    assert 'class="booking-form"' in html
    assert 'form="dialog-close"' in html
    day = next_monday(a, weeks=2)
    response = http.post(
        BOOK, booking(a, a.clients["Zoë Ødegaard"], day, next="/agenda/?view=day"), headers=headers
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/agenda/?view=day"
    # A refusal stays in the dialog, with the errors.
    response = http.post(BOOK, booking(a, a.clients["Zoë Ødegaard"], day), headers=headers)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "already has a session" in text(response)


# Animals, in a veterinary practice (practice B).


@pytest.fixture
def kennel(b):
    """B's João with Rex and Mia (marked inactive), and Zoë with Azor."""
    english(b)
    joao, zoe = b.clients["João da Silva"], b.clients["Zoë Ødegaard"]
    rex = add_animal(by=b.owner, client=joao, name="Rex", species="dog")
    mia = add_animal(by=b.owner, client=joao, name="Mia", species="cat")
    set_animals_active(mia, by=b.owner, active=False)
    azor = add_animal(by=b.owner, client=zoe, name="Azor", species="dog")
    return {"joao": joao, "zoe": zoe, "rex": rex, "mia": mia, "azor": azor}


def animal_options(response) -> list[str]:
    select = re.search(r'<select name="animal".*?</select>', response.content.decode(), re.S)
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(0)) if select else []


def test_the_form_offers_the_chosen_clients_active_animals(b, kennel):
    http = logged_in(b.reception)
    response = http.get(BOOK, {"client": kennel["joao"].pk})
    assert animal_options(response) == ["— none —", "Rex (Dog)"]
    # Before a client is chosen there is nothing to offer yet.
    assert animal_options(http.get(BOOK)) == ["— none —"]
    assert "Choose the client first" in text(http.get(BOOK))


def test_a_therapy_practice_has_no_animal_select(a, world):
    response = logged_in(a.reception).get(BOOK, {"client": a.clients["João da Silva"].pk})
    assert "animal" not in response.context["form"].fields
    assert 'name="animal"' not in response.content.decode()
    assert 'id="animal-field"' not in response.content.decode()
    assert 'hx-target="#animal-field"' not in response.content.decode()


def test_a_session_is_booked_for_an_animal(b, kennel):
    day = next_monday(b, weeks=2)
    response = logged_in(b.reception).post(
        BOOK, booking(b, kennel["joao"], day, animal=kennel["rex"].pk, next="/x/")
    )
    assert response.status_code == 302, response.context["form"].errors
    session = Session.objects.get(client=kennel["joao"])
    assert session.animal == kennel["rex"]


def test_a_series_is_booked_for_an_animal(b, kennel):
    day = next_monday(b, weeks=2)
    logged_in(b.reception).post(
        BOOK,
        booking(b, kennel["joao"], day, animal=kennel["rex"].pk, repeats="weekly", count="3"),
    )
    series = Series.objects.get(client=kennel["joao"])
    assert series.animal == kennel["rex"]
    assert list(series.sessions.values_list("animal", flat=True)) == [kennel["rex"].pk] * 3


def test_another_clients_animal_is_refused_on_the_field_and_nothing_is_written(b, kennel):
    """Without JavaScript the select keeps the animals of the client chosen first: a client
    changed afterwards comes back with the service's refusal on the animal."""
    before = rows()
    response = logged_in(b.reception).post(
        BOOK, booking(b, kennel["joao"], next_monday(b, weeks=2), animal=kennel["azor"].pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"animal": ["Choose one of the client's animals."]}
    assert 'id="id_animal_error"' in response.content.decode()
    assert animal_options(response) == ["— none —", "Rex (Dog)"]  # João's, to choose again
    assert rows() == before


def test_an_inactive_animal_is_refused_on_the_field(b, kennel):
    before = rows()
    response = logged_in(b.reception).post(
        BOOK, booking(b, kennel["joao"], next_monday(b, weeks=2), animal=kennel["mia"].pk)
    )
    assert response.context["form"].errors == {
        "animal": ["Mia is marked inactive: reactivate it on the card to book it."]
    }
    assert rows() == before


def test_choosing_a_client_draws_the_animal_select_again(b, kennel):
    """htmx asks the client picker's URL for the animal select when a client is chosen."""
    headers = {"HX-Request": "true", "HX-Target": "animal-field"}
    http = logged_in(b.reception)
    response = http.get(
        PICKER, {"client": kennel["zoe"].pk, "animal": kennel["rex"].pk}, headers=headers
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="animal-field"')
    assert animal_options(response) == ["— none —", "Azor (Dog)"]
    assert "selected" not in html  # Rex is not Zoë's
    response = http.get(
        PICKER, {"client": kennel["joao"].pk, "animal": kennel["rex"].pk}, headers=headers
    )
    assert f'<option value="{kennel["rex"].pk}" selected>' in response.content.decode()
    # The picker's search itself answers as before.
    html = http.get(BOOK, {"client": kennel["joao"].pk}).content.decode()
    assert 'hx-target="#animal-field"' in html


def test_without_javascript_find_lists_the_chosen_clients_animals(b, kennel):
    response = logged_in(b.reception).get(
        BOOK, {"client": kennel["zoe"].pk, "client_q": "", "find": "1", "time": "08:15"}
    )
    assert animal_options(response) == ["— none —", "Azor (Dog)"]
    assert "List the client's animals" in text(response)


def test_from_the_cards_animal_panel_the_animal_is_chosen(b, kennel):
    response = logged_in(b.reception).get(
        BOOK, {"client": kennel["joao"].pk, "animal": kennel["rex"].pk}
    )
    assert f'<option value="{kennel["rex"].pk}" selected>' in response.content.decode()


def test_another_practices_animal_is_refused_as_unknown(a, b, kennel):
    """Practice B's reception, with an animal id of A's (A made veterinary for the test)."""
    Practice.objects.filter(pk=a.practice.pk).update(kind=Practice.Kind.VETERINARY)
    stranger = Animal.objects.create(
        practice=a.practice, client=a.clients["João da Silva"], name="Rex", species="dog"
    )
    before = rows()
    response = logged_in(b.reception).post(
        BOOK, booking(b, kennel["joao"], next_monday(b, weeks=2), animal=stranger.pk)
    )
    assert response.context["form"].errors == {"animal": ["Choose one of the client's animals."]}
    assert "Rex (Dog)" in animal_options(response)  # B's own Rex only
    assert rows() == before
    headers = {"HX-Request": "true", "HX-Target": "animal-field"}
    response = logged_in(b.reception).get(
        PICKER, {"client": a.clients["João da Silva"].pk}, headers=headers
    )
    assert animal_options(response) == ["— none —"]


def test_a_professional_is_offered_only_their_own_clients_animals(a, world):
    Practice.objects.filter(pk=a.practice.pk).update(kind=Practice.Kind.VETERINARY)
    for name in ("João da Silva", "Ana's client"):
        Animal.objects.create(
            practice=a.practice, client=a.clients[name], name="Rex", species="dog"
        )
    http = logged_in(a.professional)
    assert animal_options(http.get(BOOK, {"client": a.clients["João da Silva"].pk})) == ["— none —"]
    colleagues = Animal.objects.get(client=a.clients["João da Silva"])
    response = http.post(
        BOOK,
        booking(
            a, a.clients["Ana's client"], next_monday(a, weeks=2), animal=colleagues.pk,
            professional=a.professional.professional.pk,
        ),
    )  # fmt: skip
    assert response.context["form"].errors == {"animal": ["Choose one of the client's animals."]}
