"""Documents, files and anamnesis in the API, and their rows in test_api_tenancy.py's tables."""

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from api.models import ApiToken
from audit.models import Event, EventKind
from clientbook.testing import PracticeWorld
from clients.models import Client
from documents.models import Attachment, Document, DocumentTemplate
from documents.samples import sample_pdf, sample_png
from documents.tests.routes import make_attachment, make_document
from intake.models import AnamnesisGroup, AnamnesisQuestion, AnamnesisRevision
from practices.models import Member
from practices.services import set_user_language
from scheduling.models import Session, SessionStatus

pytestmark = pytest.mark.django_db

ATTACHMENTS = ("GET", "/clients/{client_id}/attachments")
UPLOAD = ("POST", "/clients/{client_id}/attachments")
FILE = ("GET", "/attachments/{attachment_id}/file")
DELETE_FILE = ("DELETE", "/attachments/{attachment_id}")
TEMPLATES = ("GET", "/document-templates")
DOCUMENTS = ("GET", "/clients/{client_id}/documents")
CREATE = ("POST", "/clients/{client_id}/documents")
DOCUMENT = ("GET", "/documents/{client_document_id}")
PDF = ("GET", "/documents/{client_document_id}/pdf")
DELETE_DOCUMENT = ("DELETE", "/documents/{client_document_id}")
ANAMNESIS = ("GET", "/clients/{client_id}/anamnesis")
SAVE = ("PUT", "/clients/{client_id}/anamnesis")
HISTORY = ("GET", "/clients/{client_id}/anamnesis/history")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class Api:
    """A member's token on every call (test_api_tenancy.py imports this module, so not its)."""

    def __init__(self, member: Member):
        self.http = HttpClient()
        self.headers = {"Authorization": f"Bearer {ApiToken.issue(member)[1]}"}

    def call(self, method: str, path: str, body: Any = None):
        send = getattr(self.http, method.lower())
        if body is None:
            return send(f"/api/v1{path}", headers=self.headers)
        return send(f"/api/v1{path}", body, "application/json", headers=self.headers)

    def upload(self, path: str, name: str, content: bytes, **fields: str):
        data = {"file": SimpleUploadedFile(name, content), **fields}
        return self.http.post(f"/api/v1{path}", data, headers=self.headers)


def rows() -> tuple:
    return (
        list(Attachment.objects.order_by("pk").values_list("pk", "client_id", "storage_name")),
        list(Document.objects.order_by("pk").values_list("pk", "client_id", "body")),
        list(AnamnesisRevision.objects.order_by("pk").values_list("pk", "client_id", "answers")),
    )


def template_of(world: PracticeWorld) -> DocumentTemplate:
    template, _ = DocumentTemplate.objects.get_or_create(
        practice=world.practice,
        name="Declaração",
        defaults={"body": "Declaro que {client_name} ({client_code}) é cliente."},
    )
    return template


# For test_api_tenancy.py: another practice's token, and each role's rights.


def upload_pdf(caller, path: str):
    """The multipart request of UPLOAD, as test_api_tenancy.py sends it."""
    data = {"file": SimpleUploadedFile("exame.pdf", sample_pdf("Exame")), "title": "Exame"}
    return caller.http.post(f"/api/v1{path}", data, headers=caller.headers)


MULTIPART = {UPLOAD: upload_pdf}


def _cross_by_client(method: str, suffix: str, body: Any = None):
    def attempt(intruder, a: PracticeWorld, b: PracticeWorld) -> None:
        template_of(b)
        before = rows()

        def send(client_id: int):
            path = f"/clients/{client_id}{suffix}"
            if (method, suffix) == ("POST", "/attachments"):
                return upload_pdf(intruder, path)
            return intruder.call(method, path, body)

        expected = send(999999)
        assert expected.status_code == 404
        for client in a.clients.values():
            response = send(client.pk)
            assert (response.status_code, response.json()) == (404, expected.json()), client
        assert rows() == before

    return attempt


def _cross_by_id(method: str, prefix: str, suffix: str, make):
    def attempt(intruder, a: PracticeWorld, b: PracticeWorld) -> None:
        made = [make(client) for client in a.clients.values()]
        before = rows()
        expected = intruder.call(method, f"{prefix}/999999{suffix}")
        assert expected.status_code == 404
        for row in made:
            response = intruder.call(method, f"{prefix}/{row.pk}{suffix}")
            assert (response.status_code, response.json()) == (404, expected.json())
        assert rows() == before

    return attempt


def _cross_templates(intruder, a: PracticeWorld, b: PracticeWorld) -> None:
    template_of(a)
    theirs = DocumentTemplate.objects.create(practice=b.practice, name="Zaświadczenie", body="x")
    assert [t["id"] for t in intruder.call("GET", "/document-templates").json()] == [theirs.pk]


def _stored(client: Client) -> Attachment:
    return make_attachment(client, store=False)


CROSS_PRACTICE = {
    ATTACHMENTS: _cross_by_client("GET", "/attachments"),
    UPLOAD: _cross_by_client("POST", "/attachments"),
    FILE: _cross_by_id("GET", "/attachments", "/file", _stored),
    DELETE_FILE: _cross_by_id("DELETE", "/attachments", "", _stored),
    TEMPLATES: _cross_templates,
    DOCUMENTS: _cross_by_client("GET", "/documents"),
    CREATE: _cross_by_client("POST", "/documents", {"template": 1}),
    DOCUMENT: _cross_by_id("GET", "/documents", "", make_document),
    PDF: _cross_by_id("GET", "/documents", "/pdf", make_document),
    DELETE_DOCUMENT: _cross_by_id("DELETE", "/documents", "", make_document),
    ANAMNESIS: _cross_by_client("GET", "/anamnesis"),
    SAVE: _cross_by_client("PUT", "/anamnesis", {"revision": 0, "answers": {}}),
    HISTORY: _cross_by_client("GET", "/anamnesis/history"),
}
# The file and the document of the routes by id belong to João, a client of Bruno (not Ana's).
RIGHTS = {
    ATTACHMENTS: {"owner": 200, "admin": 200, "reception": 200, "professional/others": 404,
                  "professional/own": 200},
    UPLOAD: {"owner": 201, "admin": 201, "reception": 201, "professional/others": 404,
             "professional/own": 201},
    FILE: {"owner": 200, "admin": 200, "reception": 200, "professional": 404},
    DELETE_FILE: {"owner": 204, "admin": 204, "reception": 204, "professional": 404},
    TEMPLATES: dict.fromkeys(["owner", "admin", "reception", "professional"], 200),
    DOCUMENTS: {"owner": 200, "admin": 200, "reception": 200, "professional/others": 404,
                "professional/own": 200},
    CREATE: {"owner": 201, "admin": 201, "reception": 201, "professional/others": 404,
             "professional/own": 201},
    DOCUMENT: {"owner": 200, "admin": 200, "reception": 200, "professional": 404},
    PDF: {"owner": 200, "admin": 200, "reception": 200, "professional": 404},
    DELETE_DOCUMENT: {"owner": 204, "admin": 204, "reception": 204, "professional": 404},
    ANAMNESIS: {"owner": 200, "admin": 200, "reception": 200, "professional/others": 404,
                "professional/own": 200},
    # The clients' cards name no anamnesis group: saving no answers is accepted, and changes
    # nothing (what a role may do is what this table checks).
    SAVE: {"owner": 200, "admin": 200, "reception": 200, "professional/others": 404,
           "professional/own": 200},
    HISTORY: {"owner": 200, "admin": 200, "reception": 200, "professional/others": 404,
              "professional/own": 200},
}  # fmt: skip
BODIES = {
    CREATE: lambda world: {"template": template_of(world).pk},
    SAVE: {"revision": 0, "answers": {}},
}


def fill_path(path: str, world: PracticeWorld) -> str:
    """A file or a document of João's for the routes that take one."""
    joao = world.clients["João da Silva"]
    if "{attachment_id}" in path:
        path = path.replace("{attachment_id}", str(make_attachment(joao).pk))
    if "{client_document_id}" in path:
        path = path.replace("{client_document_id}", str(make_document(joao).pk))
    return path


# The routes.


@pytest.fixture
def reception(a) -> Api:
    """Reception, reading English (the API answers in the user's language)."""
    set_user_language(a.reception.user, "en")
    return Api(a.reception)


def test_a_file_is_uploaded_listed_downloaded_and_deleted(a, reception):
    client = a.clients["Ana's client"]
    content = sample_png()
    response = reception.upload(
        f"/clients/{client.pk}/attachments", "../../raio x.png", content, title="Raio-X"
    )
    assert response.status_code == 201, response.content
    made = response.json()
    assert (made["file_name"], made["content_type"], made["size"]) == (
        "raio x.png",
        "image/png",
        len(content),
    )
    listed = reception.call("GET", f"/clients/{client.pk}/attachments").json()
    assert [x["id"] for x in listed] == [made["id"]]
    response = reception.call("GET", f"/attachments/{made['id']}/file")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="raio x.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert reception.call("DELETE", f"/attachments/{made['id']}").status_code == 204
    assert not Attachment.objects.exists()
    kinds = Event.objects.filter(client=client).order_by("pk").values_list("kind", flat=True)
    assert list(kinds)[-2:] == [EventKind.ATTACHMENT_ADDED, EventKind.ATTACHMENT_REMOVED]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("exame.pdf", b"\x89PNG\r\n\x1a\nnot a pdf", "is not a PDF document"),
        ("script.js", b"alert(1)", "not accepted"),
        ("vazio.txt", b"", "is empty"),
    ],
)
def test_a_wrong_file_is_refused_on_file(a, reception, name, content, words):
    client = a.clients["Ana's client"]
    response = reception.upload(f"/clients/{client.pk}/attachments", name, content)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["file"]
    assert words in response.json()["errors"]["file"][0]
    assert not Attachment.objects.exists()


def test_a_file_too_big_is_refused_on_file(a, reception, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    client = a.clients["Ana's client"]
    response = reception.upload(f"/clients/{client.pk}/attachments", "x.pdf", sample_pdf("x"))
    assert response.status_code == 422
    assert "at most 100" in response.json()["errors"]["file"][0]


def test_a_document_is_written_from_a_template_for_a_session(a, reception):
    client = a.clients["Ana's client"]
    template = DocumentTemplate.objects.create(
        practice=a.practice, name="Atestado", body="{client_name} esteve aqui em {session_date}."
    )
    listed = reception.call("GET", "/document-templates").json()
    assert listed[0]["placeholders"] == ["client_name", "session_date"]
    assert listed[0]["needs_session"] is True
    response = reception.call("POST", f"/clients/{client.pk}/documents", {"template": template.pk})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["session"]
    starts = datetime.datetime(2026, 3, 2, 13, 0, tzinfo=datetime.UTC)
    session = Session.objects.create(
        practice=a.practice, client=client, professional=a.other_professional,
        starts_at=starts, ends_at=starts + datetime.timedelta(minutes=50),
        status=SessionStatus.ATTENDED,
    )  # fmt: skip
    others = Session.objects.create(
        practice=a.practice, client=a.clients["João da Silva"], professional=a.other_professional,
        starts_at=starts, ends_at=starts + datetime.timedelta(minutes=50),
    )  # fmt: skip
    path = f"/clients/{client.pk}/documents"
    body = {"template": template.pk, "session": others.pk}
    assert list(reception.call("POST", path, body).json()["errors"]) == ["session"]
    response = reception.call("POST", path, {"template": template.pk, "session": session.pk})
    assert response.status_code == 201
    made = response.json()
    assert made["body"] == "Conceição Araújo esteve aqui em 2 de Março de 2026."
    assert (made["title"], made["session"]) == ("Atestado", session.pk)
    assert made["template"] == template.pk
    template.body = "Outro texto"
    template.save()
    assert reception.call("GET", f"/documents/{made['id']}").json()["body"] == made["body"]
    pdf = reception.call("GET", f"/documents/{made['id']}/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert [d["id"] for d in reception.call("GET", path).json()] == [made["id"]]
    assert reception.call("DELETE", f"/documents/{made['id']}").status_code == 204
    assert not Document.objects.exists()


def test_another_practices_template_is_refused_on_template(a, b, reception):
    theirs = DocumentTemplate.objects.create(practice=b.practice, name="Z", body="x")
    client = a.clients["Ana's client"]
    response = reception.call("POST", f"/clients/{client.pk}/documents", {"template": theirs.pk})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["template"]


@pytest.fixture
def form(a) -> AnamnesisGroup:
    group = AnamnesisGroup.objects.create(practice=a.practice, name="Adulto")
    for position, (text, kind, required) in enumerate(
        [("Queixa", "long_text", True), ("Medicação?", "yes_no", False), ("Peso", "number", False)],
        start=1,
    ):
        AnamnesisQuestion.objects.create(
            practice=a.practice, group=group, position=position, text=text, kind=kind,
            required=required,
        )  # fmt: skip
    Client.objects.filter(pk=a.clients["Ana's client"].pk).update(anamnesis_group=group)
    return group


def test_the_anamnesis_is_read_saved_against_its_revision_and_its_history_kept(a, form, reception):
    client = a.clients["Ana's client"]
    path = f"/clients/{client.pk}/anamnesis"
    current = reception.call("GET", path).json()
    assert (current["revision"], current["group"]["name"], current["answers"]) == (0, "Adulto", {})
    q = {x["text"]: str(x["id"]) for x in current["questions"]}
    assert [x["kind"] for x in current["questions"]] == ["long_text", "yes_no", "number"]
    body = {"revision": 0, "answers": {q["Queixa"]: "Insônia", q["Peso"]: 61.5}}
    response = reception.call("PUT", path, body)
    assert response.status_code == 200
    assert response.json()["revision"] == 1
    assert response.json()["answers"] == {q["Queixa"]: "Insônia", q["Peso"]: "61.5"}
    # A save over a stale revision writes nothing.
    before = rows()
    response = reception.call("PUT", path, {"revision": 0, "answers": {q["Queixa"]: "Outra"}})
    assert response.status_code == 409
    assert response.json()["current_revision"] == 1
    assert rows() == before
    body = {"revision": 1, "answers": {q["Queixa"]: "Insônia", q["Medicação?"]: True}}
    assert reception.call("PUT", path, body).json()["revision"] == 2
    history = reception.call("GET", f"{path}/history").json()
    assert [h["revision"] for h in history] == [2, 1]
    assert history[0]["changes"] == [
        {"question": "Medicação?", "old": "", "new": "Yes"},
        {"question": "Peso", "old": "61.5", "new": ""},
    ]


@pytest.mark.parametrize(
    ("answers", "question"),
    [
        ({"Queixa": ""}, "Queixa"),
        ({"Queixa": "x", "Medicação?": "sim"}, "Medicação?"),
        ({"Queixa": "x", "Peso": "muito"}, "Peso"),
        ({"Queixa": "x", "Peso": True}, "Peso"),
    ],
)
def test_a_wrong_answer_is_refused_naming_the_question(a, form, reception, answers, question):
    client = a.clients["Ana's client"]
    q = {x.text: str(x.pk) for x in form.questions.all()}
    body = {"revision": 0, "answers": {q[k]: v for k, v in answers.items()}}
    response = reception.call("PUT", f"/clients/{client.pk}/anamnesis", body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [f"answers.{q[question]}"]
    assert question in response.json()["errors"][f"answers.{q[question]}"][0]
    assert not AnamnesisRevision.objects.exists()


def test_an_unknown_question_is_refused_on_answers(a, form, reception):
    client = a.clients["Ana's client"]
    body = {"revision": 0, "answers": {"999999": "x"}}
    response = reception.call("PUT", f"/clients/{client.pk}/anamnesis", body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["answers"]
