"""How messages leave Clientbook: one channel backend per channel, chosen in settings.MESSAGING.

    MESSAGING = {
        "sms": {"BACKEND": "messaging.channels.HttpProvider",
                "OPTIONS": {"url": "https://…", "token": "…", "timeout": 10}},
        "email": {"BACKEND": "messaging.channels.Email", "OPTIONS": {"mailer": "default"}},
        "whatsapp": {"BACKEND": "messaging.channels.Outbox"},
    }

A backend's `send(message, attachment)` returns the provider's id for the message, or raises
DeliveryError saying why not and whether trying again later may work. `attachment` is the file
of a message that has one (messaging.attachments), made by the delivery just before; None
otherwise.
"""

import base64
import http.client
import json
import logging
import socket
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from messaging.attachments import Attachment
from messaging.models import Message

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "messaging.channels.Outbox"


class DeliveryError(Exception):
    """The message was not delivered. `retry`: a later attempt may work (a timeout, the
    provider down or busy); otherwise it never will (the provider refused it)."""

    def __init__(self, reason: str, *, retry: bool, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.retry_after = retry_after


class ChannelBackend:
    # Stored on the message as `via`; the history marks the outbox's messages.
    via = ""
    # True when sending the same message again cannot reach the client twice (the outbox; an
    # HTTP provider that honours the idempotency key): a send interrupted by a crash may then
    # be retried. Otherwise such a message is failed, saying it may or may not have arrived.
    idempotent = False

    def __init__(self, **options: Any):
        self.options = options

    def send(self, message: Message, attachment: Attachment | None = None) -> str:
        raise NotImplementedError


class Outbox(ChannelBackend):
    """Delivers nowhere: the message is recorded as sent (its row is the outbox), so the demo
    and a practice without a provider work offline. The history shows it as "outbox". A file
    is only named in the log (the row keeps its reference and name)."""

    via = "outbox"
    idempotent = True

    def send(self, message: Message, attachment: Attachment | None = None) -> str:
        logger.info("outbox: %s message %s to %s", message.channel, message.uuid, message.pk)
        if attachment is not None:
            logger.info(
                "outbox: with %s (%s, %d bytes)",
                attachment.filename,
                attachment.content_type,
                len(attachment.content),
            )
        return f"outbox-{message.uuid}"


class Email(ChannelBackend):
    """Through Django's e-mail (settings.MAILERS; OPTIONS: `mailer`, `from_email`). The
    Message-ID is made from the message's uuid, so a retried e-mail is the same e-mail. A file
    goes as an attachment of the e-mail."""

    via = "email"

    def send(self, message: Message, attachment: Attachment | None = None) -> str:
        import smtplib
        import socket

        message_id = f"<{message.uuid}@clientbook>"
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=self.options.get("from_email") or settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Message-ID": message_id},
        )
        if attachment is not None:
            email.attach(attachment.filename, attachment.content, attachment.content_type)
        try:
            email.send(using=self.options.get("mailer", "default"))
        except smtplib.SMTPRecipientsRefused as error:
            details = "; ".join(_smtp_text(code, text) for code, text in error.recipients.values())
            raise DeliveryError(
                _("The mail server refused the address: %s") % details, retry=False
            ) from None
        except smtplib.SMTPResponseException as error:
            reason = _("The mail server answered: %s") % _smtp_text(
                error.smtp_code, error.smtp_error
            )
            # 4xx is "try again later"; 5xx is a refusal.
            raise DeliveryError(reason, retry=400 <= error.smtp_code < 500) from error
        except (ConnectionRefusedError, socket.gaierror, smtplib.SMTPConnectError) as error:
            # Nothing was handed over: trying again cannot send it twice.
            raise DeliveryError(
                _("The mail server could not be reached: %s") % error, retry=True
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            # Broken off mid-way (a timeout, a dropped connection): the server may have taken
            # the e-mail already, and SMTP has no idempotency key — so no second try.
            raise DeliveryError(
                _(
                    "The connection to the mail server broke off (%s): the e-mail may or may "
                    "not have arrived."
                )
                % error,
                retry=False,
            ) from error
        return message_id


def _smtp_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would follow a redirect of a POST as a GET without the message: a provider that
    # redirects is misconfigured, and the answer is shown as it is.
    def redirect_request(self, *args, **kwargs):
        return None


class HttpProvider(ChannelBackend):
    """An SMS or WhatsApp provider behind an HTTP API: POST of JSON to `url` with the token as
    Bearer credentials and the message's uuid as the Idempotency-Key (the provider must answer
    a repeated key with the first answer, and not send again). A 2xx JSON answer means sent,
    its `id` is the provider's id. Timeouts, connection errors, 429 and 5xx may be retried;
    other answers are refusals, with the provider's reason.

    The JSON: `{"id": uuid, "channel": "sms" | "whatsapp", "to": E.164, "text": …, "from":
    sender}` ("from" only when set), and for a message with a file (WhatsApp only: an SMS never
    carries one) `"attachment": {"filename": …, "content_type": "application/pdf",
    "content_base64": …}` — the file itself, base64, for a provider that sends it as the
    message's media (a WhatsApp document) rather than fetching it from a URL, so nothing
    needs to be published for it.

    OPTIONS: `url`, `token`, `timeout` (seconds, default 10), `sender` (optional)."""

    via = "http"
    idempotent = True

    def send(self, message: Message, attachment: Attachment | None = None) -> str:
        url = self.options["url"]
        if not url.lower().startswith(("http://", "https://")):
            raise DeliveryError(
                _("The provider's URL must start with http:// or https://."), retry=False
            )
        timeout = float(self.options.get("timeout", 10))
        payload: dict[str, Any] = {
            "id": str(message.uuid),
            "channel": message.channel,
            "to": message.recipient,
            "text": message.body,
        }
        if self.options.get("sender"):
            payload["from"] = self.options["sender"]
        if attachment is not None:
            payload["attachment"] = {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "content_base64": base64.b64encode(attachment.content).decode("ascii"),
            }
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.options.get('token', '')}",
                "Idempotency-Key": str(message.uuid),
                "User-Agent": "Clientbook",
            },
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=timeout) as response:
                return self._sent(response.status, response.read(65536))
        except urllib.error.HTTPError as error:
            with error:
                status, body, headers = error.code, error.read(65536), error.headers
            raise self._refused(status, body, headers) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError | socket.timeout):
                raise self._timeout(timeout) from None
            raise DeliveryError(
                _("The provider could not be reached: %s") % error.reason, retry=True
            ) from None
        except TimeoutError:
            raise self._timeout(timeout) from None
        except (OSError, http.client.HTTPException) as error:
            raise DeliveryError(
                _("The provider could not be reached: %s") % (error or type(error).__name__),
                retry=True,
            ) from None

    def _timeout(self, timeout: float) -> DeliveryError:
        return DeliveryError(
            _("The provider did not answer within %s seconds.") % f"{timeout:g}", retry=True
        )

    def _sent(self, status: int, body: bytes) -> str:
        if not 200 <= status < 300:
            raise self._refused(status, body, {})
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {}
        found = data.get("id") or data.get("message_id") if isinstance(data, dict) else None
        if not found:
            # Accepted (2xx): not sent again, whatever it said; the id is only for reference.
            logger.warning("the provider accepted a message without giving its id")
        return str(found or "")[:200]

    def _refused(self, status: int, body: bytes, headers) -> DeliveryError:
        detail = _provider_detail(body) or http.client.responses.get(status, "")
        reason = _("The provider answered %(status)s: %(detail)s") % {
            "status": status,
            "detail": detail,
        }
        retry = status in (408, 429) or status >= 500
        retry_after = None
        value = (headers.get("Retry-After") if headers else None) or ""
        if value.strip().isdigit():
            retry_after = float(value.strip())
        return DeliveryError(reason[:500], retry=retry, retry_after=retry_after)


def _provider_detail(body: bytes) -> str:
    """The provider's own words: `error`, `message` or `detail` of a JSON answer, or the text."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:300]
    if isinstance(data, dict):
        for key in ("error", "message", "detail", "description"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value.get("description")
            if value:
                return str(value)[:300]
    return text[:300]


def get_channel(channel: str) -> ChannelBackend:
    """The backend configured for `channel` ("sms", "email", "whatsapp")."""
    config = getattr(settings, "MESSAGING", {}).get(channel) or {}
    backend = import_string(config.get("BACKEND", DEFAULT_BACKEND))
    return backend(**config.get("OPTIONS", {}))
