"""`clientbook demo` loads what `make run` shows: two practices, their clients and agenda."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from clients.models import Client
from pets.models import Animal
from practices.models import Practice
from scheduling.models import Series, Session, SessionStatus


@pytest.mark.django_db
def test_the_demo_loads_two_practices_with_a_consistent_agenda():
    out = io.StringIO()
    call_command("demo", clients=40, stdout=out)
    assert Practice.objects.count() == 2
    assert Client.objects.count() == 80
    assert Series.objects.count() >= 10
    sessions = list(Session.objects.order_by("starts_at"))
    now = timezone.now()
    past = [s for s in sessions if s.starts_at < now and s.series_id]
    assert past, "the demo has a history"
    assert all(s.status != SessionStatus.SCHEDULED for s in past if s.ends_at < now)
    assert {s.status for s in past} >= {SessionStatus.ATTENDED, SessionStatus.NO_SHOW}
    # No professional and no room is booked twice at once.
    held = [s for s in sessions if s.status != SessionStatus.CANCELLED]
    for key in ("professional_id", "room_id"):
        last_end: dict = {}
        for s in held:
            who = getattr(s, key)
            if who is not None:
                assert last_end.get(who, s.starts_at) <= s.starts_at, (key, s)
                last_end[who] = max(last_end.get(who, s.ends_at), s.ends_at)
    assert "recurring series" in out.getvalue()
    # The veterinary practice's clients have animals; the therapy practice's none.
    vet = Practice.objects.get(kind=Practice.Kind.VETERINARY)
    assert Animal.objects.filter(practice=vet).count() >= 10
    assert not Animal.objects.exclude(practice=vet).exists()
    assert not Animal.objects.exclude(client__practice=vet).filter(practice=vet).exists()
    with pytest.raises(CommandError):
        call_command("demo", stdout=io.StringIO())
    call_command("demo", if_empty=True, stdout=io.StringIO())  # nothing, quietly
    assert Client.objects.count() == 80
