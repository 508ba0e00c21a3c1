"""Where a message goes: the client or the guardian, as the card says, and why not."""

import pytest

from clientbook.testing import make_client, years_ago
from clients.models import Status
from clients.services import change_status
from messaging import routing
from messaging.models import Channel, RecipientKind

CLIENT, GUARDIAN = RecipientKind.CLIENT, RecipientKind.GUARDIAN


def test_an_adult_gets_messages_at_their_own_addresses(practice, ana_client):
    assert routing.default_recipient(ana_client, Channel.SMS) == CLIENT
    assert routing.address(ana_client, Channel.SMS, CLIENT) == "+5511987654321"
    assert routing.address(ana_client, Channel.EMAIL, CLIENT) == "conceicao@example.com"


def test_whatsapp_falls_back_to_the_phone_number(practice, ana_client):
    assert routing.address(ana_client, Channel.WHATSAPP, CLIENT) == "+5511987654321"


def test_whatsapp_uses_the_whatsapp_number_when_the_card_has_one(a, practice):
    client = make_client(a.reception, "Wanda", phone="+5511911110000", whatsapp="+5511922220000")
    assert routing.address(client, Channel.WHATSAPP, CLIENT) == "+5511922220000"


@pytest.mark.parametrize(
    ("channel", "address"),
    [
        (Channel.SMS, "+5511933334444"),
        (Channel.EMAIL, "marta@example.com"),
        (Channel.WHATSAPP, "+5511955556666"),
    ],
)
def test_a_minor_with_a_guardians_contact_gets_messages_at_the_guardians(
    practice, minor, channel, address
):
    assert routing.default_recipient(minor, channel) == GUARDIAN
    assert routing.route(practice, minor, channel, GUARDIAN).address == address
    # The client's own phone can still be chosen.
    assert routing.route(practice, minor, Channel.SMS, CLIENT).address == "+5511911112222"


def test_a_minor_whose_guardian_has_no_address_on_the_channel_gets_it_themself(a, practice):
    client = make_client(
        a.reception, "Teo", birth_date=years_ago(12), phone="+5511977778888",
        guardian_name="Rui", guardian_email="rui@example.com",
    )  # fmt: skip
    assert routing.default_recipient(client, Channel.SMS) == CLIENT
    assert routing.default_recipient(client, Channel.EMAIL) == GUARDIAN


def test_an_adult_whose_documents_go_to_the_guardian_gets_e_mail_there(a, practice):
    client = make_client(
        a.reception, "Adulto", email="own@example.com", phone="+5511977778888",
        guardian_name="Rui", guardian_email="rui@example.com", guardian_phone="+5511966667777",
        documents_to_guardian_email=True,
    )  # fmt: skip
    assert routing.default_recipient(client, Channel.EMAIL) == GUARDIAN
    assert routing.default_recipient(client, Channel.SMS) == CLIENT


def test_only_the_guardian_reachable_means_the_guardian(a, practice):
    client = make_client(a.reception, "Sem Telefone", guardian_phone="+5511966667777")
    assert routing.default_recipient(client, Channel.SMS) == GUARDIAN


def test_sms_needs_the_module_on(a, ana_client):
    assert not a.practice.sms_enabled
    to = routing.route(a.practice, ana_client, Channel.SMS, CLIENT)
    assert to.address == "+5511987654321"
    assert "SMS module is off" in to.problem


def test_a_client_without_an_address_is_told_so(a, practice):
    joao = a.clients["João da Silva"]
    assert routing.route(practice, joao, Channel.SMS, CLIENT).problem == "No phone number."
    assert routing.route(practice, joao, Channel.EMAIL, CLIENT).problem == "No e-mail address."
    assert routing.route(practice, joao, Channel.SMS, GUARDIAN).problem == (
        "The guardian has no phone number."
    )
    options = {o.channel: o for o in routing.options(practice, joao)}
    assert not options[Channel.SMS].usable
    assert options[Channel.SMS].problem == "No phone number."


def test_an_inactive_client_gets_nothing(a, practice, ana_client):
    change_status([ana_client], by=a.owner, status=Status.INACTIVE)
    ana_client.refresh_from_db()
    for option in routing.options(practice, ana_client):
        assert not option.usable
        assert option.problem == "Only active clients get messages (this client: Inactive)."


# Billing papers (invoices, receipts) follow the card's billing flags; everything else the
# documents flags.


@pytest.fixture
def adult_with_guardian(a, practice):
    """An adult with their own addresses and a guardian's on every channel, no flags set."""

    def make(**flags):
        return make_client(
            a.reception, "Adulta", email="own@example.com", phone="+5511977778888",
            guardian_name="Rui", guardian_email="rui@example.com",
            guardian_phone="+5511966667777", guardian_whatsapp="+5511955554444", **flags,
        )  # fmt: skip

    return make


def test_billing_papers_go_where_the_cards_billing_flags_say(adult_with_guardian):
    client = adult_with_guardian(billing_to_guardian_email=True)
    assert routing.default_recipient(client, Channel.EMAIL, purpose="billing") == GUARDIAN
    assert routing.default_recipient(client, Channel.WHATSAPP, purpose="billing") == CLIENT
    # The documents flags are off: messages and documents still go to the client.
    assert routing.default_recipient(client, Channel.EMAIL) == CLIENT
    assert routing.default_recipient(client, Channel.EMAIL, purpose="documents") == CLIENT


def test_billing_papers_ignore_the_documents_flags_and_the_other_way_round(adult_with_guardian):
    client = adult_with_guardian(
        documents_to_guardian_email=True, billing_to_guardian_whatsapp=True
    )
    assert routing.default_recipient(client, Channel.EMAIL, purpose="billing") == CLIENT
    assert routing.default_recipient(client, Channel.WHATSAPP, purpose="billing") == GUARDIAN
    assert routing.default_recipient(client, Channel.EMAIL, purpose="documents") == GUARDIAN
    assert routing.default_recipient(client, Channel.WHATSAPP, purpose="documents") == CLIENT


def test_no_flag_routes_an_sms(adult_with_guardian):
    client = adult_with_guardian(
        billing_to_guardian_email=True, billing_to_guardian_whatsapp=True,
        documents_to_guardian_email=True, documents_to_guardian_whatsapp=True,
    )  # fmt: skip
    for purpose in routing.PURPOSES:
        assert routing.default_recipient(client, Channel.SMS, purpose=purpose) == CLIENT


def test_a_minors_billing_papers_go_to_the_guardian(practice, minor):
    for channel in (Channel.EMAIL, Channel.WHATSAPP):
        assert routing.default_recipient(minor, channel, purpose="billing") == GUARDIAN


def test_a_billing_flag_without_the_guardians_address_keeps_the_client(a, practice):
    client = make_client(
        a.reception, "Sem Email", email="own@example.com", guardian_name="Rui",
        guardian_phone="+5511966667777", billing_to_guardian_email=True,
    )  # fmt: skip
    assert routing.default_recipient(client, Channel.EMAIL, purpose="billing") == CLIENT


def test_the_channel_options_follow_the_purpose(practice, adult_with_guardian):
    client = adult_with_guardian(billing_to_guardian_email=True)
    billing = {o.channel: o for o in routing.options(practice, client, purpose="billing")}
    documents = {o.channel: o for o in routing.options(practice, client)}
    assert billing[Channel.EMAIL].default.address == "rui@example.com"
    assert documents[Channel.EMAIL].default.address == "own@example.com"


def test_an_unknown_purpose_is_a_mistake(ana_client):
    with pytest.raises(ValueError, match="purpose"):
        routing.default_recipient(ana_client, Channel.EMAIL, purpose="marketing")  # type: ignore[arg-type]
