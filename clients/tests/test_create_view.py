"""Registering a client through the page: quick and full, validation, waitlist, codes."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client as HttpClient
from django.urls import reverse

from audit.models import Event, EventKind
from clientbook.testing import logged_in, make_user, years_ago
from clients.models import Client, StatusCount
from practices import roles
from practices.models import Role

CREATE = reverse("clients:create")
VALID_CPF = "529.982.247-25"
VALID_PESEL = "44051401359"


def errors(response) -> dict[str, list[str]]:
    """The messages shown under each field of the form, by field name."""
    found: dict[str, list[str]] = {}
    for name, message in re.findall(
        r'<p class="error" id="id_(\w+)_error">(.*?)</p>', response.content.decode()
    ):
        found.setdefault(name, []).append(html.unescape(message))
    return found


def snapshot() -> tuple[int, int, list]:
    """What registering writes: clients, events and the tab counts."""
    counts = StatusCount.objects.values_list("practice_id", "status", "count")
    return Client.objects.count(), Event.objects.count(), sorted(counts)


def registered(response) -> Client:
    assert response.status_code == 302, errors(response)
    pk = int(re.fullmatch(r"/clients/(\d+)/", response["Location"])[1])
    return Client.objects.get(pk=pk)


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


# Tenancy.


@pytest.mark.parametrize("role", ["owner", "admin", "reception", "professional"])
def test_every_role_registers_a_client(a, role):
    http = logged_in(a.member(role))
    assert http.get(CREATE).status_code == 200
    client = registered(
        http.post(CREATE, {"full_name": "New Client", "professionals": [a.other_professional.pk]})
    )
    assert client.practice == a.practice
    assert client.full_name == "New Client"


@pytest.fixture
def reception_may_not_add(a, monkeypatch):
    """A role without the right to register (no role lacks it today; the view must still check)."""
    monkeypatch.setitem(
        roles._ROLE_PERMISSIONS, Role.RECEPTION, frozenset({roles.VIEW_ALL_CLIENTS})
    )


@pytest.mark.usefixtures("reception_may_not_add")
def test_a_role_without_the_right_to_register_gets_403_and_writes_nothing(a):
    http = logged_in(a.reception)
    before = snapshot()
    assert http.get(CREATE).status_code == 403
    response = http.post(CREATE, {"full_name": "New", "professionals": [a.other_professional.pk]})
    assert response.status_code == 403
    assert snapshot() == before


def test_a_user_with_no_practice_gets_the_no_practice_page(a):
    http = HttpClient()
    http.force_login(make_user("nobody@example.test"))
    before = snapshot()
    response = http.post(CREATE, {"full_name": "New", "professionals": [a.other_professional.pk]})
    assert response.status_code == 403
    assert "practices/no_practice.html" in [t.name for t in response.templates]
    assert snapshot() == before


def test_the_form_offers_only_the_practices_own_professionals(a, b):
    form = logged_in(b.owner).get(CREATE).context["form"]
    offered = set(form.fields["professionals"].queryset)
    assert offered == {b.other_professional}


@pytest.mark.usefixtures("english")
def test_another_practices_professional_is_refused_and_nothing_is_written(a, b):
    before = snapshot()
    response = logged_in(b.owner).post(
        CREATE, {"full_name": "Intruder", "professionals": [a.other_professional.pk]}
    )
    assert response.status_code == 200
    assert "professionals" in errors(response)
    assert errors(response)["professionals"][0].startswith("Unknown professional")
    assert snapshot() == before


# Quick and full registration.


def test_quick_registration_asks_only_the_personal_fields(a):
    form = logged_in(a.reception).get(CREATE, {"quick": "1"}).context["form"]
    assert {"full_name", "professionals", "status"} <= set(form.fields)
    assert not {"guardian_name", "street", "billing_name", "tags"} & set(form.fields)
    required = {name for name, field in form.fields.items() if field.required}
    assert required == {"full_name", "professionals"}


def test_quick_registration_needs_only_a_full_name_and_a_professional(a):
    before = Event.objects.filter(kind=EventKind.CLIENT_CREATED).count()
    client = registered(
        logged_in(a.reception).post(
            CREATE,
            {
                "quick": "1",
                "full_name": "  Maria Quick  ",
                "professionals": [a.other_professional.pk],
            },
        )
    )
    assert client.full_name == "Maria Quick"
    assert client.status == "active"
    assert list(client.professionals.all()) == [a.other_professional]
    assert Event.objects.filter(kind=EventKind.CLIENT_CREATED).count() == before + 1


@pytest.mark.usefixtures("english")
def test_registering_says_so_with_the_code(a):
    response = logged_in(a.reception).post(
        CREATE, {"full_name": "Maria Quick", "professionals": [a.other_professional.pk]}
    )
    client = registered(response)
    assert ("success", f"Maria Quick registered with code {client.code}.") in messages_of(response)


def test_a_full_card_with_a_guardian_is_stored_as_typed(a):
    ana = a.professional.professional
    data = {
        "full_name": "Pedro Menor",
        "preferred_name": "Pedrinho",
        "professionals": [ana.pk, a.other_professional.pk],
        "birth_date": "2015-03-09",
        "national_id": "52998224725",
        "email": "pedro@example.com",
        "phone": "(21) 99876-5432",
        "whatsapp": "21 99876 5432",
        "notes": "Prefers mornings.",
        "billing_name": "Paula Mãe",
        "billing_tax_id": "111.444.777-35",
        "default_fee": "180.50",
        "payment_method": "pix",
        "receives_invoices": "on",
        "street": "Rua das Flores, 10",
        "street2": "Apto 3",
        "postal_code": "20040-020",
        "city": "Rio de Janeiro",
        "region": "RJ",
        "country": "BR",
        "referral_source": "School",
        "insurance": "Unimed",
        "insurance_number": "123",
        "emergency_contact_name": "Avó",
        "emergency_contact_phone": "(21) 3333-4444",
        "tags": "child, anxiety, child",
        "guardian_name": "Paula Mãe",
        "guardian_relation": "Mother",
        "guardian_national_id": "11144477735",
        "guardian_email": "paula@example.com",
        "guardian_phone": "+55 21 98888-7777",
        "guardian_whatsapp": "(21) 98888-7777",
        "billing_to_guardian_email": "on",
        "documents_to_guardian_whatsapp": "on",
        "first_contact_at": "2024-02-01T09:30",
        "status": "active",
    }
    client = registered(logged_in(a.reception).post(CREATE, data))
    assert client.preferred_name == "Pedrinho"
    assert set(client.professionals.all()) == {ana, a.other_professional}
    assert client.birth_date == datetime.date(2015, 3, 9)
    assert client.national_id == VALID_CPF
    assert client.phone.as_e164 == "+5521998765432"
    assert client.whatsapp.as_e164 == "+5521998765432"
    assert client.emergency_contact_phone.as_e164 == "+552133334444"
    assert client.billing_tax_id == "111.444.777-35"
    assert client.default_fee == Decimal("180.50")
    assert client.payment_method == "pix"
    assert client.receives_invoices is True
    assert (client.postal_code, client.city, client.region) == ("20040-020", "Rio de Janeiro", "RJ")
    assert client.tags == ["child", "anxiety"]
    assert client.guardian_name == "Paula Mãe"
    assert client.guardian_national_id == "111.444.777-35"
    assert client.guardian_phone.as_e164 == "+5521988887777"
    assert client.billing_to_guardian_email is True
    assert client.billing_to_guardian_whatsapp is False
    assert client.documents_to_guardian_whatsapp is True
    # Typed in the practice's time zone (São Paulo, UTC-3).
    assert client.first_contact_at == datetime.datetime(2024, 2, 1, 12, 30, tzinfo=datetime.UTC)
    assert not client.needs_guardian


def test_a_polish_card_is_stored_with_polish_rules(b):
    client = registered(
        logged_in(b.owner).post(
            CREATE,
            {
                "full_name": "Anna Kowalska",
                "professionals": [b.other_professional.pk],
                "national_id": VALID_PESEL,
                "postal_code": "00-950",
                "region": "masovia",
                "phone": "601 234 567",
                "billing_tax_id": "526-000-12-46",
            },
        )
    )
    assert client.national_id == VALID_PESEL
    assert client.postal_code == "00-950"
    assert client.phone.as_e164 == "+48601234567"
    assert client.billing_tax_id == "5260001246"


@pytest.mark.parametrize(
    "typed",
    ["(11) 98765-4321", "11 98765 4321", "11987654321", "+55 11 98765-4321", "+55 (11) 98765.4321"],
)
def test_a_phone_in_any_usual_format_is_stored_as_e164(a, typed):
    client = registered(
        logged_in(a.reception).post(
            CREATE,
            {
                "full_name": "Phone Person",
                "professionals": [a.other_professional.pk],
                "phone": typed,
            },
        )
    )
    assert client.phone.as_e164 == "+5511987654321"


# Validation: a message on the field, and nothing written.

INVALID_IN_BRAZIL = [
    ({"full_name": ""}, "full_name", "This field is required."),
    ({"full_name": "   "}, "full_name", "This field is required."),
    ({"professionals": []}, "professionals", "Choose at least one responsible professional."),
    (
        {"national_id": "123.456.789-00"},
        "national_id",
        "Enter a valid CPF (11 digits, e.g. 123.456.789-09).",
    ),
    (
        {"national_id": "1234"},
        "national_id",
        "Enter a valid CPF (11 digits, e.g. 123.456.789-09).",
    ),
    (
        {"birth_date": (datetime.date.today() + datetime.timedelta(days=1)).isoformat()},
        "birth_date",
        "The birth date cannot be in the future.",
    ),
    ({"phone": "12345"}, "phone", None),
    ({"guardian_phone": "not a phone"}, "guardian_phone", None),
    ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ({"postal_code": "123"}, "postal_code", None),
]


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(("change", "field", "message"), INVALID_IN_BRAZIL)
def test_invalid_input_gets_a_message_on_its_field_and_writes_nothing(a, change, field, message):
    data = {"full_name": "Valid Name", "professionals": [a.other_professional.pk], **change}
    before = snapshot()
    response = logged_in(a.reception).post(CREATE, data)
    assert response.status_code == 200
    assert set(errors(response)) == {field}
    if message is not None:
        assert errors(response)[field] == [message]
    assert "Please correct the fields marked below." in response.content.decode()
    assert snapshot() == before


INVALID_IN_POLAND = [
    ({"national_id": "4405140135"}, "national_id", "Enter a valid PESEL (11 digits)."),
    ({"national_id": "44051401358"}, "national_id", None),  # wrong checksum
    ({"postal_code": "00950"}, "postal_code", "Enter a postal code in the format XX-XXX."),
    ({"billing_tax_id": "123"}, "billing_tax_id", "Enter a valid NIP (10 digits) or PESEL."),
]


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(("change", "field", "message"), INVALID_IN_POLAND)
def test_invalid_polish_identifiers_get_a_message_on_their_field(b, change, field, message):
    data = {"full_name": "Anna Kowalska", "professionals": [b.other_professional.pk], **change}
    before = snapshot()
    response = logged_in(b.owner).post(CREATE, data)
    assert response.status_code == 200
    assert set(errors(response)) == {field}
    if message is not None:
        assert errors(response)[field] == [message]
    assert snapshot() == before


def test_a_negative_fee_is_refused(a):
    before = snapshot()
    response = logged_in(a.reception).post(
        CREATE, {"full_name": "X", "professionals": [a.other_professional.pk], "default_fee": "-5"}
    )
    assert set(errors(response)) == {"default_fee"}
    assert snapshot() == before


def test_a_nul_character_in_the_tags_is_refused(a):
    before = snapshot()
    response = logged_in(a.reception).post(
        CREATE, {"full_name": "X", "professionals": [a.other_professional.pk], "tags": "ok, b\x00d"}
    )
    assert set(errors(response)) == {"tags"}
    assert snapshot() == before


def test_a_nul_character_in_a_text_field_is_refused(a):
    before = snapshot()
    response = logged_in(a.reception).post(
        CREATE, {"full_name": "X", "professionals": [a.other_professional.pk], "city": "b\x00d"}
    )
    assert set(errors(response)) == {"city"}
    assert snapshot() == before


def test_a_status_other_than_active_or_waitlist_is_refused(a):
    before = snapshot()
    response = logged_in(a.reception).post(
        CREATE,
        {"full_name": "X", "professionals": [a.other_professional.pk], "status": "forgotten"},
    )
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert snapshot() == before


def test_a_refused_status_is_explained_on_its_field(a):
    response = logged_in(a.reception).post(
        CREATE,
        {"full_name": "X", "professionals": [a.other_professional.pk], "status": "forgotten"},
    )
    assert "status" in errors(response)


def test_the_errors_are_shown_in_the_users_language(a):
    # Practice A works in Brazilian Portuguese.
    response = logged_in(a.reception).post(CREATE, {"full_name": "", "professionals": []})
    assert errors(response)["full_name"] == ["Este campo é obrigatório."]


@pytest.mark.usefixtures("english")
def test_every_invalid_field_is_reported_at_once(a):
    response = logged_in(a.reception).post(
        CREATE,
        {"full_name": "", "professionals": [], "national_id": "1", "phone": "1", "email": "x"},
    )
    assert set(errors(response)) == {"full_name", "professionals", "national_id", "phone", "email"}


@pytest.mark.usefixtures("english")
def test_an_invalid_phone_message_gives_a_real_example(a):
    response = logged_in(a.reception).post(
        CREATE, {"full_name": "X", "professionals": [a.other_professional.pk], "phone": "123"}
    )
    (message,) = errors(response)["phone"]
    assert "%(" not in message
    assert re.search(r"\d", message)


def test_an_invalid_form_keeps_what_was_typed(a):
    response = logged_in(a.reception).post(
        CREATE, {"full_name": "Keep Me", "professionals": [], "city": "Santos"}
    )
    page = response.content.decode()
    assert 'value="Keep Me"' in page
    assert 'value="Santos"' in page


# Minors, the waitlist, codes, professionals.


def test_a_minor_without_a_guardian_is_registered_with_a_warning(a):
    response = logged_in(a.reception).post(
        CREATE,
        {
            "full_name": "Young One",
            "professionals": [a.other_professional.pk],
            "birth_date": years_ago(10).isoformat(),
        },
        follow=True,
    )
    # Not blocked: registered, and the card it lands on warns.
    client = response.context["client"]
    assert client.needs_guardian
    assert 'class="msg msg-warning"' in response.content.decode()


def test_a_minor_with_a_guardian_gets_no_warning(a):
    response = logged_in(a.reception).post(
        CREATE,
        {
            "full_name": "Young One",
            "professionals": [a.other_professional.pk],
            "birth_date": years_ago(10).isoformat(),
            "guardian_name": "Parent",
        },
        follow=True,
    )
    assert response.context["client"].guardian_name == "Parent"
    assert 'class="msg msg-warning"' not in response.content.decode()
    assert "warning" not in [m.level_tag for m in get_messages(response.wsgi_request)]


def test_a_client_can_be_registered_straight_onto_the_waitlist(a):
    waiting_before = StatusCount.objects.get(practice=a.practice, status="active").count
    client = registered(
        logged_in(a.reception).post(
            CREATE,
            {
                "quick": "1",
                "full_name": "Waiting Person",
                "professionals": [a.other_professional.pk],
                "status": "waitlist",
            },
        )
    )
    assert client.status == "waitlist"
    assert StatusCount.objects.get(practice=a.practice, status="waitlist").count == 1
    assert StatusCount.objects.get(practice=a.practice, status="active").count == waiting_before
    event = Event.objects.get(client=client, kind=EventKind.CLIENT_CREATED)
    assert event.data["status"] == "waitlist"


def test_a_code_is_assigned_automatically_and_never_twice(a):
    http = logged_in(a.reception)
    codes = [
        registered(
            http.post(
                CREATE, {"full_name": f"Person {i}", "professionals": [a.other_professional.pk]}
            )
        ).code
        for i in range(3)
    ]
    existing = set(Client.objects.filter(practice=a.practice).values_list("code", flat=True))
    assert len(existing) == Client.objects.filter(practice=a.practice).count()
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    assert [int(c) for c in codes] == [int(codes[0]), int(codes[0]) + 1, int(codes[0]) + 2]


def test_a_typed_code_is_ignored(a):
    client = registered(
        logged_in(a.reception).post(
            CREATE,
            {"full_name": "Sneaky", "professionals": [a.other_professional.pk], "code": "000001"},
        )
    )
    assert client.code != "000001"


def test_the_form_ticks_a_professionals_own_name(a):
    form = logged_in(a.professional).get(CREATE).context["form"]
    assert form.initial["professionals"] == [a.professional.professional]


def test_a_professional_registering_is_added_to_their_own_client(a):
    ana = a.professional.professional
    http = logged_in(a.professional)
    client = registered(
        http.post(CREATE, {"full_name": "Shared", "professionals": [a.other_professional.pk]})
    )
    assert set(client.professionals.all()) == {ana, a.other_professional}
    assert http.get(reverse("clients:card", args=[client.pk])).status_code == 200


def test_the_creation_event_names_the_actor_and_the_professionals(a):
    client = registered(
        logged_in(a.reception).post(
            CREATE, {"full_name": "Logged", "professionals": [a.other_professional.pk]}
        )
    )
    event = Event.objects.get(client=client)
    assert event.actor == a.reception
    assert event.changes["full_name"] == [None, "Logged"]
    assert event.changes["professionals"] == [None, ["Bruno Brito"]]
    assert event.data["code"] == client.code


def test_only_get_and_post_are_allowed(a):
    http = logged_in(a.reception)
    assert http.put(CREATE).status_code == 405
    assert http.delete(CREATE).status_code == 405
