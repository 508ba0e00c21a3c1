"""`{% load animals %}{% client_animals client %}`: the card's animal panel (veterinary only)."""

from django import template

from practices import roles
from practices.models import Practice

register = template.Library()


@register.inclusion_tag("pets/_panel.html", takes_context=True)
def client_animals(context, client) -> dict:
    """The owner's animals, active first, with add, edit and mark inactive/active. Only in a
    veterinary practice, where it costs one query; elsewhere none (the card has the practice)."""
    if client.practice.kind != Practice.Kind.VETERINARY:
        return {"show": False}
    request = context.get("request")
    member = context.get("member") or getattr(request, "member", None)
    animals = list(client.animals.all())
    return {
        "show": True,
        "client": client,
        "animals": animals,
        "any_active": any(a.is_active for a in animals),
        "any_inactive": any(not a.is_active for a in animals),
        "can_change": member is not None and member.can(roles.CHANGE_CLIENT),
        "csrf_token": context.get("csrf_token"),
    }
