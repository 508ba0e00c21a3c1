"""Fixtures of the agenda's tests: an English reader, next Monday at 18:00, a room, a service."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from scheduling.services import save_room, save_service


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def monday(a):
    """Next Monday 18:00 in the practice's time zone (São Paulo)."""
    now = timezone.localtime(timezone.now(), a.practice.tz)
    day = now.date() + datetime.timedelta(days=7 - now.weekday())
    return datetime.datetime.combine(day, datetime.time(18), tzinfo=a.practice.tz)


@pytest.fixture
def room(a):
    return save_room(by=a.owner, name="Sala 1")


@pytest.fixture
def therapy(a):
    return save_service(
        by=a.owner, name="Psicoterapia", default_duration=50, default_price=Decimal("200.00")
    )
