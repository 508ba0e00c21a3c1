"""What a file is, by its content; and names that are safe to show and send."""

import io
import zipfile

import pytest

from documents import files
from documents.samples import sample_pdf, sample_png


def zipped(*entries: tuple[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (sample_pdf("x"), "pdf"),
        (sample_png(), "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "jpeg"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "heic"),
        (files.OLE2 + b"\x00" * 32, "doc"),
        ("Olá, Łukasz — notas da sessão\r\n".encode(), "text"),
        (b"\x7fELF\x02\x01\x01\x00", None),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),
    ],
)
def test_it_recognises_a_file_by_its_first_bytes(content, kind):
    assert files.sniff(content[: files.HEAD_BYTES]) == kind


def test_it_tells_office_files_apart_without_decompressing_them():
    docx = zipped(("[Content_Types].xml", b"<x/>"), ("word/document.xml", b"<w/>"))
    xlsx = zipped(("xl/workbook.xml", b"<x/>"))
    odt = zipped(("mimetype", files.ODT_MIMETYPE), ("content.xml", b"<x/>"))
    other = zipped(("readme.txt", b"hello"))
    for archive, kind in [(docx, "docx"), (xlsx, "xlsx"), (odt, "odt"), (other, None)]:
        assert files.sniff(archive.read(files.HEAD_BYTES), archive) == kind
        assert archive.tell() == 0
    broken = io.BytesIO(b"PK\x03\x04 not really a zip")
    assert files.sniff(broken.read(), broken) is None


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\x.pdf", "x.pdf"),
        ("C:\\Users\\ana\\Laudo final.pdf", "Laudo final.pdf"),
        ("/tmp/../../", "file"),
        ("..", "file"),
        ("", "file"),
        ('a"b<c>|d?.pdf', "a_b_c__d_.pdf"),
        ("line\nbreak\r\x00.txt", "line break .txt"),
        ("evil\u202etxt.exe", "evil txt.exe"),
        ("  .hidden.pdf  ", "hidden.pdf"),
        ("Conceição — relatório.docx", "Conceição — relatório.docx"),
    ],
)
def test_a_name_is_only_its_last_part_without_special_characters(name, safe):
    assert files.safe_name(name) == safe


def test_a_long_name_keeps_its_extension():
    name = files.safe_name("x" * 500 + ".pdf")
    assert len(name) == files.NAME_LENGTH
    assert name.endswith("x.pdf")


@pytest.mark.parametrize(
    ("name", "extension"),
    [("a.PDF", ".pdf"), ("archive.tar.gz", ".gz"), (".pdf", ""), ("noext", ""), ("a.", "")],
)
def test_the_extension_is_the_last_one_lower_cased(name, extension):
    assert files.extension(name) == extension
