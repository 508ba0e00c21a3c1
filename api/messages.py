"""Messages in the REST API: a client's messages, sending or scheduling one, cancelling one.

The same access layer and services (messaging/services.py) as the pages. Times go out in UTC
with an offset; a time sent without an offset is read in the practice's time zone."""

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from api.routes import BODY_ERRORS, ERRORS, NO_NUL, Error, Id, When
from clients.access import get_client_for_member
from messaging.access import get_message_for_member
from messaging.models import Channel, Message, MessageStatus, RecipientKind
from messaging.selectors import client_history
from messaging.services import cancel_message, send_message
from practices.models import Member

router = Router(tags=["messages"])

ChannelIn = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
RecipientIn = Literal[tuple(RecipientKind.values)]  # type: ignore[valid-type]


class MessageOut(Schema):
    id: int
    client: int
    session: int | None
    kind: str = Field(description="`manual` or `reminder`.")
    channel: str
    recipient_kind: str = Field(description="`client` or `guardian`.")
    recipient: str = Field(description="The address used: E.164 phone number or e-mail.")
    subject: str
    body: str
    attachment_name: str = Field(
        description="The name of the file sent with it (an invoice, a certificate); empty if none."
    )
    status: str = Field(description="`scheduled`, `sending`, `sent`, `failed` or `cancelled`.")
    send_at: datetime.datetime = Field(description="When it goes (a retry: the next attempt).")
    sent_at: datetime.datetime | None
    attempts: int
    failure_reason: str
    cancel_reason: str
    outbox: bool = Field(description="Only recorded in the outbox: no provider is configured.")
    created_by: str
    created_at: datetime.datetime


class MessageIn(Schema):
    channel: ChannelIn
    body: Annotated[str, Field(min_length=1, max_length=20000, pattern=NO_NUL)]
    subject: Annotated[str, Field(max_length=200, pattern=NO_NUL)] = Field(
        "", description="E-mail only; the practice's name by default."
    )
    recipient: RecipientIn | None = Field(
        None, description="`client` or `guardian`; by default as the card routes it."
    )
    send_at: When | None = Field(None, description="Later, at this time; now if omitted.")


class CancelIn(Schema):
    reason: Annotated[str, Field(max_length=200, pattern=NO_NUL)] = ""


def message_out(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "client": message.client_id,
        "session": message.session_id,
        "kind": message.kind,
        "channel": message.channel,
        "recipient_kind": message.recipient_kind,
        "recipient": message.recipient,
        "subject": message.subject,
        "body": message.body,
        "attachment_name": message.attachment_name,
        "status": message.status,
        "send_at": message.send_at,
        "sent_at": message.sent_at,
        "attempts": message.attempts,
        "failure_reason": message.last_error,
        "cancel_reason": message.cancel_reason,
        "outbox": message.via == "outbox",
        "created_by": message.created_by_label,
        "created_at": message.created_at,
    }


def _member(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined]


def _aware(value: datetime.datetime, member: Member) -> datetime.datetime:
    """A time sent without an offset is the practice's wall-clock time."""
    if timezone.is_aware(value):
        return value
    return timezone.make_aware(value, member.practice.tz)


@router.get("/clients/{client_id}/messages", response={200: list[MessageOut], **ERRORS})
def list_messages(
    request: HttpRequest, client_id: Id, limit: Annotated[int, Field(ge=1, le=500)] = 100
):
    """The client's messages, latest first: scheduled, sent, failed and cancelled."""
    client = get_client_for_member(_member(request), client_id)
    messages, _more = client_history(client, limit=limit)
    return [message_out(m) for m in messages]


@router.post("/clients/{client_id}/messages", response={201: MessageOut, **BODY_ERRORS})
def create_message(request: HttpRequest, client_id: Id, payload: MessageIn):
    """Send a message to the client or the guardian by SMS, e-mail or WhatsApp, now or at
    `send_at`. Refused (422, naming the field) when the client is not active, SMS is off for
    the practice, or the recipient has no address on the channel."""
    member = _member(request)
    client = get_client_for_member(member, client_id, write=True)
    message = send_message(
        by=member,
        client=client,
        channel=payload.channel,
        body=payload.body,
        subject=payload.subject,
        recipient=payload.recipient,
        send_at=_aware(payload.send_at, member) if payload.send_at else None,
    )
    message.refresh_from_db()  # delivered at once with an immediate task backend
    return Status(201, message_out(message))


@router.post("/messages/{message_id}/cancel", response={200: MessageOut, 409: Error, **BODY_ERRORS})
def cancel(request: HttpRequest, message_id: Id, payload: CancelIn):
    """Cancel a scheduled message; one being sent or already sent cannot be (409)."""
    member = _member(request)
    message = get_message_for_member(member, message_id, write=True)
    if message.status != MessageStatus.SCHEDULED:
        detail = _("Only a scheduled message can be cancelled (this one: %s).")
        return Status(409, {"detail": detail % message.get_status_display()})
    return message_out(cancel_message(message, by=member, reason=payload.reason))
