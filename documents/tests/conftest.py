"""Fixtures of the documents tests: files stored in a temporary folder, English pages, and a
certificate template and a past session of Ana's client in practice A."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from clientbook.testing import PracticeWorld
from clients.models import Client
from documents.models import DocumentTemplate
from documents.samples import sample_pdf, sample_png
from documents.services import save_template
from practices.services import set_user_language
from scheduling.models import Session, SessionStatus

CERTIFICATE = (
    "Declaro que {client_name} (código {client_code}) compareceu à sessão de {session_date}, "
    "{session_time} ({session_duration} minutos), com {professional_name}.\n\n"
    "{practice_name}, {today}."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Stored files go to a temporary folder, not the project's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english(request):
    """The personas read English, so a test can quote the pages' words."""
    for name in ("a", "b"):
        if name in request.fixturenames:
            world: PracticeWorld = request.getfixturevalue(name)
            for role in ("owner", "admin", "reception", "professional"):
                member = getattr(world, role)
                if member is not None:
                    set_user_language(member.user, "en")
    with translation.override("en"):
        yield


def pdf_upload(name: str = "report.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or sample_pdf("Laudo", ["Linha 1"]), "application/pdf")


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, sample_png(), "image/png")


@pytest.fixture
def ana_client(a) -> Client:
    return a.clients["Ana's client"]


@pytest.fixture
def certificate(a) -> DocumentTemplate:
    return save_template(by=a.owner, name="Atestado de comparecimento", body=CERTIFICATE)


def make_session(client: Client, professional, *, days_ago: int = 3, hour: int = 14) -> Session:
    day = timezone.localdate(timezone.now(), client.practice.tz) - datetime.timedelta(days=days_ago)
    starts = datetime.datetime.combine(day, datetime.time(hour), client.practice.tz)
    return Session.objects.create(
        practice=client.practice,
        client=client,
        professional=professional,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=50),
        status=SessionStatus.ATTENDED,
    )


@pytest.fixture
def session(a, ana_client) -> Session:
    return make_session(ana_client, a.professional.professional)
