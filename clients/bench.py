"""The clients' part of `make bench`: a seeded database of realistic clients, and the client
list, its searches and its tab counts next to the same requests answered by the Django admin.
The management command (clientbook/management/commands/bench.py) drives it, with the tools of
clientbook/lib/bench.py.

Seeding writes rows with bulk_create, not through clients.services (one transaction, one event
and one code lock per client would take hours), but the rows are the ones the services write:
a sequential code per practice and the practice's counter after it, the derived search fields,
the professional links with their practice, and the status counts. No events are written: the
list, search and counts never read them.
"""

import datetime
import random
import sys
import time
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import quote

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from clientbook import demo
from clientbook.lib.bench import BenchError, Scenario, analyze
from clientbook.lib.text import fold
from clients.access import visible_clients
from clients.models import Client, ClientProfessional, Status, StatusCount
from clients.search_index import drop_search_index, ensure_search_index
from clients.selectors import _encode_cursor, client_page, filter_clients
from practices.models import Member, Practice, Professional, Role, User
from practices.services import add_member, create_practice

# Every row the benchmark makes is recognisable, so it never mistakes a real database for its
# own (and refuses to seed into one).
PRACTICE_PREFIX = "Bench · "
USER_DOMAIN = "bench.invalid"
SUPERUSER_EMAIL = f"superuser@{USER_DOMAIN}"
PROFESSIONALS_PER_PRACTICE = 20
# The targets of the issue (#2). Times are p95 in ms, set for SQLite on one machine.
LIST_P95_MS = 40.0
CODE_P95_MS = 15.0
ADMIN_RATIO = 15.0
# Mostly active, as in a living practice. Forgotten clients keep only their code.
STATUS_WEIGHTS = {
    Status.ACTIVE: 0.76,
    Status.WAITLIST: 0.07,
    Status.INACTIVE: 0.15,
    Status.FORGOTTEN: 0.02,
}
# João and Łukasz are among the commonest names in each country; make them common enough that
# searching them returns thousands of rows, the hard case for a search index.
COMMON_FIRST = {"BR": "João", "PL": "Łukasz"}
COMMON_SHARE = 0.15
HISTORY_DAYS = 6 * 365  # registrations spread over the last six years
INACTIVE_REASONS = {
    "BR": ["Inadimplência", "A pedido do cliente", "Alta terapêutica", "Mudou de cidade"],
    "PL": ["Na prośbę klienta", "Zwierzę odeszło", "Przeprowadzka", "Zaległości"],
}


# Seeding.


@dataclass(frozen=True)
class PracticeSpec:
    name: str
    country: str
    kind: str
    clients: int
    # Share of the practice's clients who are Brazilian (the rest are Polish): the big practice
    # has both, so both `joao` and `lukasz` find thousands of its clients.
    brazilian: float


def practice_specs(clients: int, other_practices: int, other_clients: int) -> list[PracticeSpec]:
    specs = [
        PracticeSpec(
            f"{PRACTICE_PREFIX}big practice", "BR", Practice.Kind.THERAPY, clients, brazilian=0.6
        )
    ]
    for i in range(other_practices):
        country = "PL" if i % 2 == 0 else "BR"
        specs.append(
            PracticeSpec(
                f"{PRACTICE_PREFIX}practice {i + 2}",
                country,
                Practice.Kind.VETERINARY if country == "PL" else Practice.Kind.THERAPY,
                other_clients,
                brazilian=1.0 if country == "BR" else 0.0,
            )
        )
    return specs


def bench_practices() -> dict[str, Practice]:
    return {p.name: p for p in Practice.objects.filter(name__startswith=PRACTICE_PREFIX)}


def foreign_data() -> bool:
    """Whether the database holds practices or users the benchmark did not make: then it is
    not ours to fill, or to empty."""
    return (
        Practice.objects.exclude(name__startswith=PRACTICE_PREFIX).exists()
        or User.objects.exclude(email__endswith=f"{USER_DOMAIN}").exists()
    )


def seeded_as(specs: list[PracticeSpec]) -> bool:
    """Whether the database holds exactly these bench practices, with these sizes."""
    existing = bench_practices()
    if set(existing) != {s.name for s in specs}:
        return False
    if not User.objects.filter(email=SUPERUSER_EMAIL).exists():
        return False
    for spec in specs:
        practice = existing[spec.name]
        counted = sum(StatusCount.objects.filter(practice=practice).values_list("count", flat=True))
        if counted != spec.clients or practice.next_client_number != spec.clients + 1:
            return False
        if Client.objects.filter(practice=practice).count() != spec.clients:
            return False
    return True


def _user(email: str, name: str, *, superuser: bool = False) -> User:
    first, _, last = name.rpartition(" ")
    make = User.objects.create_superuser if superuser else User.objects.create_user
    # No password: the benchmark logs in with force_login.
    return make(email=email, password=None, first_name=first, last_name=last)


def _professional_names(rng: random.Random, country: str, today: datetime.date) -> list[str]:
    title = "Dr." if country == "BR" else "lek."
    names: list[str] = []
    while len(names) < PROFESSIONALS_PER_PRACTICE:
        name = f"{title} {demo.person(rng, country, today=today).full_name}"
        if name not in names:
            names.append(name)
    return names


def _setup_practice(spec: PracticeSpec, index: int, rng: random.Random) -> Practice:
    today = timezone.localdate()
    slug = f"practice{index + 1}"
    with transaction.atomic():
        practice = create_practice(
            name=spec.name,
            country=spec.country,
            kind=spec.kind,
            owner=_user(f"owner@{slug}.{USER_DOMAIN}", "Bench Owner"),
        )
        add_member(
            practice=practice,
            user=_user(f"reception@{slug}.{USER_DOMAIN}", "Bench Reception"),
            role=Role.RECEPTION,
        )
        Professional.objects.bulk_create(
            Professional(practice=practice, name=name, title="")
            for name in _professional_names(rng, spec.country, today)
        )
    return practice


class ClientMaker:
    """Client cards for one practice, as the registration form and the services would fill
    them: mostly adults with a phone and an e-mail, some minors with a guardian, a few
    forgotten clients whose personal data is gone."""

    def __init__(self, practice: Practice, spec: PracticeSpec, rng: random.Random):
        self.practice = practice
        self.spec = spec
        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.professionals = list(
            Professional.objects.filter(practice=practice).values_list("pk", flat=True)
        )
        # Some professionals are busier than others.
        self.weights = [1 + (i % 5) for i in range(len(self.professionals))]
        self.statuses = list(STATUS_WEIGHTS)
        self.status_weights = list(STATUS_WEIGHTS.values())

    def _person(self, country: str, **kwargs: Any) -> demo.Person:
        rng = self.rng
        who = demo.person(rng, country, today=self.today, **kwargs)
        if not who.female and rng.random() < COMMON_SHARE:
            first = COMMON_FIRST[country]
            domain = who.email.rpartition("@")[2]
            local = f"{fold(first)}.{fold(who.last_name).replace(' ', '')}{rng.randint(1, 999)}"
            who.first_name = first
            who.full_name = f"{first} {who.last_name}"
            who.email = f"{local}@{domain}"
        return who

    def make(self, number: int) -> tuple[Client, list[int]]:
        rng = self.rng
        country = "BR" if rng.random() < self.spec.brazilian else "PL"
        code = f"{number:06d}"
        status = rng.choices(self.statuses, self.status_weights)[0]
        # Codes follow registration order: older clients have smaller codes.
        created = self.now - datetime.timedelta(
            days=HISTORY_DAYS * (1 - number / (self.spec.clients + 1)),
            seconds=rng.randint(0, 3600),
        )
        first_contact = created - datetime.timedelta(days=rng.randint(0, 60))
        changed = created
        reason = ""
        if status in (Status.INACTIVE, Status.FORGOTTEN):
            changed = created + (self.now - created) * rng.random()
            reason = rng.choice(INACTIVE_REASONS[country]) if status == Status.INACTIVE else ""
        chosen = rng.choices(self.professionals, self.weights, k=1 if rng.random() < 0.85 else 2)
        professionals = sorted(set(chosen))

        if status == Status.FORGOTTEN:
            # What forgetting leaves on the card: the code, the status and the dates.
            client = Client(
                practice=self.practice,
                code=code,
                full_name=f"Forgotten client {code}",
                status=status,
                status_changed_at=changed,
                first_contact_at=first_contact,
                created_at=created,
            )
            client.refresh_search_fields()
            return client, professionals

        minor = self.practice.kind == Practice.Kind.THERAPY and rng.random() < 0.1
        who = self._person(country, min_age=4 if minor else 18, max_age=17 if minor else 85)
        guardian = (
            self._person(country, min_age=28, max_age=55, last_name=who.last_name)
            if minor
            else None
        )
        fields = demo.card_fields(rng, country, who, guardian=guardian)
        client = Client(
            practice=self.practice,
            code=code,
            status=status,
            status_reason=reason,
            status_changed_at=changed,
            first_contact_at=first_contact,
            created_at=created,
            **fields,
        )
        client.refresh_search_fields()
        return client, professionals


def _seed_clients(
    practice: Practice, spec: PracticeSpec, rng: random.Random, batch: int, out: TextIO
) -> None:
    maker = ClientMaker(practice, spec, rng)
    started = time.perf_counter()
    done = 0
    while done < spec.clients:
        size = min(batch, spec.clients - done)
        made_at = time.perf_counter()
        made = [maker.make(done + i + 1) for i in range(size)]
        insert_at = time.perf_counter()
        with transaction.atomic():
            # The FTS5 index follows through its insert trigger (SQLite); the GIN index
            # (PostgreSQL) is built after the whole seed, see seed().
            clients = Client.objects.bulk_create([client for client, _ in made])
            ClientProfessional.objects.bulk_create(
                ClientProfessional(practice=practice, client=client, professional_id=pk)
                for client, (_, professionals) in zip(clients, made, strict=True)
                for pk in professionals
            )
        done += size
        now = time.perf_counter()
        out.write(
            f"  {spec.name}: {done:,}/{spec.clients:,} clients, {done / (now - started):,.0f}/s "
            f"(batch: {insert_at - made_at:.1f} s making, {now - insert_at:.1f} s writing)\n"
        )
        out.flush()
    with transaction.atomic():
        Practice.objects.filter(pk=practice.pk).update(next_client_number=spec.clients + 1)
        # The true counts, read back from the rows just written.
        counts = (
            Client.objects.filter(practice=practice)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        StatusCount.objects.filter(practice=practice).delete()
        StatusCount.objects.bulk_create(
            StatusCount(practice=practice, status=status, count=n) for status, n in counts
        )


def seed(specs: list[PracticeSpec], *, seed: int, batch: int, out: TextIO = sys.stderr) -> None:
    """Fill an empty database with the bench practices, their people and clients."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        # Building the trigram index once at the end is several times faster than keeping it
        # up to date row by row; the index is the same.
        drop_search_index(connection)
    else:
        with connection.cursor() as cursor:
            # A large page cache for the seed: the indexes on random names (sort_key, the
            # trigrams) are written all over; 2 MB, the default, makes every insert read.
            cursor.execute("PRAGMA cache_size = -262144")
    _user(SUPERUSER_EMAIL, "Bench Superuser", superuser=True)
    for index, spec in enumerate(specs):
        rng = random.Random(f"{seed}-{index}")
        practice = _setup_practice(spec, index, rng)
        _seed_clients(practice, spec, rng, batch, out)
    if postgres:
        out.write("  building the trigram index…\n")
        out.flush()
        ensure_search_index(connection)
    analyze()
    # The timings run on a new connection, with the settings' own pragmas (page cache).
    connection.close()


def reception(practice: Practice) -> Member:
    return Member.objects.select_related("practice", "user").get(
        practice=practice, role=Role.RECEPTION
    )


@dataclass
class Probe:
    """Search terms taken from real rows of the big practice, and a deep cursor."""

    phone_fragment: str
    email_fragment: str
    code: str
    deep_rows: int
    deep_cursor: str
    admin_page: int


def probe(member: Member, *, deep: int, page_size: int, seed: int) -> Probe:
    active = visible_clients(member).with_status(Status.ACTIVE)
    total = active.count()
    # A client somewhere in the middle with a phone and an e-mail.
    rng = random.Random(seed)
    sample = (
        active.exclude(phone="")
        .exclude(email="")
        .order_by("pk")[rng.randint(total // 4, total // 2) :][:1]
        .get()
    )
    national = str(sample.phone.national_number)
    local = sample.email.partition("@")[0]

    # The cursor of the row `deep` rows into the Active tab (name order), as the list's own
    # "Next" link would carry after deep/size clicks. Checked against page 1's real link.
    ordered = active.order_by("sort_key", "pk").only("sort_key", "pk")
    first_page = client_page(active, size=page_size)
    last_of_first = ordered[page_size - 1 : page_size].get()
    if first_page.next_cursor != _encode_cursor([last_of_first.sort_key, last_of_first.pk]):
        raise BenchError("the deep cursor would not be the one the list itself makes")
    deep = min(deep, total - page_size - 1)
    row = ordered[deep - 1 : deep].get()
    return Probe(
        phone_fragment=national[-8:-2],
        email_fragment=local.partition(".")[2] or local,
        code=sample.code,
        deep_rows=deep,
        deep_cursor=_encode_cursor([row.sort_key, row.pk]),
        admin_page=deep // page_size,
    )


def scenarios(found: Probe) -> list[Scenario]:
    admin = "/admin/clients/client/?status__exact=active"

    def page(name: str, ours: str, baseline: str, kind: str = "list", q: str = "") -> Scenario:
        return Scenario(
            name,
            ours,
            baseline,
            kind,
            target_ms=CODE_P95_MS if kind == "code" else LIST_P95_MS,
            ratio_target=ADMIN_RATIO,
            query=q,
        )

    def search(name: str, q: str, kind: str = "search") -> Scenario:
        return page(name, f"/clients/?q={quote(q)}", f"{admin}&q={quote(q)}", kind, q)

    return [
        page("list: Active, page 1", "/clients/", admin),
        page(
            f"list: deep page ({found.deep_rows:,} rows in)",
            f"/clients/?after={found.deep_cursor}",
            f"{admin}&p={found.admin_page}",
        ),
        search("search: joao", "joao"),
        search("search: lukasz", "lukasz"),
        search(f"search: phone {found.phone_fragment}", found.phone_fragment),
        search(f"search: e-mail {found.email_fragment}", found.email_fragment),
        search(f"search: code {found.code}", found.code, kind="code"),
        # Our counts come with every page; the admin counts when asked for facets.
        page(
            "tab counts: All tab with counts",
            "/clients/?status=all",
            "/admin/clients/client/?_facets=1",
        ),
    ]


def matches(member: Member, q: str) -> int:
    return filter_clients(visible_clients(member), q=q).with_status(Status.ACTIVE).count()
