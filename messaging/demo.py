"""Demo messages: a practice that sends SMS reminders, and a believable history on some of its
clients' cards (sent, scheduled, one failed, one cancelled). Called by `clientbook demo`."""

import datetime

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clients.models import Client, Status
from messaging import delivery, routing
from messaging.models import Channel, Message, MessageKind, MessageStatus, MessageTemplate
from messaging.reminders import sync_reminders
from practices.models import Member, Practice, Role
from scheduling.models import Session, SessionStatus

TEXTS = {
    "pt-br": [
        "Olá {name}, tudo bem? Segue o link para o questionário antes da nossa primeira sessão.",
        "Olá {name}, recebemos o seu pagamento. Obrigado!",
        "Olá {name}, a clínica estará fechada na próxima segunda-feira (feriado).",
        "Olá {name}, podemos remarcar a sua sessão de quinta para as 18h?",
    ],
    "pl": [
        "Dzień dobry {name}, przypominamy o corocznym szczepieniu pupila.",
        "Dzień dobry {name}, wyniki badań krwi są już do odbioru w recepcji.",
        "Dzień dobry {name}, w sobotę lecznica czynna do 14:00.",
        "Dzień dobry {name}, prosimy o kontakt w sprawie kontroli po zabiegu.",
    ],
}
TEMPLATES = {
    "pt-br": [
        ("Lembrete de sessão", MessageKind.REMINDER, "Olá {client_name}, lembramos da sua sessão "
         "com {professional_name} em {session_date} às {session_time}. {practice_name}"),
        ("Boas-vindas", MessageKind.MANUAL, "Olá {client_name}, seja bem-vindo(a) à "
         "{practice_name}! Qualquer dúvida, é só responder esta mensagem."),
    ],
    "pl": [
        ("Przypomnienie o wizycie", MessageKind.REMINDER, "Dzień dobry {client_name}, "
         "przypominamy o wizycie u {professional_name} {session_date} o {session_time}. "
         "{practice_name}"),
        ("Szczepienie", MessageKind.MANUAL, "Dzień dobry {client_name}, zbliża się termin "
         "szczepienia Twojego pupila. Zapraszamy! {practice_name}"),
    ],
}  # fmt: skip


@transaction.atomic
def add_demo_messages(practice: Practice) -> None:
    """Turn on the SMS module and SMS reminders a day ahead (so the practice's upcoming
    sessions get their reminders), add two templates, and write a history for some clients:
    sent messages, one scheduled for later, one that failed and one cancelled."""
    practice.sms_enabled = True
    practice.reminder_channel = Channel.SMS
    practice.reminder_hours_before = 24
    practice.save(update_fields=["sms_enabled", "reminder_channel", "reminder_hours_before"])
    language = practice.language if practice.language in TEMPLATES else "pt-br"
    for name, kind, body in TEMPLATES[language]:
        MessageTemplate.objects.get_or_create(
            practice=practice,
            name=name,
            language=practice.language,
            defaults={"kind": kind, "body": body},
        )
    sync_reminders(
        Session.objects.filter(
            practice=practice, status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now()
        ).values_list("pk", flat=True)
    )
    by = Member.objects.filter(practice=practice, role=Role.RECEPTION).first()
    clients = [
        c
        for c in Client.objects.filter(practice=practice, status=Status.ACTIVE).order_by("pk")[:60]
        if routing.address(c, Channel.SMS, routing.default_recipient(c, Channel.SMS))
    ][:12]
    now = timezone.now()
    texts = TEXTS.get(practice.language, TEXTS["pt-br"])
    with translation.override(practice.language):
        failure = _("The provider answered %(status)s: %(detail)s") % {
            "status": 400,
            "detail": "number not reachable (+48 00 000)",
        }
        cancelled = _("Cancelled by %s") % (by.user if by else "Clientbook")
    if not clients:
        return
    rows = []
    for i, client in enumerate(clients):
        base = _base(practice, client, by, texts[i % len(texts)])
        days_ago = datetime.timedelta(days=3 + 5 * i, hours=i)
        rows.append(
            Message(
                **base,
                status=MessageStatus.SENT,
                send_at=now - days_ago,
                sent_at=now - days_ago + datetime.timedelta(seconds=4),
                attempts=1,
                via="outbox",
                provider_id=f"demo-{i}",
                created_at=now - days_ago,
            )
        )
    # One of each other kind, on the first clients (the same one in a tiny practice).
    rows.append(
        Message(
            **_base(practice, clients[0], by, texts[2]),
            status=MessageStatus.SCHEDULED,
            send_at=now + datetime.timedelta(days=2, hours=3),
        )
    )
    rows.append(
        Message(
            **_base(practice, clients[1 % len(clients)], by, texts[3]),
            status=MessageStatus.FAILED,
            send_at=now - datetime.timedelta(days=1),
            attempted_at=now - datetime.timedelta(days=1),
            attempts=1,
            via="http",
            last_error=failure,
            created_at=now - datetime.timedelta(days=1),
        )
    )
    rows.append(
        Message(
            **_base(practice, clients[2 % len(clients)], by, texts[1]),
            status=MessageStatus.CANCELLED,
            send_at=now + datetime.timedelta(days=1),
            cancel_reason=cancelled,
            created_at=now - datetime.timedelta(hours=5),
        )
    )
    for message in Message.objects.bulk_create(rows):
        if message.status == MessageStatus.SCHEDULED:
            delivery.enqueue_on_commit(message)


def _base(practice: Practice, client: Client, by: Member | None, text: str) -> dict:
    kind = routing.default_recipient(client, Channel.SMS)
    return {
        "practice": practice,
        "client": client,
        "channel": Channel.SMS,
        "recipient_kind": kind,
        "recipient": routing.address(client, Channel.SMS, kind),
        "body": text.format(name=client.display_name.split()[0]),
        "created_by": by,
        "created_by_label": str(by.user) if by else "demo",
    }
