"""Documents written from the practice's templates: the templates and their placeholders, a
certificate for a session, a document that keeps its text, its print view, PDF and sending."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import Event, EventKind
from clientbook.testing import logged_in
from documents import placeholders
from documents.apps import DOCUMENT_ATTACHMENT
from documents.models import Document, DocumentTemplate
from documents.services import create_document, save_template
from documents.tests.conftest import make_session
from documents.tests.routes import TEMPLATE, document_rows, make_document
from messaging import attachments
from messaging.models import Message

# Templates.


def test_an_owner_writes_a_template_and_previews_it(a):
    http = logged_in(a.owner)
    page = http.get(reverse("documents:templates")).content.decode()
    assert "{session_date}" in page  # the placeholders are listed
    body = "Declaro que {client_name} esteve em {practice_name} em {session_date}."
    response = http.post(
        reverse("documents:templates"),
        {"name": "Declaração", "kind": "declaration", "body": body, "preview": "1"},
    )
    assert response.status_code == 200
    # Filled with a made-up client and session, in the practice's language.
    expected = placeholders.fill(body, placeholders.example_values(a.practice))
    assert response.context["preview"] == expected
    assert "{" not in expected
    assert not DocumentTemplate.objects.exists()  # a preview saves nothing
    response = http.post(
        reverse("documents:templates"), {"name": "Declaração", "kind": "declaration", "body": body}
    )
    assert response.status_code == 302
    template = DocumentTemplate.objects.get()
    assert (template.practice, template.kind, template.body) == (a.practice, "declaration", body)
    assert Event.objects.filter(kind=EventKind.DOCUMENT_TEMPLATE_SAVED, client=None).exists()


@pytest.mark.parametrize("body", ["Olá {nome}", "Em {session_date} e {Client_Name}", "{ }"])
def test_an_unknown_placeholder_is_refused_naming_it(a, body):
    response = logged_in(a.admin).post(
        reverse("documents:templates"), {"name": "X", "kind": "other", "body": body}
    )
    assert response.status_code == 200
    message = response.context["form"].errors["body"][0]
    assert "Unknown placeholder" in message
    assert "{client_name}" in message  # and the ones that exist
    assert not DocumentTemplate.objects.exists()


def test_template_names_are_unique_in_the_practice(a, b, certificate):
    save_template(by=b.owner, name=certificate.name, body="x")  # another practice: fine
    with pytest.raises(ValidationError) as refused:
        save_template(by=a.admin, name=f"  {certificate.name} ", body="y")
    assert list(refused.value.error_dict) == ["name"]


def test_editing_and_deleting_a_template(a, certificate):
    http = logged_in(a.owner)
    url = reverse("documents:template_edit", args=[certificate.pk])
    page = http.get(url)
    assert page.context["preview"] == placeholders.fill(
        certificate.body, placeholders.example_values(a.practice)
    )
    response = http.post(url, {"name": "Atestado", "kind": "certificate", "body": "Novo texto"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.name, certificate.body) == ("Atestado", "Novo texto")
    http.post(reverse("documents:template_delete", args=[certificate.pk]))
    assert not DocumentTemplate.objects.exists()


@pytest.mark.parametrize("role", ["reception", "professional"])
def test_reception_and_professionals_get_403_for_templates_and_change_nothing(a, certificate, role):
    before = (document_rows(), Event.objects.count())
    http = logged_in(a.member(role))
    assert http.get(reverse("documents:templates")).status_code == 403
    assert http.post(reverse("documents:templates"), TEMPLATE).status_code == 403
    edit = reverse("documents:template_edit", args=[certificate.pk])
    assert http.get(edit).status_code == 403
    assert http.post(edit, TEMPLATE).status_code == 403
    delete = reverse("documents:template_delete", args=[certificate.pk])
    assert http.post(delete).status_code == 403
    assert (document_rows(), Event.objects.count()) == before


def test_another_practice_sees_only_its_own_templates_and_gets_404_for_others(a, b, certificate):
    before = (document_rows(), Event.objects.count())
    http = logged_in(b.owner)
    assert list(http.get(reverse("documents:templates")).context["templates"]) == []
    edit = reverse("documents:template_edit", args=[certificate.pk])
    assert http.get(edit).status_code == 404
    assert http.post(edit, TEMPLATE).status_code == 404
    assert http.post(reverse("documents:template_delete", args=[certificate.pk])).status_code == 404
    assert (document_rows(), Event.objects.count()) == before


# Documents.


def test_a_certificate_for_a_session_from_the_session_link(a, ana_client, certificate, session):
    http = logged_in(a.professional)
    url = reverse("documents:create", args=[ana_client.pk])
    # A session's page links here with its session; the practice's one template is chosen.
    page = http.get(url, {"session": session.pk})
    assert page.status_code == 200
    assert page.context["previewed"]
    text = page.context["form"].initial["body"]
    assert text.startswith(
        f"Declaro que Conceição Araújo (código {ana_client.code}) compareceu à sessão de "
    )
    assert "14:00–14:50 (50 minutos), com Ana Analyst." in text
    response = http.post(
        url, {"template": certificate.pk, "session": session.pk, "title": "", "body": text}
    )
    document = Document.objects.get()
    assert response["Location"] == reverse("documents:document", args=[document.pk])
    assert (document.client, document.session, document.kind) == (
        ana_client,
        session,
        "certificate",
    )
    assert (document.title, document.body, document.created_by) == (
        "Atestado de comparecimento",
        text,
        a.professional,
    )
    event = Event.objects.get(client=ana_client, kind=EventKind.CLIENT_DOCUMENT_CREATED)
    assert event.changes == {"generated_document": [None, "Atestado de comparecimento"]}


def test_the_text_can_be_changed_before_it_is_created(a, ana_client, certificate, session):
    url = reverse("documents:create", args=[ana_client.pk])
    logged_in(a.reception).post(
        url,
        {
            "template": certificate.pk,
            "session": session.pk,
            "title": "Atestado (via do cliente)",
            "body": "Texto revisto.",
        },
    )
    document = Document.objects.get()
    assert (document.title, document.body) == ("Atestado (via do cliente)", "Texto revisto.")


def test_a_template_with_session_placeholders_asks_for_a_session(a, ana_client, certificate):
    url = reverse("documents:create", args=[ana_client.pk])
    http = logged_in(a.reception)
    page = http.get(url, {"template": certificate.pk})
    assert "choose a session" in page.context["preview_error"]
    assert not page.context["previewed"]
    response = http.post(url, {"template": certificate.pk, "session": ""})
    assert "choose a session" in response.context["form"].errors["session"][0]
    assert not Document.objects.exists()


def test_only_the_clients_own_sessions_are_offered(a, ana_client, certificate, session):
    others = make_session(a.clients["João da Silva"], a.other_professional)
    url = reverse("documents:create", args=[ana_client.pk])
    http = logged_in(a.reception)
    assert list(http.get(url).context["form"].fields["session"].queryset) == [session]
    response = http.post(url, {"template": certificate.pk, "session": others.pk})
    assert "session" in response.context["form"].errors
    with pytest.raises(ValidationError) as refused:
        create_document(by=a.reception, client=ana_client, template=certificate, session=others)
    assert list(refused.value.error_dict) == ["session"]
    assert not Document.objects.exists()


def test_the_document_keeps_its_text_when_the_template_changes_or_goes(
    a, ana_client, certificate, session
):
    document = create_document(
        by=a.reception, client=ana_client, template=certificate, session=session
    )
    written = document.body
    assert "{" not in written
    save_template(by=a.owner, template=certificate, name="Outro", body="Outro {client_code}")
    document.refresh_from_db()
    assert (document.title, document.body) == ("Atestado de comparecimento", written)
    certificate.delete()
    document.refresh_from_db()
    assert (document.template, document.body) == (None, written)
    page = logged_in(a.reception).get(reverse("documents:document", args=[document.pk]))
    assert "Conceição Araújo" in page.content.decode()


def test_its_page_print_view_and_pdf(a, ana_client, certificate, session):
    document = create_document(
        by=a.reception, client=ana_client, template=certificate, session=session
    )
    http = logged_in(a.owner)
    page = http.get(reverse("documents:document", args=[document.pk])).content.decode()
    for name in ("pdf", "print", "send", "remove"):
        assert reverse(f"documents:{name}", args=[document.pk]) in page
    printed = http.get(reverse("documents:print", args=[document.pk]))
    assert printed.status_code == 200
    assert "documents/print.css" in printed.content.decode()
    assert "Conceição Araújo" in printed.content.decode()
    response = http.get(reverse("documents:pdf", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert document.pdf_name.startswith("Atestado de comparecimento 20")


def test_a_document_is_sent_as_pdf_as_the_card_routes_documents(
    a, ana_client, certificate, session
):
    type(ana_client).objects.filter(pk=ana_client.pk).update(
        guardian_name="Mãe", guardian_email="mae@example.com", documents_to_guardian_email=True
    )
    document = create_document(
        by=a.reception, client=ana_client, template=certificate, session=session
    )
    http = logged_in(a.reception)
    url = reverse("documents:send", args=[document.pk])
    form = http.get(url).context["form"]
    assert (form.initial["channel"], form.initial["recipient"]) == ("email", "guardian")
    response = http.post(
        url, {"channel": "email", "recipient": "guardian", "subject": "Atestado", "body": "Segue."}
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.recipient, message.attachment) == (
        "mae@example.com",
        f"{DOCUMENT_ATTACHMENT}:{document.pk}",
    )
    assert message.attachment_name == document.pdf_name
    made = attachments.render(message.attachment, a.practice)
    assert (made.content_type, made.filename) == ("application/pdf", document.pdf_name)
    assert made.content.startswith(b"%PDF-")


def test_another_practices_document_cannot_be_made_into_a_file(a, b, ana_client):
    document = make_document(ana_client)
    with pytest.raises(attachments.AttachmentMissing):
        attachments.render(f"{DOCUMENT_ATTACHMENT}:{document.pk}", b.practice)


def test_removing_a_document(a, ana_client):
    document = make_document(ana_client)
    http = logged_in(a.reception)
    url = reverse("documents:remove", args=[document.pk])
    assert "Remove this document?" in http.get(url).content.decode()
    assert http.post(url).status_code == 302
    assert not Document.objects.exists()
    event = Event.objects.get(kind=EventKind.CLIENT_DOCUMENT_REMOVED)
    assert event.changes == {"generated_document": ["Atestado", None]}


# Tenancy and roles.

DOCUMENT_PAGES = ["document", "print", "pdf", "send", "remove"]


def test_another_practice_gets_404_for_every_clients_documents_and_changes_nothing(
    a, b, certificate
):
    made = [make_document(client) for client in a.clients.values()]
    before = (document_rows(), Event.objects.count(), Message.objects.count())
    http = logged_in(b.owner)
    for client in a.clients.values():
        url = reverse("documents:create", args=[client.pk])
        assert http.get(url).status_code == 404
        assert http.post(url, {"template": certificate.pk}).status_code == 404
    for document in made:
        for name in DOCUMENT_PAGES:
            url = reverse(f"documents:{name}", args=[document.pk])
            assert http.get(url).status_code == 404
            assert http.post(url, {"channel": "email", "body": "x"}).status_code in (404, 405)
    assert (document_rows(), Event.objects.count(), Message.objects.count()) == before


def test_a_professional_gets_404_for_a_colleagues_clients_documents(a, certificate):
    colleagues = a.clients["João da Silva"]
    document = make_document(colleagues)
    before = (document_rows(), Event.objects.count())
    http = logged_in(a.professional)
    url = reverse("documents:create", args=[colleagues.pk])
    assert http.post(url, {"template": certificate.pk}).status_code == 404
    for name in DOCUMENT_PAGES:
        assert http.get(reverse(f"documents:{name}", args=[document.pk])).status_code == 404
    assert http.post(reverse("documents:remove", args=[document.pk])).status_code == 404
    assert (document_rows(), Event.objects.count()) == before


def test_a_role_without_the_right_to_change_reads_but_gets_403_for_writing(
    a, ana_client, certificate, monkeypatch
):
    from practices import roles
    from practices.models import Role

    monkeypatch.setitem(
        roles._ROLE_PERMISSIONS, Role.RECEPTION, frozenset({roles.VIEW_ALL_CLIENTS})
    )
    document = make_document(ana_client)
    before = (document_rows(), Event.objects.count())
    http = logged_in(a.reception)
    assert http.get(reverse("documents:document", args=[document.pk])).status_code == 200
    assert http.get(reverse("documents:pdf", args=[document.pk])).status_code == 200
    url = reverse("documents:create", args=[ana_client.pk])
    assert http.post(url, {"template": certificate.pk}).status_code == 403
    for name in ("send", "remove"):
        assert http.post(reverse(f"documents:{name}", args=[document.pk])).status_code == 403
    assert (document_rows(), Event.objects.count()) == before
