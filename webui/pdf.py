"""Printable documents (vouchers, histories, plan instalments) as PDF, drawn with fpdf2's core fonts.

A document is built from plain strings the view already formatted (money, dates in Spanish), so the PDF shows
exactly what the page shows. The core fonts cover Latin-1, which holds every Spanish letter; anything outside it
is replaced by its nearest Latin-1 spelling rather than failing the print.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import Response
from fpdf import FPDF
from fpdf.enums import XPos, YPos

_REPLACEMENTS = {"—": "-", "–": "-", "…": "...", "“": '"', "”": '"', "‘": "'", "’": "'", "✓": "Sí", "✗": "No",
                 "\u00a0": " ", "\u202f": " "}
PAGE_WIDTH_MM = 180  # A4 minus 15 mm margins


def latin1(text: str) -> str:
    """``text`` in Latin-1: known symbols spelled out, other characters stripped of their accents or dropped."""
    out = []
    for char in text:
        char = _REPLACEMENTS.get(char, char)
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            char = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[float] | None = None  # relative widths; equal when None
    align_right: frozenset[int] = frozenset()  # columns drawn right-aligned (money)


@dataclass
class PdfDocument:
    """A titled document of sections: label/value pairs, tables and paragraphs, in order."""

    title: str
    subtitle: str = ""
    issuer: str = "Universidad — Servicios Financieros"
    _blocks: list[tuple[str, object]] = field(default_factory=list)

    def heading(self, text: str) -> PdfDocument:
        self._blocks.append(("heading", text))
        return self

    def pairs(self, items: Sequence[tuple[str, str]]) -> PdfDocument:
        self._blocks.append(("pairs", list(items)))
        return self

    def table(self, table: Table) -> PdfDocument:
        self._blocks.append(("table", table))
        return self

    def paragraph(self, text: str) -> PdfDocument:
        self._blocks.append(("paragraph", text))
        return self

    def render(self) -> bytes:
        pdf = FPDF(format="A4")
        pdf.set_margins(15, 15, 15)
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.set_title(latin1(self.title))
        pdf.set_creator("cauce")
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 5, latin1(self.issuer), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", style="B", size=15)
        pdf.multi_cell(0, 8, latin1(self.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if self.subtitle:
            pdf.set_font("Helvetica", size=10)
            pdf.multi_cell(0, 5, latin1(self.subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        for kind, content in self._blocks:
            if kind == "heading":
                pdf.ln(2)
                pdf.set_font("Helvetica", style="B", size=11)
                pdf.multi_cell(0, 6, latin1(str(content)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            elif kind == "pairs":
                _pairs(pdf, content)  # type: ignore[arg-type]
            elif kind == "table":
                _table(pdf, content)  # type: ignore[arg-type]
            else:
                pdf.set_font("Helvetica", size=9)
                pdf.multi_cell(0, 4.5, latin1(str(content)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(1)
        return bytes(pdf.output())


def _pairs(pdf: FPDF, items: list[tuple[str, str]]) -> None:
    for label, value in items:
        pdf.set_font("Helvetica", style="B", size=9)
        pdf.cell(55, 5.5, latin1(label))
        pdf.set_font("Helvetica", size=9)
        pdf.multi_cell(PAGE_WIDTH_MM - 55, 5.5, latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: FPDF, table: Table) -> None:
    weights = list(table.widths or [1.0] * len(table.headers))
    total = sum(weights)
    widths = [PAGE_WIDTH_MM * w / total for w in weights]
    pdf.set_font("Helvetica", style="B", size=8.5)
    for width, header in zip(widths, table.headers, strict=True):
        pdf.cell(width, 6, latin1(header), border="B")
    pdf.ln()
    pdf.set_font("Helvetica", size=8.5)
    for row in table.rows:
        for column, (width, value) in enumerate(zip(widths, row, strict=True)):
            text = _fit(pdf, latin1(value), width - 1.5)
            pdf.cell(width, 5.5, text, align="R" if column in table.align_right else "L")
        pdf.ln()
    pdf.ln(1)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` shortened with "..." until it fits ``width``: a cell never wraps into the next column."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def pdf_response(data: bytes, filename: str) -> Response:
    """A generated PDF as the browser should take it: shown inline, named, and never cached (it holds an
    account's data)."""
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"})
