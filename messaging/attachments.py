"""Files that go with a message (an invoice, a certificate), made when they are needed.

A message stores a reference, "kind:id" (e.g. "billing.document:12"), never the file: the file
is made from the object by the app that owns it, once when the message is written (to check
it can be) and again when the worker delivers it. Nothing is kept on disk, and a document
that is gone by then fails the message rather than sending a stale copy.

The owning app registers one renderer per kind, in its AppConfig.ready:

    attachments.register("billing.document", render_document)

A renderer takes the object's id and the practice of the message, and returns an Attachment.
It must look the object up in that practice only, and raise LookupError (or the model's
DoesNotExist, or AttachmentMissing with its own reason) when there is no such object there.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from practices.models import Practice

__all__ = [
    "Attachment",
    "AttachmentMissing",
    "Renderer",
    "ref",
    "register",
    "registered",
    "render",
    "unregister",
]


@dataclass(frozen=True)
class Attachment:
    filename: str  # as the recipient sees it: "Invoice FV-2026-0001.pdf"
    content_type: str  # "application/pdf"
    content: bytes


Renderer = Callable[[int, Practice], Attachment]

_renderers: dict[str, Renderer] = {}


class AttachmentMissing(Exception):
    """The file of a reference cannot be made; `reason` says why, in the active language."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def ref(kind: str, pk: int) -> str:
    """The reference to store on a message: ref("billing.document", 12) → "billing.document:12"."""
    return f"{kind}:{pk}"


def _check_kind(kind: str) -> None:
    if not kind or ":" in kind or kind != kind.strip():
        raise ValueError(f"an attachment kind is a name without ':' or spaces, not {kind!r}")


def register(kind: str, render: Renderer) -> None:
    """Make `render` the maker of files of `kind`. Registering the same function again does
    nothing (ready() may run more than once); a second, different renderer for a kind is a
    mistake (two apps claiming one kind) and raises ValueError."""
    _check_kind(kind)
    existing = _renderers.get(kind)
    if existing is not None and existing is not render:
        raise ValueError(f"the attachment kind {kind!r} already has a renderer: {existing!r}")
    _renderers[kind] = render


def unregister(kind: str) -> None:
    """Forget the renderer of `kind` (for tests); no error if there is none."""
    _renderers.pop(kind, None)


@contextmanager
def registered(kind: str, render: Renderer) -> Iterator[None]:
    """For tests: `render` makes the files of `kind` inside the block (replacing the app's own
    renderer, if any), and what was registered before is back after it."""
    _check_kind(kind)
    before = _renderers.get(kind)
    _renderers[kind] = render
    try:
        yield
    finally:
        if before is None:
            _renderers.pop(kind, None)
        else:
            _renderers[kind] = before


def _parse(reference: str) -> tuple[str, int]:
    kind, _sep, pk = reference.rpartition(":")
    # isdecimal, not int(): int() would also take " 12", "+12" and "1_2".
    if not kind or not pk.isascii() or not pk.isdecimal():
        raise AttachmentMissing(_("“%s” is not a reference to a file.") % reference)
    return kind, int(pk)


def render(reference: str, practice: Practice) -> Attachment:
    """The file of `reference` ("kind:id") in `practice`, made now. Raises AttachmentMissing
    when the kind is unknown, the id is not a number, or the object is not there (any more)."""
    kind, pk = _parse(reference)
    renderer = _renderers.get(kind)
    if renderer is None:
        raise AttachmentMissing(
            _("Clientbook cannot make files of the kind “%s” (no app provides them).") % kind
        )
    try:
        made = renderer(pk, practice)
    except AttachmentMissing:
        raise
    except (LookupError, ObjectDoesNotExist):
        raise AttachmentMissing(
            _("The document this file is made from no longer exists.")
        ) from None
    if not isinstance(made, Attachment):
        raise TypeError(f"the renderer of {kind!r} returned {type(made).__name__}, not Attachment")
    return made
