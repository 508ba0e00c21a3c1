from django import template

from clientbook.lib.phones import format_phone

register = template.Library()


@register.filter
def phone(number: object, country: str = "") -> str:
    """{{ client.phone|phone:practice.country }}"""
    return format_phone(number, country)
