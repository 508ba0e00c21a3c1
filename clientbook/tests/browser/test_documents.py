"""Documents and files as reception and professionals use them: a file attached from the
card and downloaded again, byte for byte; an attendance certificate written from a template
for a session held, and its PDF downloaded."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from audit.models import Event, EventKind
from documents.models import Attachment, Document
from documents.samples import sample_pdf
from documents.services import save_template
from documents.tests.conftest import make_session


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded files go to a temporary folder (the live server runs in this process)."""
    settings.MEDIA_ROOT = tmp_path / "media"


def console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


@pytest.mark.browser
def test_reception_attaches_a_file_on_the_card_and_downloads_it(
    log_in, live_server, page: Page, a, tmp_path
):
    client = a.clients["Ana's client"]
    content = sample_pdf("Encaminhamento", ["Ao psicólogo responsável", "Dr. Łukasz Żak"])
    errors = console_errors(page)
    log_in(a.reception)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    panel = page.get_by_role("region", name="Documents and files")
    expect(panel.get_by_text("No files yet.")).to_be_visible()  # loaded into the card

    panel.get_by_label("Attach a file").set_input_files(
        files=[{"name": "Encaminhamento.pdf", "mimeType": "application/pdf", "buffer": content}]
    )
    panel.get_by_label("Title").fill("Carta de encaminhamento")
    panel.get_by_role("button", name="Attach", exact=True).click()

    page.wait_for_url(re.compile(rf".*/clients/{client.pk}/(#client-documents)?$"))
    expect(page.get_by_role("status")).to_have_text("“Carta de encaminhamento” was attached.")
    panel = page.get_by_role("region", name="Documents and files")
    row = panel.locator("li.file").first
    expect(row.get_by_role("link", name="Carta de encaminhamento", exact=True)).to_be_visible()
    expect(row).to_contain_text("Encaminhamento.pdf")
    with page.expect_download() as downloading:
        row.get_by_role("link", name="Download").click()
    download = downloading.value
    assert download.suggested_filename == "Encaminhamento.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == content

    attachment = Attachment.objects.get()
    assert (attachment.client, attachment.uploaded_by) == (client, a.reception)
    expect(page.locator(".timeline")).to_contain_text("File attached")
    assert Event.objects.filter(client=client, kind=EventKind.ATTACHMENT_ADDED).count() == 1
    assert errors == []


@pytest.mark.browser
def test_a_professional_writes_a_certificate_for_a_session_and_downloads_its_pdf(
    log_in, live_server, page: Page, a, tmp_path
):
    client = a.clients["Ana's client"]
    save_template(
        by=a.owner,
        name="Atestado de comparecimento",
        body="Atesto que {client_name} compareceu à sessão de {session_date}, "
        "{session_time}, com {professional_name}.\n\n{practice_name}",
    )
    session = make_session(client, a.professional.professional, days_ago=2, hour=9)
    older = make_session(client, a.professional.professional, days_ago=9, hour=16)
    errors = console_errors(page)
    log_in(a.professional)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    page.get_by_role("region", name="Documents and files").get_by_role(
        "link", name="New document"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New document for Conceição Araújo")
    # The practice's only template is chosen; it needs a session, which the page asks for.
    expect(page.get_by_role("combobox", name=re.compile("^Template"))).to_have_value(
        re.compile(r"\d+")
    )
    expect(page.get_by_role("alert")).to_contain_text("choose a session")

    sessions = page.get_by_role("combobox", name="Session")
    label = sessions.locator(f"option[value='{session.pk}']").inner_text()
    sessions.select_option(label=label)  # the page shows the text at once
    page.wait_for_url(re.compile(rf".*session={session.pk}.*"))
    text = page.get_by_role("textbox", name="Text", exact=True)
    expect(text).to_have_value(re.compile(r"^Atesto que Conceição Araújo compareceu à sessão de"))
    expect(text).to_have_value(re.compile(r"09:00–09:50, com Ana Analyst\.\n\nClínica A$"))
    text.press("Control+End")
    text.type("\n\nVia do cliente.")
    page.get_by_role("button", name="Create the document").click()

    page.wait_for_url(re.compile(r".*/documents/\d+/$"))
    expect(page.get_by_role("status")).to_have_text(
        "The document “Atestado de comparecimento” was created."
    )
    document = Document.objects.get()
    assert (document.client, document.session, document.created_by) == (
        client,
        session,
        a.professional,
    )
    assert document.body.endswith("Via do cliente.")
    assert document.session != older
    expect(page.locator("article.document-sheet")).to_contain_text("Via do cliente.")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download PDF").click()
    download = downloading.value
    assert download.suggested_filename == document.pdf_name
    saved = Path(tmp_path / "certificate.pdf")
    download.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert b"/Title (" in pdf or b"/Title <" in pdf
    assert errors == []
