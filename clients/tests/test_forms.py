"""The card form: fields per mode, rules per country, and what it hands to the services."""

import datetime

import pytest
from django.utils import timezone, translation

from clientbook.testing import PracticeWorld, make_client, make_user
from clients.forms import QUICK_FIELDS, ChangeCodeForm, ClientForm
from clients.services import CARD_FIELDS
from practices.models import Practice, Professional
from practices.services import create_practice


@pytest.fixture(autouse=True)
def english():
    """Quote the messages in English (the practices' own languages are tested on the pages)."""
    with translation.override("en"):
        yield


def form(practice, data=None, **kwargs) -> ClientForm:
    return ClientForm(data, practice=practice, registering=True, **kwargs)


def valid(world, **data) -> ClientForm:
    """A bound form with the required fields filled in, plus `data`."""
    filled = {"full_name": "Test Person", "professionals": [world.other_professional.pk], **data}
    return form(world.practice, filled)


def cleaned(world, name: str, value: str):
    bound = valid(world, **{name: value})
    assert bound.is_valid(), bound.errors
    return bound.cleaned_data[name]


def error(world, name: str, value: str) -> list[str]:
    bound = valid(world, **{name: value})
    assert not bound.is_valid()
    assert set(bound.errors) == {name}
    return bound.errors[name]


@pytest.fixture
def canada(db) -> PracticeWorld:
    practice = create_practice(
        name="Clinique C", country="CA", kind=Practice.Kind.GENERAL, owner=make_user("c@c.test")
    )
    return PracticeWorld(
        practice=practice,
        owner=practice.members.get(),
        other_professional=Professional.objects.create(practice=practice, name="Chloé"),
    )


# Modes.


def test_the_full_form_has_every_card_field_and_the_status(a):
    assert set(form(a.practice).fields) == {*CARD_FIELDS, "professionals", "status"}


def test_the_quick_form_has_only_the_personal_fields(a):
    assert set(form(a.practice, quick=True).fields) == {*QUICK_FIELDS, "status"}


def test_the_edit_form_has_no_status(a):
    fields = ClientForm(practice=a.practice, instance=a.clients["João da Silva"]).fields
    assert "status" not in fields


def test_only_restricts_the_form_to_the_fields_named(a):
    assert set(form(a.practice, only=["city", "phone"]).fields) == {"city", "phone"}


def test_the_status_defaults_to_active_and_offers_only_active_and_waitlist(a):
    status = form(a.practice).fields["status"]
    assert status.initial == "active"
    assert [value for value, _ in status.choices] == ["active", "waitlist"]


def test_card_data_hands_over_only_card_fields_and_the_professionals(a):
    bound = valid(a, status="waitlist", city="Santos")
    assert bound.is_valid()
    data = bound.card_data()
    assert "status" not in data.fields
    assert data.fields["city"] == "Santos"
    assert data.professionals == [a.other_professional]


# Professionals.


def test_only_the_practices_active_professionals_are_offered(a, b):
    retired = Professional.objects.create(practice=a.practice, name="Retired", is_active=False)
    offered = set(form(a.practice).fields["professionals"].queryset)
    assert offered == {a.professional.professional, a.other_professional}
    assert retired not in offered
    assert b.other_professional not in offered


def test_an_inactive_professional_still_linked_stays_selectable_on_edit(a):
    retired = Professional.objects.create(practice=a.practice, name="Retired")
    client = make_client(a.reception, "Old Client", professionals=[retired])
    Professional.objects.filter(pk=retired.pk).update(is_active=False)
    edit = ClientForm(practice=a.practice, instance=client)
    assert retired in set(edit.fields["professionals"].queryset)
    assert edit.initial["professionals"] == [retired]


def test_a_professional_member_starts_with_their_own_name_ticked(a):
    bound = form(a.practice, member=a.professional)
    assert bound.initial["professionals"] == [a.professional.professional]
    assert "professionals" not in form(a.practice, member=a.reception).initial


def test_another_practices_professional_is_unknown(a, b):
    message = error(a, "professionals", [b.other_professional.pk])
    assert message == [f"Unknown professional: {b.other_professional.pk}."]


def test_no_professional_gets_a_clear_message(a):
    assert error(a, "professionals", []) == ["Choose at least one responsible professional."]


# Brazil.


@pytest.mark.parametrize("typed", ["52998224725", "529.982.247-25", " 529.982.247-25 "])
def test_a_cpf_is_stored_formatted(a, typed):
    assert cleaned(a, "national_id", typed) == "529.982.247-25"
    assert cleaned(a, "guardian_national_id", typed) == "529.982.247-25"


@pytest.mark.parametrize("typed", ["529.982.247-24", "12345", "111.111.111-11x", "abc"])
def test_an_invalid_cpf_is_refused_with_an_example(a, typed):
    assert error(a, "national_id", typed) == ["Enter a valid CPF (11 digits, e.g. 123.456.789-09)."]


def test_a_brazilian_invoice_tax_id_is_a_cpf_or_a_cnpj(a):
    assert cleaned(a, "billing_tax_id", "52998224725") == "529.982.247-25"
    assert cleaned(a, "billing_tax_id", "11.222.333/0001-81") == "11.222.333/0001-81"
    error(a, "billing_tax_id", "11.222.333/0001-80")


def test_a_brazilian_postal_code_and_state(a):
    assert cleaned(a, "postal_code", "01310-100") == "01310-100"
    error(a, "postal_code", "0131")
    assert cleaned(a, "region", "SP") == "SP"
    error(a, "region", "XX")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(11) 98765-4321", "+5511987654321"),
        ("11 98765 4321", "+5511987654321"),
        ("011 98765-4321", "+5511987654321"),
        ("+55 11 98765-4321", "+5511987654321"),
        ("+48 601 234 567", "+48601234567"),
        ("(11) 3333-4444", "+551133334444"),
    ],
)
def test_phones_typed_as_people_type_them_become_e164(a, typed, stored):
    for name in ("phone", "whatsapp", "emergency_contact_phone", "guardian_phone"):
        assert cleaned(a, name, typed).as_e164 == stored


@pytest.mark.parametrize("typed", ["123", "abc", "+55 11 1", "98765-43211234"])
def test_an_invalid_phone_is_refused(a, typed):
    assert error(a, "phone", typed)


def test_the_invalid_phone_message_gives_a_real_example(a):
    (message,) = error(a, "phone", "123")
    assert "%(" not in message


# Poland and Canada.


def test_a_pesel_is_checked(b):
    assert cleaned(b, "national_id", "44051401359") == "44051401359"
    assert error(b, "national_id", "4405140135") == ["Enter a valid PESEL (11 digits)."]
    assert error(b, "national_id", "44051401358")  # wrong checksum


def test_a_polish_invoice_tax_id_is_a_nip_or_a_pesel(b):
    assert cleaned(b, "billing_tax_id", "526-000-12-46") == "5260001246"
    assert cleaned(b, "billing_tax_id", "5260001246") == "5260001246"
    assert cleaned(b, "billing_tax_id", "44051401359") == "44051401359"
    assert error(b, "billing_tax_id", "5260001247") == ["Enter a valid NIP (10 digits) or PESEL."]


def test_a_polish_postal_code_and_voivodeship(b):
    assert cleaned(b, "postal_code", "00-950") == "00-950"
    assert error(b, "postal_code", "00950") == ["Enter a postal code in the format XX-XXX."]
    assert cleaned(b, "region", "masovia") == "masovia"


def test_polish_phones_typed_without_the_country_code_are_polish(b):
    assert cleaned(b, "phone", "601 234 567").as_e164 == "+48601234567"


def test_a_canadian_postal_code_and_province(canada):
    assert cleaned(canada, "postal_code", "k1a 0b1") == "K1A 0B1"
    error(canada, "postal_code", "12345")
    assert cleaned(canada, "region", "QC") == "QC"
    assert cleaned(canada, "phone", "(613) 555-0123").as_e164 == "+16135550123"


def test_a_new_card_starts_in_the_practices_country(a, b):
    assert form(a.practice).initial["country"] == "BR"
    assert form(b.practice).initial["country"] == "PL"


# Dates, tags, text.


def test_a_birth_date_in_the_future_is_refused(a):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert error(a, "birth_date", tomorrow.isoformat()) == [
        "The birth date cannot be in the future."
    ]
    assert cleaned(a, "birth_date", timezone.localdate().isoformat()) == timezone.localdate()


def test_a_birth_date_before_1900_is_refused(a):
    assert error(a, "birth_date", "1899-12-31") == ["Enter a birth date after 1900."]


def test_tags_are_split_trimmed_and_deduplicated(a):
    assert cleaned(a, "tags", " anxiety, couple ,, anxiety,sliding fee ") == [
        "anxiety",
        "couple",
        "sliding fee",
    ]
    assert cleaned(a, "tags", "") == []
    assert len(cleaned(a, "tags", "x" * 80)[0]) == 50


def test_tags_are_shown_separated_by_commas(a):
    client = make_client(a.reception, "Tagged", tags=["a", "b"])
    edit = ClientForm(practice=a.practice, instance=client)
    assert 'value="a, b"' in str(edit["tags"])


def test_a_nul_character_in_text_is_refused(a):
    assert error(a, "notes", "fine\x00not")


def test_an_empty_first_contact_on_edit_keeps_the_stored_one(a):
    client = a.clients["João da Silva"]
    bound = ClientForm(
        {"full_name": client.full_name, "professionals": [a.other_professional.pk]},
        practice=a.practice,
        instance=client,
    )
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["first_contact_at"] == client.first_contact_at


def test_an_empty_first_contact_on_registration_means_now(a):
    bound = valid(a)
    assert bound.is_valid()
    assert bound.cleaned_data["first_contact_at"] is None  # the service then uses now


def test_the_form_does_not_touch_the_instance_before_the_service_checks(a):
    client = a.clients["João da Silva"]
    bound = ClientForm(
        {"full_name": "Changed", "professionals": [a.other_professional.pk]},
        practice=a.practice,
        instance=client,
    )
    assert bound.is_valid()
    assert client.full_name == "João da Silva"


# The change-code form.


@pytest.mark.parametrize("code", ["000123", "JS-1", "A/2024.7", "ŁÓDŹ_1"])
def test_a_code_may_hold_letters_digits_dots_dashes_and_slashes(code):
    bound = ChangeCodeForm({"code": f" {code} "})
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["code"] == code


@pytest.mark.parametrize("code", ["A B", "<b>", "a;b", "x\x00y", "#1"])
def test_a_code_with_other_characters_is_refused(code):
    bound = ChangeCodeForm({"code": code})
    assert not bound.is_valid()
    assert "code" in bound.errors


def test_a_foreign_address_is_checked_by_its_own_country_not_the_practices(a):
    # A Brazilian practice's client living in Poland: Polish postal code and PESEL are fine,
    # a CEP would not be.
    bound = valid(a, country="PL", postal_code="00-950", national_id="44051401359")
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["postal_code"] == "00-950"
    assert not valid(a, country="PL", postal_code="01310-100").is_valid()


def test_an_address_in_a_country_without_rules_takes_any_postal_code_and_id(a):
    bound = valid(a, country="FR", postal_code="75011", national_id="X1234567")
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["national_id"] == "X1234567"


def test_without_a_country_the_practices_rules_apply(a):
    assert "CPF" in " ".join(error(a, "national_id", "123.456.789-00"))
    assert cleaned(a, "national_id", "52998224725") == "529.982.247-25"
