"""Where a message goes: the client's own address or the guardian's, as the card says.

The rules, per channel:
- SMS goes to a phone number, and only when the practice's SMS module is on.
- E-mail goes to an e-mail address.
- WhatsApp goes to the WhatsApp number, or, when the card has none, to the phone number (most
  people use WhatsApp on their mobile; the card's WhatsApp field is for when they differ).
- The guardian receives it when the client is a minor, or when the card sends papers of the
  message's purpose to the guardian on that channel (e-mail, WhatsApp: `documents_to_guardian_*`
  for messages and documents, `billing_to_guardian_*` for invoices and receipts), or when only
  the guardian can be reached — and the guardian has an address on the channel. A person may
  also choose the recipient.
- Only active clients get new messages.
"""

from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext as _

from clients.models import Client, Status
from messaging.models import Channel, RecipientKind
from practices.models import Practice

# What a message is for, which picks the card's flags that route it to the guardian: billing
# papers (invoices, receipts) follow billing_to_guardian_*, everything else documents_to_guardian_*.
Purpose = Literal["documents", "billing"]
PURPOSES: tuple[Purpose, ...] = ("documents", "billing")


@dataclass(frozen=True)
class Route:
    channel: str
    recipient_kind: str
    address: str  # empty when there is none
    problem: str  # why this route cannot be used; empty when it can

    @property
    def usable(self) -> bool:
        return not self.problem


def _phone(value) -> str:
    return value.as_e164 if value and value.is_valid() else ""


def address(client: Client, channel: str, recipient_kind: str) -> str:
    """The address of the client or guardian on `channel`, or ""."""
    guardian = recipient_kind == RecipientKind.GUARDIAN
    if channel == Channel.EMAIL:
        return client.guardian_email if guardian else client.email
    if channel == Channel.SMS:
        return _phone(client.guardian_phone if guardian else client.phone)
    if channel == Channel.WHATSAPP:
        if guardian:
            return _phone(client.guardian_whatsapp) or _phone(client.guardian_phone)
        return _phone(client.whatsapp) or _phone(client.phone)
    return ""


def _to_guardian(client: Client, channel: str, purpose: Purpose = "documents") -> bool:
    """Whether the card sends papers of `purpose` to the guardian on `channel` (never for SMS)."""
    if purpose == "billing":
        flags = {
            Channel.EMAIL: client.billing_to_guardian_email,
            Channel.WHATSAPP: client.billing_to_guardian_whatsapp,
        }
    elif purpose == "documents":
        flags = {
            Channel.EMAIL: client.documents_to_guardian_email,
            Channel.WHATSAPP: client.documents_to_guardian_whatsapp,
        }
    else:
        raise ValueError(f"purpose must be one of {PURPOSES}, not {purpose!r}")
    return flags.get(channel, False)


def default_recipient(client: Client, channel: str, *, purpose: Purpose = "documents") -> str:
    """The recipient the card's routing gives for `channel` and `purpose` (see the module's
    docstring)."""
    routed = _to_guardian(client, channel, purpose)  # first: a bad purpose is always refused
    if not address(client, channel, RecipientKind.GUARDIAN):
        return RecipientKind.CLIENT
    if client.is_minor or routed or not address(client, channel, RecipientKind.CLIENT):
        return RecipientKind.GUARDIAN
    return RecipientKind.CLIENT


def channel_problem(practice: Practice, client: Client, channel: str) -> str:
    """Why nothing can go to this client on `channel` at all, whoever the recipient; or ""."""
    if client.status != Status.ACTIVE:
        return _("Only active clients get messages (this client: %(status)s).") % {
            "status": client.get_status_display()
        }
    if channel == Channel.SMS and not practice.sms_enabled:
        return _("The practice's SMS module is off (an owner or administrator can turn it on).")
    return ""


def missing_address(channel: str, recipient_kind: str) -> str:
    guardian = recipient_kind == RecipientKind.GUARDIAN
    if channel == Channel.EMAIL:
        return _("The guardian has no e-mail address.") if guardian else _("No e-mail address.")
    if channel == Channel.WHATSAPP:
        return (
            _("The guardian has no WhatsApp or phone number.")
            if guardian
            else _("No WhatsApp or phone number.")
        )
    return _("The guardian has no phone number.") if guardian else _("No phone number.")


def route(practice: Practice, client: Client, channel: str, recipient_kind: str) -> Route:
    to = address(client, channel, recipient_kind)
    problem = channel_problem(practice, client, channel)
    if not problem and not to:
        problem = missing_address(channel, recipient_kind)
    return Route(channel, recipient_kind, to, problem)


@dataclass(frozen=True)
class ChannelOptions:
    """What the card offers on one channel: the default route and both recipients."""

    channel: str
    label: str
    default: Route
    client: Route
    guardian: Route

    @property
    def usable(self) -> bool:
        return self.client.usable or self.guardian.usable

    @property
    def problem(self) -> str:
        return "" if self.usable else self.default.problem


def options(
    practice: Practice, client: Client, *, purpose: Purpose = "documents"
) -> list[ChannelOptions]:
    """Every channel with its routes, for the card and the new-message page (no query); the
    default route as the card routes papers of `purpose`."""
    found = []
    for channel, label in Channel.choices:
        to_client = route(practice, client, channel, RecipientKind.CLIENT)
        to_guardian = route(practice, client, channel, RecipientKind.GUARDIAN)
        default = (
            to_guardian
            if default_recipient(client, channel, purpose=purpose) == RecipientKind.GUARDIAN
            else (to_client)
        )
        found.append(ChannelOptions(channel, str(label), default, to_client, to_guardian))
    return found
