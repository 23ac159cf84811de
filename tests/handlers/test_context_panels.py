"""The context panels a PRO-MAA-16 task page shows beside its form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from handlers.context_panels import CONTEXT_PANELS, Panel, pro_maa_16_panels
from handlers.demo import DemoPayment
from tests.handlers.conftest import NOW

REQUEST = {"payment": "PG-1001", "adjustment": "anulacion", "reason": "correccion_estimacion",
           "justification": "Cambio de tarifa por traslado de plan académico."}


def _by_title(panels: list[Panel]) -> dict[str, dict[str, object]]:
    return {p.title: dict(p.rows) for p in panels}


def test_pro_maa_16_shows_request_payment_invoice_receipt_and_statement(session: Session,
                                                                         demo: list[DemoPayment]) -> None:
    panels = _by_title(pro_maa_16_panels(session, REQUEST, now=NOW))
    assert list(panels) == ["Solicitud de anulación o reversa", "Pago", "Factura", "Recibo de caja",
                            "Estado de cuenta"]
    request = panels["Solicitud de anulación o reversa"]
    assert request["Tipo de ajuste"] == "Anulación"
    assert request["Motivo"] == "Corrección de estimación por cambio de tarifa, currículo, plan o campus"
    payment = panels["Pago"]
    assert payment["Valor"] == Decimal("1752770.00") and isinstance(payment["Valor"], Decimal)
    assert payment["Fecha de pago"] == date(2026, 1, 20)
    assert payment["Identificado"] is True and payment["Migrado contablemente"] is True
    assert payment["Cuenta"] == "20261001 · Ana María Rojas Díaz"
    invoice = panels["Factura"]
    assert invoice["Número"] == "FE-5001" and invoice["Estado"] == "Emitida"
    assert isinstance(invoice["Valor"], Decimal)
    assert panels["Recibo de caja"] == {"Número": "RC-2001", "Lote": "L-301", "Anulado": False}
    statement = panels["Estado de cuenta"]
    assert statement["Cuenta"] == "20261001" and statement["Titular"] == "Ana María Rojas Díaz"
    assert isinstance(statement["Saldo"], Decimal) and isinstance(statement["Saldo vencido"], Decimal)


def test_a_payment_without_invoice_says_so(session: Session, demo: list[DemoPayment]) -> None:
    panels = _by_title(pro_maa_16_panels(session, {**REQUEST, "payment": "PG-1003"}, now=NOW))
    assert panels["Factura"] == {"Factura": "El pago no está facturado."}


def test_an_unknown_payment_is_reported_not_raised(session: Session, demo: list[DemoPayment]) -> None:
    panels = _by_title(pro_maa_16_panels(session, {**REQUEST, "payment": "PG-9999"}, now=NOW))
    assert list(panels) == ["Solicitud de anulación o reversa", "Pago"]
    assert "PG-9999" in str(panels["Pago"]["Aviso"])


def test_without_a_payment_only_the_request_shows(session: Session, demo: list[DemoPayment]) -> None:
    panels = pro_maa_16_panels(session, {}, now=NOW)
    assert [p.title for p in panels] == ["Solicitud de anulación o reversa"]


def test_providers_are_keyed_by_process_id() -> None:
    assert CONTEXT_PANELS["pro_maa_16"] is pro_maa_16_panels
