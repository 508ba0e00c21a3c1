"""`clientbook demo`: two demo practices with their people and about 300 clients each."""

import datetime
import random

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from billing.demo import add_demo_sales
from clientbook import demo
from clients.models import Client, Status
from clients.services import CardData, change_status, register_client
from documents.demo import add_demo_documents
from intake.models import AnamnesisGroup
from messaging.demo import add_demo_messages
from pets.demo import add_demo_animals
from practices.models import Member, Practice, Professional, Role, User
from practices.services import add_member, create_practice
from scheduling.demo import add_demo_agenda

PASSWORD = "demo-password"
PRACTICES = [
    {
        "domain": "therapy.demo",
        "name": "Clínica Equilíbrio — Psicologia",
        "country": "BR",
        "kind": Practice.Kind.THERAPY,
        "professionals": [
            ("Dra. Márcia Gonçalves", "Psicóloga — CRP 06/123456"),
            ("Dr. João Conceição", "Psicólogo — CRP 06/654321"),
            ("Letícia Araújo", "Psicopedagoga"),
        ],
        "groups": ["Adulto", "Infantil", "Casal"],
    },
    {
        "domain": "vet.demo",
        "name": "Lecznica Weterynaryjna Łapa",
        "country": "PL",
        "kind": Practice.Kind.VETERINARY,
        "professionals": [
            ("lek. wet. Łukasz Wiśniewski", "Lekarz weterynarii"),
            ("lek. wet. Małgorzata Żak", "Chirurg"),
            ("Agnieszka Dąbrowska", "Technik weterynarii"),
        ],
        "groups": [],
    },
]
ROLES = [Role.OWNER, Role.ADMIN, Role.PROFESSIONAL, Role.RECEPTION]
ROLE_NAMES = {
    "BR": {"owner": "Helena Magalhães", "admin": "Rafael Brandão", "reception": "Bárbara Simões"},
    "PL": {"owner": "Jadwiga Kozłowska", "admin": "Piotr Mazur", "reception": "Zofia Król"},
}


class Command(BaseCommand):
    help = "Load the demo practices (only into a database without practices, unless --force)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=300, help="Clients per practice")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any practice exists"
        )

    def handle(self, *args, clients: int, seed: int, if_empty: bool, **options) -> None:
        if Practice.objects.exists():
            if if_empty:
                return
            raise CommandError(
                "The database already has practices; the demo loads into an empty one."
            )
        rng = random.Random(seed)
        for spec in PRACTICES:
            with transaction.atomic():
                self._practice(spec, rng, clients)
        self.stdout.write(self.style.SUCCESS(f"Demo loaded. Log in with (password: {PASSWORD}):"))
        for spec in PRACTICES:
            for role in ROLES:
                self.stdout.write(f"  {role}@{spec['domain']:<14} {spec['name']}")

    def _practice(self, spec: dict, rng: random.Random, count: int) -> None:
        country = spec["country"]
        names = ROLE_NAMES[country]
        owner = _user(f"owner@{spec['domain']}", names["owner"])
        practice = create_practice(
            name=spec["name"], country=country, kind=spec["kind"], owner=owner
        )
        add_member(
            practice=practice,
            user=_user(f"admin@{spec['domain']}", names["admin"]),
            role=Role.ADMIN,
        )
        add_member(
            practice=practice,
            user=_user(f"reception@{spec['domain']}", names["reception"]),
            role=Role.RECEPTION,
        )
        (first_name, first_title), *others = spec["professionals"]
        add_member(
            practice=practice,
            user=_user(f"professional@{spec['domain']}", first_name),
            role=Role.PROFESSIONAL,
            professional_name=first_name,
            title=first_title,
        )
        for name, title in others:
            Professional.objects.create(practice=practice, name=name, title=title)
        for name in spec["groups"]:
            AnamnesisGroup.objects.create(practice=practice, name=name)

        professionals = list(Professional.objects.filter(practice=practice))
        groups = list(AnamnesisGroup.objects.filter(practice=practice))
        by = Member.objects.get(practice=practice, role=Role.RECEPTION)
        today = timezone.localdate()
        self.stdout.write(f"{practice.name}: {count} clients", ending="")
        made: list[Client] = []
        for i in range(count):
            made.append(self._client(practice, by, rng, professionals, groups, today, i))
            if i % 50 == 49:
                self.stdout.write(".", ending="")
                self.stdout.flush()
        self.stdout.write("")
        # Some clients moved on: inactive for a reason, or waiting for a free slot.
        inactive = [c for c in made if c.status == Status.ACTIVE and rng.random() < 0.18]
        owner_member = Member.objects.get(practice=practice, role=Role.OWNER)
        reasons = (
            ["Inadimplência", "A pedido do cliente", "Alta terapêutica", "Mudou de cidade"]
            if country == "BR"
            else ["Na prośbę klienta", "Zwierzę odeszło", "Przeprowadzka", "Zaległości"]
        )
        for client in inactive:
            change_status(
                [client], by=owner_member, status=Status.INACTIVE, reason=rng.choice(reasons)
            )
        add_demo_animals(practice, rng)
        series = add_demo_agenda(practice, rng)
        add_demo_messages(practice)
        add_demo_documents(practice, rng)
        self.stdout.write(f"{practice.name}: {series} recurring series, reminders and messages")
        sales = add_demo_sales(practice, rng)
        self.stdout.write(f"{practice.name}: {sales} sales documents with payments")

    def _client(self, practice, by, rng, professionals, groups, today, i) -> Client:
        country = practice.country
        minor = practice.kind == Practice.Kind.THERAPY and rng.random() < 0.15
        who = demo.person(
            rng, country, today=today, min_age=4 if minor else 18, max_age=17 if minor else 85
        )
        guardian = (
            demo.person(rng, country, today=today, min_age=28, max_age=55, last_name=who.last_name)
            if minor
            else None
        )
        fields = demo.card_fields(rng, country, who, guardian=guardian)
        fields["first_contact_at"] = timezone.now() - datetime.timedelta(
            days=rng.randint(0, 900), minutes=rng.randint(0, 1440)
        )
        if groups:
            by_name = {g.name: g for g in groups}
            fields["anamnesis_group"] = (
                by_name["Infantil"]
                if minor
                else rng.choice([by_name["Adulto"], by_name["Casal"], None])
            )
        chosen = rng.sample(professionals, k=1 if rng.random() < 0.85 else 2)
        status = Status.WAITLIST if rng.random() < 0.08 else Status.ACTIVE
        return register_client(
            practice=practice,
            by=by,
            data=CardData(fields=fields, professionals=chosen),
            status=status,
        )


def _user(email: str, name: str) -> User:
    first, _, last = name.rpartition(" ")
    user = User.objects.create_user(
        email=email, password=PASSWORD, first_name=first or name, last_name=last if first else ""
    )
    return user
