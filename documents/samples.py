"""Small real files made in code, for the demo and the tests (no binary files in the
repository): a PDF of a few lines, and a PNG of one colour."""

import struct
import zlib

from clientbook.lib.pdf import Paper


def sample_pdf(title: str, lines: list[str] | tuple[str, ...] = (), *, practice: str = "") -> bytes:
    paper = Paper(title=title, practice_name=practice or title)
    paper.heading(title)
    for line in lines:
        paper.text(line)
    return paper.output()


def sample_png(
    width: int = 48, height: int = 32, rgb: tuple[int, int, int] = (31, 95, 91)
) -> bytes:
    """A valid PNG filled with one colour (8-bit RGB, no filter)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
