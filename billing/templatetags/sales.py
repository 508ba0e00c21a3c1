"""The card's Sales panel: what the client owes and their latest documents, in two queries."""

from typing import Any

from django import template

from billing.models import Document
from billing.services import balance
from practices import roles

register = template.Library()

LATEST = 5


@register.inclusion_tag("billing/_panel.html", takes_context=True)
def client_sales(context: template.Context, client) -> dict[str, Any]:
    request = context["request"]
    member = request.member
    latest = list(
        Document.objects.filter(practice_id=client.practice_id, client_id=client.pk)
        .select_related("type")
        .order_by("-issue_date", "-pk")[:LATEST]
    )
    return {
        "client": client,
        "request": request,
        "currency": request.practice.currency,
        "balance": balance(client),
        "documents": latest,
        "can_sell": member.can(roles.SELL)
        and member.can(roles.CHANGE_CLIENT)
        and client.status in ("active", "waitlist"),
    }
