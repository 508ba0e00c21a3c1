"""`{% load documents %}{% client_documents client %}`: the card's Documents panel.

The card draws only the panel's frame, which loads the panel itself (documents:client) when the
page is shown: the card's own queries stay as they are, and without JavaScript the frame is a
link to the same page."""

from urllib.parse import quote

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("documents/_frame.html")
def client_documents(client) -> dict:
    """No query."""
    card = reverse("clients:card", args=[client.pk]) + "#client-documents"
    page = reverse("documents:client", args=[client.pk])
    return {"client": client, "page_url": page, "panel_url": f"{page}?next={quote(card)}"}
