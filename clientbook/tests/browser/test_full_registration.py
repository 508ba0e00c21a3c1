"""Full registration: every section of the card, a minor with a guardian, and one without."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clientbook.tests.browser.helpers import CARD_URL, card_section
from clients.models import Client

NO_GUARDIAN_WARNING = "This client is a minor and has no guardian on the card."


def ten_years_ago() -> datetime.date:
    today = timezone.localdate()
    return datetime.date(today.year - 10, today.month, 1)


@pytest.mark.browser
def test_it_registers_a_minor_with_every_section_and_a_guardian(log_in, page: Page, a):
    birth_date = ten_years_ago()
    log_in(a.reception)
    page.get_by_role("link", name="Register client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register client")

    personal = page.get_by_role("group", name="Personal information")
    personal.get_by_label("Full name").fill("Pedro Henrique Souza")
    personal.get_by_label("Preferred / social name").fill("Pedrinho")
    personal.get_by_role("group", name="Responsible professionals").get_by_label(
        "Ana Analyst"
    ).check()
    personal.get_by_label("Birth date").fill(birth_date.isoformat())
    personal.get_by_label("CPF", exact=True).fill("52998224725")
    personal.get_by_label("E-mail", exact=True).fill("pedro.souza@example.com")
    personal.get_by_label("Phone", exact=True).fill("(11) 91234-5678")
    personal.get_by_label("Notes").fill("Comes after school, on Tuesdays.")

    financial = page.get_by_role("group", name="Financial information")
    financial.get_by_label("Billing name").fill("Maria Souza")
    financial.get_by_label("CPF / CNPJ for invoices").fill("123.456.789-09")
    financial.get_by_label("Default fee").fill("180.00")
    financial.get_by_label("Payment method").select_option(label="Pix")

    address = page.get_by_role("group", name="Address")
    address.get_by_label("Street and number").fill("Rua dos Pinheiros, 1234")
    address.get_by_label("Complement / district").fill("Apto 52 – Pinheiros")
    address.get_by_label("CEP").fill("05422-001")
    address.get_by_label("City").fill("São Paulo")
    address.get_by_label("State").select_option(label="São Paulo")
    expect(address.get_by_label("Country")).to_have_value("BR")

    additional = page.get_by_role("group", name="Additional data")
    additional.get_by_label("Referral source").fill("School counsellor")
    additional.get_by_label("Tags").fill("child, anxiety, sliding fee")

    guardian = page.get_by_role("group", name="Guardian")
    guardian.get_by_label("Guardian's name", exact=True).fill("Maria Souza")
    guardian.get_by_label("Relation").fill("Mother")
    guardian.get_by_label("Guardian's e-mail", exact=True).fill("maria.souza@example.com")
    guardian.get_by_label("Guardian's phone", exact=True).fill("(11) 99876-5432")
    guardian.get_by_label("Send billing to the guardian's e-mail").check()

    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(CARD_URL))

    client = Client.objects.get(practice=a.practice, full_name="Pedro Henrique Souza")
    assert client.birth_date == birth_date
    assert client.is_minor
    assert not client.needs_guardian
    assert client.national_id == "529.982.247-25"
    assert client.email == "pedro.souza@example.com"
    assert client.phone.as_e164 == "+5511912345678"
    assert client.billing_tax_id == "123.456.789-09"
    assert client.default_fee == Decimal("180.00")
    assert client.payment_method == "pix"
    assert client.postal_code == "05422-001"
    assert (client.city, client.region, client.country) == ("São Paulo", "SP", "BR")
    assert client.tags == ["child", "anxiety", "sliding fee"]
    assert client.guardian_name == "Maria Souza"
    assert client.guardian_relation == "Mother"
    assert client.guardian_email == "maria.souza@example.com"
    assert client.guardian_phone.as_e164 == "+5511998765432"
    assert client.billing_to_guardian_email
    assert not client.documents_to_guardian_email
    assert [p.name for p in client.professionals.all()] == ["Ana Analyst"]

    expect(page.get_by_role("heading", level=1)).to_have_text("Pedro Henrique Souza (Pedrinho)")
    expect(page.locator("#client-code")).to_have_text(client.code)
    expect(page.get_by_text("10 years old")).to_be_visible()
    expect(page.get_by_text(NO_GUARDIAN_WARNING)).to_have_count(0)
    assert card_section(page, "guardian") == {
        "Guardian's name": "Maria Souza",
        "Relation": "Mother",
        "Guardian's e-mail": "maria.souza@example.com",
        "Guardian's phone": "(11) 99876-5432",
        "Send billing to the guardian's e-mail": "Yes",
    }
    address_shown = card_section(page, "address")
    assert address_shown["CEP"] == "05422-001"
    assert address_shown["State"] == "São Paulo"
    assert address_shown["City"] == "São Paulo"
    assert address_shown["Country"] == "Brazil"
    assert card_section(page, "financial")["Payment method"] == "Pix"
    assert card_section(page, "additional")["Tags"] == "child, anxiety, sliding fee"
    assert card_section(page, "personal")["CPF"] == "529.982.247-25"


@pytest.mark.browser
def test_a_minor_without_a_guardian_is_registered_with_a_warning(log_in, page: Page, a):
    log_in(a.reception)
    page.get_by_role("link", name="Register client").click()
    page.get_by_label("Full name").fill("Lucas Ferreira")
    page.get_by_role("group", name="Responsible professionals").get_by_label("Bruno Brito").check()
    page.get_by_label("Birth date").fill(ten_years_ago().isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(CARD_URL))

    client = Client.objects.get(practice=a.practice, full_name="Lucas Ferreira")
    assert client.needs_guardian
    expect(page.get_by_role("heading", level=1)).to_have_text("Lucas Ferreira")
    expect(page.get_by_role("alert")).to_have_text(NO_GUARDIAN_WARNING)
    # Said once, on the card itself (not again as a flash message).
    expect(page.get_by_role("status")).not_to_contain_text("minor")
    expect(page.locator("section.section-guardian")).to_contain_text("Nothing filled in.")
