"""Fixtures of the messaging tests: an English practice A with the SMS module on, a minor with
a guardian, next Monday at 18:00, and a fake SMS provider (a real HTTP server on 127.0.0.1)."""

import datetime
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone, translation

from clientbook.testing import make_client, years_ago
from clients.models import Client
from practices.models import Practice


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def practice(a) -> Practice:
    """Practice A writing in English (its texts are then the source strings), SMS on."""
    Practice.objects.filter(pk=a.practice.pk).update(language="en", sms_enabled=True)
    a.practice.refresh_from_db()
    for row in (a.owner, a.admin, a.reception, a.professional, *a.clients.values()):
        row.practice = a.practice  # the same, refreshed, instance everywhere
    return a.practice


@pytest.fixture
def ana_client(a) -> Client:
    """Ana's client: phone +55 11 98765-4321 and conceicao@example.com, an adult."""
    return a.clients["Ana's client"]


@pytest.fixture
def minor(a) -> Client:
    """A ten-year-old with a phone of her own and a guardian with phone, e-mail, WhatsApp."""
    return make_client(
        a.reception,
        "Lívia Menor",
        professionals=[a.professional.professional],
        birth_date=years_ago(10),
        phone="+5511911112222",
        guardian_name="Marta Menor",
        guardian_relation="mãe",
        guardian_phone="+5511933334444",
        guardian_email="marta@example.com",
        guardian_whatsapp="+5511955556666",
    )


@pytest.fixture
def monday(a) -> datetime.datetime:
    """Next Monday 18:00 in the practice's time zone (São Paulo)."""
    now = timezone.localtime(timezone.now(), a.practice.tz)
    day = now.date() + datetime.timedelta(days=7 - now.weekday())
    return datetime.datetime.combine(day, datetime.time(18), tzinfo=a.practice.tz)


@dataclass
class Answer:
    status: int = 200
    body: dict | str = field(default_factory=lambda: {"id": "prov-1"})
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    # Set: the handler waits for it before answering (to hold a send open).
    gate: threading.Event | None = None


@dataclass
class Received:
    path: str
    headers: dict
    body: dict


class FakeProvider:
    """An SMS provider on 127.0.0.1: answers queued with `answer(...)` (then 200 with an id),
    records every request it receives."""

    def __init__(self):
        self.received: list[Received] = []
        self.answers: list[Answer] = []
        self.lock = threading.Lock()
        self.arrived = threading.Event()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with provider.lock:
                    provider.received.append(Received(self.path, dict(self.headers), body))
                    answer = provider.answers.pop(0) if provider.answers else Answer()
                provider.arrived.set()
                if answer.gate is not None:
                    answer.gate.wait(10)
                if answer.delay:
                    time.sleep(answer.delay)
                raw = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(raw.encode())
                except OSError:
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, *answers: Answer) -> None:
        with self.lock:
            self.answers.extend(answers)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(settings):
    """The fake provider, configured as the SMS and WhatsApp channel (timeout 0.5 s)."""
    fake = FakeProvider()
    options = {"url": fake.url, "token": "secret-token", "timeout": 0.5}
    settings.MESSAGING = {
        "sms": {"BACKEND": "messaging.channels.HttpProvider", "OPTIONS": options},
        "whatsapp": {"BACKEND": "messaging.channels.HttpProvider", "OPTIONS": options},
        "email": {"BACKEND": "messaging.channels.Outbox"},
    }
    yield fake
    fake.close()
