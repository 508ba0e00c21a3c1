"""Files attached to a client's card: uploaded from the card, read back only through the
access check, removed with their stored file; refused when too big, of a type not accepted,
or not what their name says."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Event, EventKind
from clientbook.testing import logged_in
from clients.models import Status
from documents.models import Attachment
from documents.samples import sample_pdf, sample_png
from documents.services import add_attachment, remove_attachment, remove_client_files
from documents.tests.conftest import pdf_upload, png_upload
from documents.tests.routes import document_rows, make_attachment, make_document
from practices import roles
from practices.models import Role


def upload_url(client) -> str:
    return reverse("documents:upload", args=[client.pk])


def card(client) -> str:
    return reverse("clients:card", args=[client.pk])


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# Uploading.


def test_reception_attaches_a_file_from_the_card(a, ana_client, media):
    content = sample_pdf("Encaminhamento", ["Dr. X"])
    http = logged_in(a.reception)
    response = http.post(
        upload_url(ana_client),
        {
            "file": pdf_upload("Encaminhamento.pdf", content),
            "title": "Carta de encaminhamento",
            "description": "Do psiquiatra",
            "next": card(ana_client) + "#client-documents",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == card(ana_client) + "#client-documents"
    attachment = Attachment.objects.get()
    assert (attachment.client, attachment.practice, attachment.original_name) == (
        ana_client,
        a.practice,
        "Encaminhamento.pdf",
    )
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(content))
    assert attachment.uploaded_by == a.reception
    # Stored in the practice's folder, under a random name that owes nothing to the upload's.
    folder, name = attachment.storage_name.split("/")
    assert folder == str(a.practice.pk)
    assert "Encaminhamento" not in name
    assert ".pdf" not in name
    assert len(name) >= 32
    assert (media / attachment.storage_name).read_bytes() == content
    event = Event.objects.get(client=ana_client, kind=EventKind.ATTACHMENT_ADDED)
    assert event.changes == {"attachment": [None, "Carta de encaminhamento"]}


def test_two_uploads_of_the_same_name_are_two_files(a, ana_client, media):
    one = add_attachment(by=a.reception, client=ana_client, file=pdf_upload("x.pdf"))
    two = add_attachment(by=a.reception, client=ana_client, file=pdf_upload("x.pdf"))
    assert one.storage_name != two.storage_name
    assert len(stored_files(media)) == 2


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/passwd.pdf",
        "..\\..\\..\\clientbook\\settings.pdf",
        "/etc/cron.d/evil.pdf",
        f"../{2}/stolen.pdf",
    ],
)
def test_a_path_in_the_uploaded_name_leads_nowhere(a, ana_client, media, tmp_path, name):
    attachment = add_attachment(by=a.reception, client=ana_client, file=pdf_upload(name))
    assert "/" not in attachment.original_name
    assert "\\" not in attachment.original_name
    assert ".." not in attachment.storage_name
    files = stored_files(tmp_path)
    assert files == [media / attachment.storage_name]
    assert files[0].parent == media / str(a.practice.pk)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("exame.pdf", sample_png(), "is not a PDF document"),
        ("foto.png", b"%PDF-1.4 pretending", "is not a PNG image"),
        ("notes.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00", "is not a plain text"),
        ("relatorio.docx", b"PK\x03\x04 this is no zip", "is not a Word document"),
        ("programa.exe", b"MZ\x90\x00", "files of this type are not accepted"),
        ("page.html", b"<html><script>alert(1)</script>", "files of this type are not accepted"),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not accepted"),
        ("noextension", sample_pdf("x"), "not accepted"),
        ("vazio.pdf", b"", "is empty"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_naming_the_field(
    a, ana_client, media, name, content, words
):
    before = (document_rows(), Event.objects.count())
    response = logged_in(a.reception).post(
        upload_url(ana_client), {"file": SimpleUploadedFile(name, content, "application/pdf")}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["file"]
    assert words in errors["file"][0]
    assert 'id="id_file_error"' in response.content.decode()
    assert (document_rows(), Event.objects.count()) == before
    assert stored_files(media) == []


def test_a_file_too_big_is_refused_saying_the_limit(a, ana_client, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.png", sample_png(400, 400) + b"\x00" * 2048, "image/png")
    response = logged_in(a.reception).post(upload_url(ana_client), {"file": big})
    assert response.status_code == 200
    message = response.context["form"].errors["file"][0]
    assert "big.png" in message
    assert "1.0\xa0KB" in message
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_without_a_file_the_form_says_so(a, ana_client):
    response = logged_in(a.reception).post(upload_url(ana_client), {"title": "x"})
    assert response.context["form"].errors == {"file": ["Choose a file to attach."]}


def test_a_forgotten_client_takes_no_files(a, ana_client, media):
    type(ana_client).objects.filter(pk=ana_client.pk).update(status=Status.FORGOTTEN)
    response = logged_in(a.reception).post(upload_url(ana_client), {"file": pdf_upload()})
    assert response.status_code == 200
    assert "forgotten" in str(response.context["form"].non_field_errors())
    assert stored_files(media) == []


# Reading.


def test_a_pdf_is_shown_in_the_browser_and_downloaded_on_request(a, ana_client):
    content = sample_pdf("Exame", ["Hemograma"])
    attachment = add_attachment(
        by=a.reception, client=ana_client, file=pdf_upload("Exame de sangue.pdf", content)
    )
    http = logged_in(a.professional)  # Ana's own client
    response = http.get(reverse("documents:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="Exame de sangue.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    response = http.get(reverse("documents:attachment", args=[attachment.pk]), {"download": "1"})
    assert response["Content-Disposition"] == 'attachment; filename="Exame de sangue.pdf"'


def test_other_types_are_always_downloaded_under_a_safe_name(a, ana_client):
    attachment = add_attachment(
        by=a.reception,
        client=ana_client,
        file=SimpleUploadedFile('notas "da" sessão.txt', "Olá\n".encode(), "text/html"),
    )
    response = logged_in(a.reception).get(reverse("documents:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"  # never what the browser said
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''notas%20_da_%20sess%C3%A3o.txt"
    )


def test_the_card_loads_the_panel_which_lists_the_files(a, ana_client):
    attachment = add_attachment(
        by=a.reception, client=ana_client, file=png_upload("raio-x.png"), title="Raio-X"
    )
    http = logged_in(a.reception)
    page = http.get(card(ana_client)).content.decode()
    panel_url = reverse("documents:client", args=[ana_client.pk])
    assert f'hx-get="{panel_url}?next=' in page
    panel = http.get(panel_url, headers={"HX-Request": "true"}).content.decode()
    assert panel.startswith('<section class="panel documents-panel"')
    assert "Raio-X" in panel
    assert "raio-x.png" in panel
    assert reverse("documents:attachment", args=[attachment.pk]) in panel
    assert reverse("documents:attachment_remove", args=[attachment.pk]) in panel
    assert 'enctype="multipart/form-data"' in panel
    full = http.get(panel_url).content.decode()
    assert "<html" in full
    assert "Raio-X" in full


def test_nothing_is_served_from_a_guessable_url(a, ana_client, client):
    attachment = add_attachment(by=a.reception, client=ana_client, file=pdf_upload())
    http = logged_in(a.owner)
    for url in [
        f"/media/{attachment.storage_name}",
        f"/{attachment.storage_name}",
        f"/media/{a.practice.pk}/exame.pdf",
        f"/static/{attachment.storage_name}",
        f"/documents/files/{attachment.storage_name}",
    ]:
        assert http.get(url).status_code == 404, url
        assert client.get(url).status_code in (302, 404), url


def test_a_file_missing_from_storage_is_a_404(a, ana_client):
    attachment = add_attachment(by=a.reception, client=ana_client, file=pdf_upload())
    default_storage.delete(attachment.storage_name)
    http = logged_in(a.reception)
    assert http.get(reverse("documents:attachment", args=[attachment.pk])).status_code == 404


# Removing.


def test_removing_a_file_deletes_it_from_storage_after_commit(
    a, ana_client, media, django_capture_on_commit_callbacks
):
    attachment = add_attachment(by=a.reception, client=ana_client, file=pdf_upload())
    http = logged_in(a.reception)
    url = reverse("documents:attachment_remove", args=[attachment.pk])
    assert "Remove this file?" in http.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = http.post(url, {"next": card(ana_client)})
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert (media / attachment.storage_name).exists()  # until the transaction commits
    for callback in callbacks:
        callback()
    assert stored_files(media) == []
    event = Event.objects.get(client=ana_client, kind=EventKind.ATTACHMENT_REMOVED)
    assert event.changes == {"attachment": ["report.pdf", None]}


def test_removing_twice_records_one_event(a, ana_client):
    attachment = add_attachment(by=a.reception, client=ana_client, file=pdf_upload())
    assert remove_attachment(attachment, by=a.reception) is True
    assert remove_attachment(attachment, by=a.owner) is False
    assert Event.objects.filter(kind=EventKind.ATTACHMENT_REMOVED).count() == 1


def test_all_of_a_clients_files_and_documents_go_for_the_lifecycle(
    a, ana_client, media, django_capture_on_commit_callbacks
):
    other = a.clients["João da Silva"]
    mine = [add_attachment(by=a.reception, client=ana_client, file=pdf_upload()) for _ in "ab"]
    kept = add_attachment(by=a.reception, client=other, file=png_upload())
    make_document(ana_client)
    make_document(other)
    with django_capture_on_commit_callbacks(execute=True):
        assert remove_client_files(ana_client) == (2, 1)
    assert list(Attachment.objects.all()) == [kept]
    assert not ana_client.documents.exists()
    assert other.documents.count() == 1
    assert stored_files(media) == [media / kept.storage_name]
    assert not any((media / m.storage_name).exists() for m in mine)


# Tenancy and roles: the right role works (above), 403 without the right, 404 elsewhere.


@pytest.fixture
def reception_may_not_change(monkeypatch):
    """A role without the right to change clients (no role lacks it today; the views must
    still check it)."""
    monkeypatch.setitem(
        roles._ROLE_PERMISSIONS, Role.RECEPTION, frozenset({roles.VIEW_ALL_CLIENTS})
    )


def test_a_role_without_the_right_to_change_gets_403_and_changes_nothing(
    a, ana_client, reception_may_not_change, media
):
    attachment = make_attachment(ana_client)
    before = (document_rows(), Event.objects.count())
    http = logged_in(a.reception)
    assert http.get(upload_url(ana_client)).status_code == 403
    assert http.post(upload_url(ana_client), {"file": pdf_upload()}).status_code == 403
    remove = reverse("documents:attachment_remove", args=[attachment.pk])
    assert http.get(remove).status_code == 403
    assert http.post(remove).status_code == 403
    # Reading is still allowed, and the panel offers no upload.
    assert http.get(reverse("documents:attachment", args=[attachment.pk])).status_code == 200
    panel = http.get(reverse("documents:client", args=[ana_client.pk])).content.decode()
    assert "multipart/form-data" not in panel
    assert (document_rows(), Event.objects.count()) == before
    assert stored_files(media) == [media / attachment.storage_name]


def test_another_practice_gets_404_for_every_client_and_file_and_changes_nothing(a, b, media):
    made = [make_attachment(client) for client in a.clients.values()]
    before = (document_rows(), Event.objects.count())
    http = logged_in(b.owner)
    for client in a.clients.values():
        assert http.get(reverse("documents:client", args=[client.pk])).status_code == 404
        assert http.get(upload_url(client)).status_code == 404
        assert http.post(upload_url(client), {"file": pdf_upload()}).status_code == 404
    for attachment in made:
        for name in ("attachment", "attachment_remove"):
            url = reverse(f"documents:{name}", args=[attachment.pk])
            assert http.get(url).status_code == 404
            assert http.post(url).status_code in (404, 405)
    assert (document_rows(), Event.objects.count()) == before
    assert len(stored_files(media)) == len(made)


def test_a_professional_gets_404_for_a_colleagues_clients_files(a, media):
    colleagues = a.clients["João da Silva"]
    attachment = make_attachment(colleagues)
    before = (document_rows(), Event.objects.count())
    http = logged_in(a.professional)
    assert http.get(reverse("documents:client", args=[colleagues.pk])).status_code == 404
    assert http.post(upload_url(colleagues), {"file": pdf_upload()}).status_code == 404
    assert http.get(reverse("documents:attachment", args=[attachment.pk])).status_code == 404
    remove = reverse("documents:attachment_remove", args=[attachment.pk])
    assert http.post(remove).status_code == 404
    assert (document_rows(), Event.objects.count()) == before
