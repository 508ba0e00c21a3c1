"""`{% load anamnesis %}{% client_anamnesis client %}`: the card's Anamnesis panel, for a
client whose card names an anamnesis group.

As the Documents panel, the card draws only the frame, which loads the panel (intake:client)
when the page is shown; without JavaScript the frame is a link to the same page."""

from urllib.parse import quote

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("intake/_frame.html")
def client_anamnesis(client) -> dict:
    """No query (the card's client comes with its group)."""
    if client.anamnesis_group_id is None:
        return {"show": False}
    card = reverse("clients:card", args=[client.pk]) + "#client-anamnesis"
    page = reverse("intake:client", args=[client.pk])
    return {
        "show": True,
        "client": client,
        "group_name": client.anamnesis_group.name,
        "page_url": page,
        "panel_url": f"{page}?next={quote(card)}",
    }
