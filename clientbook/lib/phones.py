"""Showing phone numbers: national format at home, international for foreign numbers."""

import phonenumbers


def format_phone(number: object, country: str = "") -> str:
    """`number` is an E.164 string or a PhoneNumber; `country` the practice's (e.g. "BR")."""
    if isinstance(number, phonenumbers.PhoneNumber):
        parsed = number  # django-phonenumber-field's PhoneNumber is one: no need to parse again
    else:
        text = str(number or "")
        if not text:
            return ""
        try:
            parsed = phonenumbers.parse(text)
        except phonenumbers.NumberParseException:
            return text
    style = phonenumbers.PhoneNumberFormat
    home = phonenumbers.region_code_for_number(parsed) == country
    return phonenumbers.format_number(parsed, style.NATIONAL if home else style.INTERNATIONAL)
