"""Documents' URLs for the route inventory (clientbook/tests/test_routes.py): how to build each
for practice A's data, what practice B's owner must (not) see on the URLs without an id of A's,
and the rows that must not change."""

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client as HttpClient
from django.urls import reverse

from clientbook.testing import PracticeWorld
from documents.models import Attachment, Document, DocumentTemplate
from documents.samples import sample_pdf
from documents.services import new_storage_name

Requests = Callable[[PracticeWorld], list[tuple[str, dict]]]

TEMPLATE = {"name": "Taken over", "kind": "other", "body": "Hello {client_name}"}
DOCUMENT = {"title": "Taken over", "body": "Taken over"}


def document_rows() -> tuple:
    return (
        list(
            Attachment.objects.order_by("pk").values_list(
                "pk", "practice_id", "client_id", "title", "storage_name"
            )
        ),
        list(
            Document.objects.order_by("pk").values_list(
                "pk", "practice_id", "client_id", "title", "body"
            )
        ),
        list(
            DocumentTemplate.objects.order_by("pk").values_list("pk", "practice_id", "name", "body")
        ),
    )


def _template(a: PracticeWorld) -> DocumentTemplate:
    template, _ = DocumentTemplate.objects.get_or_create(
        practice=a.practice, name="Atestado", defaults={"body": "{client_name}"}
    )
    return template


def each_client(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        template = _template(a)
        data = {"template": template.pk, **payload}
        return [(reverse(url_name, args=[c.pk]), data) for c in a.clients.values()]

    return build


def make_attachment(
    client, content: bytes | None = None, *, store: bool = True, **fields
) -> Attachment:
    """An attachment of `client`, with its file in storage unless `store` is false (for
    requests that must be refused before any file is read)."""
    content = content or sample_pdf("Exame", ["Resultado"])
    stored = (
        default_storage.save(new_storage_name(client.practice_id), ContentFile(content))
        if store
        else new_storage_name(client.practice_id)
    )
    fields.setdefault("original_name", "exame.pdf")
    fields.setdefault("content_type", "application/pdf")
    return Attachment.objects.create(
        practice_id=client.practice_id,
        client=client,
        storage_name=stored,
        size=len(content),
        sha256="0" * 64,
        **fields,
    )


def make_document(client, **fields) -> Document:
    fields.setdefault("title", "Atestado")
    fields.setdefault("body", f"Atesto que {client.full_name} compareceu.")
    return Document.objects.create(
        practice_id=client.practice_id, client=client, kind="certificate", **fields
    )


def each_attachment(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        made = [make_attachment(client, store=False) for client in a.clients.values()]
        return [(reverse(url_name, args=[f.pk]), payload) for f in made]

    return build


def each_document(url_name: str, **payload) -> Requests:
    def build(a: PracticeWorld) -> list[tuple[str, dict]]:
        made = [make_document(client) for client in a.clients.values()]
        return [(reverse(url_name, args=[d.pk]), payload) for d in made]

    return build


def each_template(url_name: str, **payload) -> Requests:
    return lambda a: [(reverse(url_name, args=[_template(a).pk]), payload)]


def templates_page() -> Requests:
    return lambda a: [(reverse("documents:templates"), TEMPLATE)]


def templates_only_own(http: HttpClient, a: PracticeWorld, b: PracticeWorld) -> None:
    DocumentTemplate.objects.create(practice=a.practice, name="Atestado A", body="x")
    theirs = DocumentTemplate.objects.create(practice=b.practice, name="Zaświadczenie", body="x")
    response = http.get(reverse("documents:templates"))
    assert list(response.context["templates"]) == [theirs]
    assert "Atestado A" not in response.content.decode()
    assert http.post(reverse("documents:templates"), TEMPLATE).status_code == 302
    assert DocumentTemplate.objects.get(name="Taken over").practice_id == b.practice.pk
