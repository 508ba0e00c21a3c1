"""Fixtures of the anamnesis tests: English pages, and an "Adult" form of practice A with a
question of each kind, named on Ana's client's card."""

import pytest
from django.utils import translation

from clientbook.testing import PracticeWorld
from clients.models import Client
from intake.models import AnamnesisGroup
from intake.services import add_question, save_group
from practices.services import set_user_language


@pytest.fixture(autouse=True)
def english(request):
    for name in ("a", "b"):
        if name in request.fixturenames:
            world: PracticeWorld = request.getfixturevalue(name)
            for role in ("owner", "admin", "reception", "professional"):
                member = getattr(world, role)
                if member is not None:
                    set_user_language(member.user, "en")
    with translation.override("en"):
        yield


def make_form(world: PracticeWorld, name: str = "Adulto") -> AnamnesisGroup:
    group = save_group(by=world.owner, name=name)
    by = world.owner
    add_question(by=by, group=group, text="Queixa principal", kind="long_text", required=True)
    add_question(by=by, group=group, text="Usa medicação?", kind="yes_no", required=True)
    add_question(
        by=by, group=group, text="Estado civil", kind="choice",
        choices=["Solteiro(a)", "Casado(a)", "Outro"],
    )  # fmt: skip
    add_question(by=by, group=group, text="Data do último exame", kind="date")
    add_question(by=by, group=group, text="Peso (kg)", kind="number")
    add_question(by=by, group=group, text="Profissão", kind="short_text")
    return group


@pytest.fixture
def adult(a) -> AnamnesisGroup:
    return make_form(a)


@pytest.fixture
def ana_client(a, adult) -> Client:
    client = a.clients["Ana's client"]
    Client.objects.filter(pk=client.pk).update(anamnesis_group=adult)
    client.refresh_from_db()
    return client


def ids(group: AnamnesisGroup) -> dict[str, str]:
    """Question text → its id as the answers take it."""
    return {q.text: str(q.pk) for q in group.questions.all()}
