"""The test base: personas of two practices with look-alike data, built through the services.

Practice A (Brazil, therapy) has an owner, an admin, a receptionist and two professionals
(Ana, who logs in, and Bruno, who does not). Practice B (Poland, veterinary) has an owner and
clients with the same names as A's, so a missing practice filter shows up as a wrong row,
not an empty page.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.test import Client as HttpClient

from clients.models import Client, Status
from clients.services import CardData, register_client
from practices.models import Member, Practice, Professional, Role, User
from practices.services import add_member, create_practice

PASSWORD = "correct horse battery staple"

LOOKALIKE_NAMES = ["João da Silva", "Łukasz Wiśniewski", "Émilie Tremblay", "Zoë Ødegaard"]


@dataclass
class PracticeWorld:
    practice: Practice
    owner: Member
    admin: Member | None = None
    reception: Member | None = None
    professional: Member | None = None
    other_professional: Professional | None = None
    clients: dict[str, Client] = field(default_factory=dict)

    def member(self, role: str) -> Member:
        return getattr(self, role)


def make_user(email: str, first_name: str = "", last_name: str = "") -> User:
    return User.objects.create_user(
        email=email, password=PASSWORD, first_name=first_name, last_name=last_name
    )


def client_data(professionals: list[Professional], **fields: Any) -> CardData:
    return CardData(fields=fields, professionals=professionals)


def make_client(
    member: Member,
    full_name: str,
    *,
    professionals: list[Professional] | None = None,
    status: str = Status.ACTIVE,
    **fields: Any,
) -> Client:
    if professionals is None:
        professionals = [Professional.objects.filter(practice=member.practice).first()]
    return register_client(
        practice=member.practice,
        by=member,
        data=client_data(professionals, full_name=full_name, **fields),
        status=status,
    )


def build_practice_a() -> PracticeWorld:
    owner = make_user("owner@a.test", "Olga", "Owner")
    practice = create_practice(
        name="Clínica A", country="BR", kind=Practice.Kind.THERAPY, owner=owner
    )
    world = PracticeWorld(practice=practice, owner=practice.members.get())
    world.admin = add_member(
        practice=practice, user=make_user("admin@a.test", "Adam", "Admin"), role=Role.ADMIN
    )
    world.reception = add_member(
        practice=practice,
        user=make_user("reception@a.test", "Rita", "Reception"),
        role=Role.RECEPTION,
    )
    world.professional = add_member(
        practice=practice,
        user=make_user("professional@a.test", "Ana", "Analyst"),
        role=Role.PROFESSIONAL,
        professional_name="Ana Analyst",
    )
    world.other_professional = Professional.objects.create(practice=practice, name="Bruno Brito")
    ana = world.professional.professional
    for name in LOOKALIKE_NAMES:
        world.clients[name] = make_client(
            world.reception, name, professionals=[world.other_professional]
        )
    world.clients["Ana's client"] = make_client(
        world.reception,
        "Conceição Araújo",
        professionals=[ana],
        phone="+5511987654321",
        email="conceicao@example.com",
        birth_date=datetime.date(1980, 5, 17),
    )
    return world


def build_practice_b() -> PracticeWorld:
    owner = make_user("owner@b.test", "Piotr", "Owner")
    practice = create_practice(
        name="Lecznica B", country="PL", kind=Practice.Kind.VETERINARY, owner=owner
    )
    world = PracticeWorld(practice=practice, owner=practice.members.get())
    world.reception = add_member(
        practice=practice, user=make_user("reception@b.test", "Zofia", "Król"), role=Role.RECEPTION
    )
    world.other_professional = Professional.objects.create(practice=practice, name="Bruno Brito")
    for name in LOOKALIKE_NAMES:
        world.clients[name] = make_client(
            world.owner, name, professionals=[world.other_professional]
        )
    return world


def logged_in(member: Member) -> HttpClient:
    http = HttpClient()
    http.force_login(member.user)
    return http


def years_ago(years: int) -> datetime.date:
    """A birth date that makes a person of about that age (any day of the year, 29 Feb too)."""
    return datetime.date.today() - datetime.timedelta(days=365 * years)
