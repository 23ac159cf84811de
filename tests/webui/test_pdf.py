from __future__ import annotations

from tests.pdf_text import pdf_text
from webui.pdf import PdfDocument, Table, latin1


def test_a_document_reads_back_with_its_spanish_text() -> None:
    doc = (PdfDocument("Comprobante de pago", subtitle="Transacción 83")
           .pairs([("Comercio", "Universidad — Servicios Financieros"), ("Total", "$ 175.277,00")])
           .heading("Cuotas")
           .table(Table(["#", "Vence", "Valor"], [["1", "23/12/2026", "$ 1.752.770,00"]], align_right=frozenset({2})))
           .paragraph("Pagaré incondicionalmente… a la orden del acreedor."))
    text = pdf_text(doc.render())
    for expected in ("Comprobante de pago", "Transacción 83", "Comercio", "Universidad - Servicios Financieros",
                     "$ 175.277,00", "Cuotas", "23/12/2026", "$ 1.752.770,00", "Pagaré incondicionalmente..."):
        assert expected in text


def test_long_cells_are_shortened_and_tables_span_pages() -> None:
    rows = [[str(n), "Concepto " + "muy largo " * 20, "$ 1,00"] for n in range(120)]
    data = PdfDocument("Historial").table(Table(["#", "Concepto", "Valor"], rows, widths=[1, 6, 2])).render()
    text = pdf_text(data)
    assert "119" in text and "..." in text
    assert text.count("\n") > 120


def test_characters_outside_latin1_are_spelled_or_dropped() -> None:
    assert latin1("Sí ✓ — ñandú “x” \u2603") == 'Sí Sí - ñandú "x" '
