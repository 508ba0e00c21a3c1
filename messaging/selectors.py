"""What the pages read about messages (no changes here)."""

from django.utils import timezone

from clientbook.lib.phones import format_phone
from clients.models import Client
from messaging import routing, texts
from messaging.models import Channel, Message, MessageStatus, MessageTemplate
from practices import roles
from practices.models import Member
from scheduling.models import Session, SessionStatus

HISTORY_SIZE = 20


def client_history(
    client: Client, *, limit: int | None = HISTORY_SIZE
) -> tuple[list[Message], bool]:
    """The client's messages, latest first, and whether there are more than `limit`."""
    rows = Message.objects.filter(practice_id=client.practice_id, client=client).order_by(
        "-send_at", "-pk"
    )
    found = list(rows[: limit + 1] if limit else rows)
    more = bool(limit) and len(found) > limit
    return found[:limit] if limit else found, more


def shown_address(message: Message, country: str) -> str:
    if message.channel == Channel.EMAIL:
        return message.recipient
    return format_phone(message.recipient, country)


def panel(member: Member, client: Client, *, limit: int | None = HISTORY_SIZE) -> dict:
    """The context of the card's message panel (one query: the messages)."""
    practice = client.practice
    messages, more = client_history(client, limit=limit)
    for message in messages:
        message.shown_to = shown_address(message, practice.country)
        message.retrying = message.status == MessageStatus.SCHEDULED and message.attempts > 0
    return {
        "client": client,
        "practice": practice,
        "member": member,
        "history": messages,
        "more": more,
        "channels": routing.options(practice, client),
        # Whoever sees the card and may change clients may write to the client (a professional
        # sees only their own clients): check_can_change_client's rule.
        "can_send": member.can(roles.CHANGE_CLIENT),
        "now": timezone.now(),
    }


def next_session(client: Client) -> Session | None:
    return (
        Session.objects.filter(
            practice_id=client.practice_id,
            client=client,
            status=SessionStatus.SCHEDULED,
            starts_at__gt=timezone.now(),
        )
        .select_related("professional")
        .order_by("starts_at")
        .first()
    )


def templates_for(client: Client) -> tuple[list[MessageTemplate], dict[str, dict[str, str]]]:
    """The practice's templates, and each one's subject and text filled in for this client
    (the session placeholders with the client's next session, if any)."""
    practice = client.practice
    templates = list(MessageTemplate.objects.filter(practice_id=practice.pk))
    session = next_session(client) if templates else None
    professional = (
        (
            session.professional.name
            if session
            else next((p.name for p in client.professionals.all()), "")
        )
        if templates
        else ""
    )
    filled = {}
    for template in templates:
        values = texts.placeholder_values(
            client=client,
            practice=practice,
            starts_at=session.starts_at if session else None,
            professional_name=professional,
            language=template.language,
        )
        filled[str(template.pk)] = {
            "subject": texts.render(template.subject, values),
            "body": texts.render(template.body, values),
            "channel": template.channel,
        }
    return templates, filled
