"""Printable papers as PDF, made in-process (fpdf2, pure Python) with the DejaVu Sans font
shipped beside this module, so Portuguese, French and Polish letters print on any machine.

A paper is built top to bottom: a heading, blocks of lines side by side, a table, paragraphs.
Sales documents (billing.pdf) and certificates (documents) use it.
"""

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"


class Paper:
    """An A4 page flow with the practice's name at the top and page numbers at the bottom."""

    def __init__(self, *, title: str, practice_name: str, footer: str = ""):
        self.pdf = _PaperPDF(practice_name=practice_name, footer=footer)
        self.pdf.set_title(title)
        self.pdf.set_creator("Clientbook")
        self.pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.pdf.set_auto_page_break(auto=True, margin=18)
        self.pdf.set_margins(18, 16, 18)
        self.pdf.add_page()

    @property
    def width(self) -> float:
        return self.pdf.epw

    def heading(self, text: str, *, size: int = 16) -> None:
        self.pdf.set_font(FAMILY, "B", size)
        self.pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.space(2)

    def text(self, text: str, *, bold: bool = False, size: int = 10, align: str = "L") -> None:
        self.pdf.set_font(FAMILY, "B" if bold else "", size)
        self.pdf.multi_cell(0, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def space(self, height: float = 4) -> None:
        self.pdf.ln(height)

    def columns(self, blocks: Sequence[tuple[str, Sequence[str]]], *, size: int = 9) -> None:
        """Blocks side by side, each a bold title and its lines (seller | buyer | dates)."""
        top = self.pdf.get_y()
        width = self.width / max(len(blocks), 1)
        bottom = top
        for index, (title, lines) in enumerate(blocks):
            self.pdf.set_xy(self.pdf.l_margin + index * width, top)
            self.pdf.set_font(FAMILY, "B", size)
            self.pdf.multi_cell(width - 4, size * 0.5, title, new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.pdf.set_font(FAMILY, "", size)
            for line in lines:
                if line:
                    self.pdf.multi_cell(
                        width - 4, size * 0.5, line, new_x=XPos.LEFT, new_y=YPos.NEXT
                    )
            bottom = max(bottom, self.pdf.get_y())
        self.pdf.set_xy(self.pdf.l_margin, bottom)
        self.space(4)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[int],
        align: Sequence[str],
        size: int = 8,
        bold_last: bool = False,
    ) -> None:
        """A table with a header row repeated on each page; `widths` are relative."""
        self.pdf.set_font(FAMILY, "", size)
        aligns = tuple("RIGHT" if a == "R" else "CENTER" if a == "C" else "LEFT" for a in align)
        with self.pdf.table(
            col_widths=tuple(widths),
            text_align=aligns,
            line_height=size * 0.55,
            borders_layout="HORIZONTAL_LINES",
            headings_style=_heading_style(),
            first_row_as_headings=True,
            repeat_headings=1,
        ) as table:
            table.row(list(headers))
            for number, cells in enumerate(rows, start=1):
                bold = bold_last and number == len(rows)
                self.pdf.set_font(FAMILY, "B" if bold else "", size)
                table.row([str(c) for c in cells])
        self.space(3)

    def totals(self, pairs: Sequence[tuple[str, str]], *, size: int = 10) -> None:
        """Right-aligned label: amount lines under a table; the last in bold."""
        for number, (label, amount) in enumerate(pairs, start=1):
            self.pdf.set_font(FAMILY, "B" if number == len(pairs) else "", size)
            self.pdf.cell(self.width - 40, size * 0.55, label, align="R")
            self.pdf.cell(40, size * 0.55, amount, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.space(3)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(family=FAMILY, emphasis="BOLD", fill_color=(238, 241, 245))


class _PaperPDF(FPDF):
    def __init__(self, *, practice_name: str, footer: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.practice_name = practice_name
        self.footer_text = footer

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(110)
        left = f"{self.practice_name} · {self.footer_text}" if self.footer_text else ""
        self.cell(0, 4, left or self.practice_name, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"{self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0)
