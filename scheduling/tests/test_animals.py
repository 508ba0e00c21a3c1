"""Sessions and series for an animal, in a veterinary practice (practice B): only one of the
client's active animals, never in a therapy practice (practice A); every session a series
makes later (the worker, a split, a resume) carries the series' animal; the timeline names it."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Event, EventKind
from pets.models import Animal
from pets.services import add_animal, set_animals_active
from scheduling.models import Series, Session, SessionStatus
from scheduling.recurrence import WEEKLY, Rule
from scheduling.services import (
    SeriesPlan,
    book_series,
    book_session,
    change_series,
    extend_series,
    pause_series,
    reschedule_session,
    resume_series,
)

HOUR = datetime.timedelta(hours=1)
NOT_THE_CLIENTS = "Choose one of the client's animals."


@pytest.fixture
def monday(b) -> datetime.datetime:
    """Next Monday 10:00 in practice B's time zone (Warsaw)."""
    today = timezone.localdate(timezone.now(), b.practice.tz)
    day = today + datetime.timedelta(days=7 - today.weekday())
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=b.practice.tz)


@pytest.fixture
def owner(b):
    return b.clients["João da Silva"]


@pytest.fixture
def rex(b, owner) -> Animal:
    return add_animal(by=b.owner, client=owner, name="Rex", species="dog")


def book(b, client, starts_at, **kwargs) -> Session:
    return book_session(
        by=b.reception, client=client, professional=b.other_professional, starts_at=starts_at,
        duration=HOUR, **kwargs,
    )  # fmt: skip


def weekly(b, client, start, count: int | None = 4, **kwargs) -> Series:
    return book_series(
        by=b.reception, client=client, professional=b.other_professional,
        start_date=start.date(), at=start.time(), rule=Rule(WEEKLY, count=count), duration=HOUR,
        **kwargs,
    )  # fmt: skip


def refusal(raised: pytest.ExceptionInfo) -> list[str]:
    return raised.value.message_dict["animal"]


# One session.


def test_it_books_a_session_for_the_clients_animal_and_the_timeline_names_it(b, owner, rex, monday):
    session = book(b, owner, monday, animal=rex)
    assert Session.objects.get().animal == rex
    event = Event.objects.get(client=owner, kind=EventKind.SESSION_BOOKED)
    assert event.data == {"session": session.pk, "animal": rex.pk}
    assert event.changes["animals"] == [None, "Rex"]


def test_a_session_without_an_animal_is_still_booked(b, owner, rex, monday):
    assert book(b, owner, monday).animal is None
    assert "animals" not in Event.objects.get(kind=EventKind.SESSION_BOOKED).changes


def test_another_clients_animal_is_refused(b, owner, monday):
    azor = add_animal(by=b.owner, client=b.clients["Zoë Ødegaard"], name="Azor", species="dog")
    with pytest.raises(ValidationError) as refused:
        book(b, owner, monday, animal=azor)
    assert refusal(refused) == [NOT_THE_CLIENTS]
    assert not Session.objects.exists()


def test_another_practices_animal_is_refused_in_the_same_words(a, b, owner, monday):
    # A's João, with the same name as B's: only the practice tells them apart.
    stranger = Animal.objects.create(
        practice=a.practice, client=a.clients["João da Silva"], name="Rex", species="dog"
    )
    with pytest.raises(ValidationError) as refused:
        book(b, owner, monday, animal=stranger)
    assert refusal(refused) == [NOT_THE_CLIENTS]
    with pytest.raises(ValidationError) as refused:
        weekly(b, owner, monday, animal=stranger)
    assert refusal(refused) == [NOT_THE_CLIENTS]
    assert not Session.objects.exists()
    assert not Series.objects.exists()


def test_an_inactive_animal_is_refused(b, owner, rex, monday):
    set_animals_active(rex, by=b.owner, active=False)
    rex.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        book(b, owner, monday, animal=rex)
    assert refusal(refused) == ["Rex is marked inactive: reactivate it on the card to book it."]
    assert not Session.objects.exists()


def test_a_therapy_practice_cannot_name_an_animal(a):
    client = a.clients["João da Silva"]
    # Made directly: a therapy practice has no animal pages; the rule is the agenda's.
    animal = Animal.objects.create(practice=a.practice, client=client, name="Rex", species="dog")
    starts = timezone.now() + datetime.timedelta(days=3)
    for attempt in (
        lambda: book_session(
            by=a.reception, client=client, professional=a.other_professional, starts_at=starts,
            animal=animal,
        ),
        lambda: book_series(
            by=a.reception, client=client, professional=a.other_professional,
            start_date=starts.date(), at=datetime.time(9), rule=Rule(WEEKLY, count=2),
            animal=animal,
        ),
    ):  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refusal(refused) == ["Only a veterinary practice books sessions for an animal."]
    assert not Session.objects.exists()


def test_moving_a_session_keeps_its_animal(b, owner, rex, monday):
    session = book(b, owner, monday, animal=rex)
    moved = reschedule_session(session, by=b.reception, starts_at=monday + 2 * HOUR)
    moved.refresh_from_db()
    assert (moved.starts_at, moved.animal) == (monday + 2 * HOUR, rex)


# Series.


def test_every_session_of_a_series_is_for_its_animal(b, owner, rex, monday):
    series = weekly(b, owner, monday, animal=rex)
    assert series.animal == rex
    assert [s.animal_id for s in series.sessions.all()] == [rex.pk] * 4
    event = Event.objects.get(kind=EventKind.SERIES_BOOKED)
    assert (event.data["animal"], event.changes["animals"]) == (rex.pk, [None, "Rex"])


def test_the_worker_makes_the_series_sessions_for_its_animal(b, owner, rex, monday):
    series = weekly(b, owner, monday, count=None, animal=rex, horizon=datetime.timedelta(weeks=2))
    made_first = series.sessions.count()
    assert extend_series(horizon=datetime.timedelta(weeks=8)) > 0
    assert series.sessions.count() > made_first
    assert set(series.sessions.values_list("animal", flat=True)) == {rex.pk}


def test_a_resumed_series_books_its_animal_again(b, owner, rex, monday):
    series = weekly(b, owner, monday, count=None, animal=rex, horizon=datetime.timedelta(weeks=2))
    pause_series(series, by=b.reception)
    resume_series(series, by=b.reception, horizon=datetime.timedelta(weeks=6))
    scheduled = series.sessions.filter(status=SessionStatus.SCHEDULED)
    assert scheduled.count() > 2
    assert set(scheduled.values_list("animal", flat=True)) == {rex.pk}


def test_a_split_gives_the_following_sessions_another_animal(b, owner, rex, monday):
    mia = add_animal(by=b.owner, client=owner, name="Mia", species="cat")
    series = weekly(b, owner, monday, count=6, animal=rex)
    third = series.sessions.order_by("starts_at")[2]
    plan = dataclasses.replace(SeriesPlan.of(series, third), animal=mia)
    assert SeriesPlan.of(series, third).animal == rex
    new = change_series(series, by=b.reception, plan=plan, from_session=third)
    assert new.pk != series.pk
    assert new.animal == mia
    assert list(series.sessions.values_list("animal", flat=True)) == [rex.pk] * 2
    assert list(new.sessions.values_list("animal", flat=True)) == [mia.pk] * 4
    series.refresh_from_db()
    assert series.animal == rex  # the first part stays as it was
    assert Event.objects.get(kind=EventKind.SERIES_CHANGED).changes["animals"] == ["Rex", "Mia"]


def test_a_change_cannot_give_a_series_another_clients_animal(b, owner, rex, monday):
    azor = add_animal(by=b.owner, client=b.clients["Zoë Ødegaard"], name="Azor", species="dog")
    series = weekly(b, owner, monday, animal=rex)
    with pytest.raises(ValidationError) as refused:
        change_series(
            series, by=b.reception, plan=dataclasses.replace(SeriesPlan.of(series), animal=azor)
        )
    assert refusal(refused) == [NOT_THE_CLIENTS]
    assert set(series.sessions.values_list("animal", flat=True)) == {rex.pk}


def test_a_series_keeps_an_animal_marked_inactive_since_when_its_time_changes(
    b, owner, rex, monday
):
    series = weekly(b, owner, monday, animal=rex)
    set_animals_active(rex, by=b.owner, active=False)
    series.refresh_from_db()
    plan = dataclasses.replace(SeriesPlan.of(series), at=datetime.time(12))
    change_series(series, by=b.reception, plan=plan)
    assert set(series.sessions.values_list("animal", flat=True)) == {rex.pk}
    assert "animals" not in Event.objects.get(kind=EventKind.SERIES_CHANGED).changes


def test_an_animal_removed_from_the_practice_leaves_its_sessions_without_one(b, owner, rex, monday):
    session = book(b, owner, monday, animal=rex)
    Animal.objects.filter(pk=rex.pk).delete()
    session.refresh_from_db()
    assert session.animal is None
