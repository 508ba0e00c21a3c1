"""What a file is, by its name and by its content, and a name that is safe to show and to send.

A file is accepted only when its extension is one of KINDS and its first bytes are what that
kind begins with (a ".pdf" must begin with "%PDF-"); the content type stored and served is the
kind's, never what the browser claimed. Office files are ZIP (DOCX, XLSX, ODT) or OLE2 (DOC)
containers: for ZIP, the entries that tell the formats apart are looked at by name only, so
nothing is decompressed (a ZIP bomb stays harmless).
"""

import posixpath
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    name: str  # as people call it: "PDF", "JPEG image"
    content_type: str
    extensions: tuple[str, ...]
    # Shown in the browser rather than downloaded: formats a browser renders without running
    # anything of the file's (no HTML, no SVG, no scripts).
    inline: bool = False


KINDS: dict[str, Kind] = {
    "pdf": Kind(_("PDF document"), "application/pdf", (".pdf",), inline=True),
    "jpeg": Kind(_("JPEG image"), "image/jpeg", (".jpg", ".jpeg"), inline=True),
    "png": Kind(_("PNG image"), "image/png", (".png",), inline=True),
    "webp": Kind(_("WebP image"), "image/webp", (".webp",), inline=True),
    "heic": Kind(_("HEIC image"), "image/heic", (".heic", ".heif")),
    "text": Kind(_("plain text"), "text/plain; charset=utf-8", (".txt",)),
    "docx": Kind(
        _("Word document (DOCX)"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    "xlsx": Kind(
        _("Excel spreadsheet (XLSX)"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
    ),
    "odt": Kind(_("OpenDocument text (ODT)"), "application/vnd.oasis.opendocument.text", (".odt",)),
    "doc": Kind(_("Word 97–2003 document (DOC)"), "application/msword", (".doc",)),
}
# As the upload form lists them.
SHORT_NAMES = ("PDF", "JPEG", "PNG", "WebP", "HEIC", "TXT", "DOCX", "XLSX", "ODT", "DOC")
BY_EXTENSION = {ext: key for key, kind in KINDS.items() for ext in kind.extensions}
ALLOWED_EXTENSIONS = tuple(BY_EXTENSION)
# What an <input type=file accept=…> offers.
ACCEPT = ",".join(ALLOWED_EXTENSIONS)


def is_inline(content_type: str) -> bool:
    """Whether a file of this (stored) type is shown in the browser rather than downloaded."""
    return any(kind.inline and kind.content_type == content_type for kind in KINDS.values())


HEAD_BYTES = 8192
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avci"}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Bytes that never occur in text (C0 controls other than tab, line feed, form feed, carriage
# return, escape and the old end-of-file mark).
NOT_TEXT = set(range(0x09)) | {0x0B} | set(range(0x0E, 0x1A)) | set(range(0x1C, 0x20)) | {0x7F}
NAME_LENGTH = 200
# Characters that mean something to a file system, a shell or an HTTP header.
UNSAFE = set('/\\:*?"<>|')


def safe_name(name: str) -> str:
    """The last part of `name` (whatever the separators: "../../etc/passwd" is "passwd",
    "C:\\x\\y.pdf" is "y.pdf"), without control characters or characters that are special in
    paths and headers, at most NAME_LENGTH characters (the extension kept); "file" when
    nothing is left. Only ever shown and offered as a download name, never used as a path."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/")
    name = posixpath.basename(name.rstrip("/"))
    cleaned = "".join(
        "_" if c in UNSAFE else " " if unicodedata.category(c)[0] in "CZ" else c for c in name
    )
    cleaned = " ".join(cleaned.split()).strip(". ")
    if not cleaned:
        return "file"
    stem, dot, extension = cleaned.rpartition(".")
    if len(cleaned) > NAME_LENGTH:
        if dot and len(extension) <= 10:
            cleaned = f"{stem[: NAME_LENGTH - len(extension) - 1].rstrip()}.{extension}"
        else:
            cleaned = cleaned[:NAME_LENGTH]
    return cleaned


def extension(name: str) -> str:
    """The lower-case extension of `name`, with its dot ("" for none)."""
    base = posixpath.basename(name)
    stem, dot, ext = base.rpartition(".")
    return f".{ext.lower()}" if dot and stem and ext else ""


def sniff(head: bytes, file: IO[bytes] | None = None) -> str | None:
    """The key in KINDS of the content that begins with `head`, or None. `file` (seekable) is
    needed to tell the ZIP-based formats apart; it is read from the start and left there."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "heic"
    if head.startswith(OLE2):
        return "doc"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file) if file is not None else None
    if head and not NOT_TEXT & set(head):
        return "text"
    return None


def _zip_kind(file: IO[bytes]) -> str | None:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            # ODF's first entry, stored uncompressed: the document's media type.
            if (
                "mimetype" in names
                and archive.getinfo("mimetype").file_size < 100
                and archive.read("mimetype").strip() == ODT_MIMETYPE
            ):
                return "odt"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError):
        return None
    finally:
        file.seek(0)
    return None
