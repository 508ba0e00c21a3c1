"""`{% load messaging %}{% client_messages client %}`: the card's message panel."""

from django import template

from clientbook.lib.phones import format_phone
from messaging import selectors

register = template.Library()


@register.inclusion_tag("messaging/_panel.html", takes_context=True)
def client_messages(context, client) -> dict:
    """The client's latest messages (scheduled, sent, failed, cancelled), cancel for the
    scheduled ones, and the channels to write by, or why not. Needs `member` in the context
    (the card has it) and costs one query."""
    request = context.get("request")
    member = context.get("member") or getattr(request, "member", None)
    ctx = selectors.panel(member, client)
    ctx["csrf_token"] = context.get("csrf_token")
    ctx["next"] = request.get_full_path() if request is not None else ""
    return ctx


@register.filter
def address(value: str, country: str = "") -> str:
    """An address as people read it: a phone number in the practice's national format (an
    international one for foreign numbers), an e-mail address as it is."""
    return value if not value or "@" in value else format_phone(value, country)
