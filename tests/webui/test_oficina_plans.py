"""The payment plan pages: PLAN DE PAGO on Inicio, the options, the data, the plan and its PDF, PAGAR PRIMERA
CUOTA through an order to the gateway (the payment activates the plan), the refusals, and other people's 404."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from engine.db import Database, utcnow
from engine.runtime import Engine
from handlers.oficina.apply import GatewayNotification, apply_notification
from handlers.oficina.order_models import PaymentOrder
from handlers.plans.models import PaymentPlan
from tests.engine.events_helpers import Clock, drain
from tests.pdf_text import pdf_text
from tests.processes.plan_driver import PLAN_DATA
from tests.webui.conftest import SignedIn

VALENTINA = "20268101"
CAMILA_ACCOUNT = "20262001"
FORM = {k: ("si" if v is True else v) for k, v in PLAN_DATA.items()}


def _text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def _start(jorge: SignedIn) -> str:
    """PLAN DE PAGO from Inicio; returns the options page's URL."""
    home = _text(jorge.get(f"/oficina/cuentas/{VALENTINA}"))
    assert "PLAN DE PAGO" in home and "$ 4.200.000,00" in home
    started = jorge.post(f"/oficina/cuentas/{VALENTINA}/plan-de-pago")
    assert started.status_code == 303
    return started.headers["Location"]


def _generate(jorge: SignedIn, cuotas: str = "3") -> str:
    options = _start(jorge)
    chosen = jorge.post(options, data={"cuotas": cuotas})
    assert chosen.status_code == 303
    done = jorge.post(chosen.headers["Location"], data=FORM)
    assert done.status_code == 303, _text(done)
    return done.headers["Location"]


def test_plan_de_pago_from_options_to_the_plan(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    options_url = _start(jorge)
    page = _text(jorge.get(options_url))
    assert "GENERAR PLAN" in page and "Sin intereses de financiación" in page
    assert "3 cuotas</strong> de $ 1.400.000,00" in page and "12 cuotas" in page
    assert "(la última de $ 350.000,00)" not in page  # 4.200.000 / 12 is exact
    data_url = jorge.post(options_url, data={"cuotas": "3"}).headers["Location"]
    form = _text(jorge.get(data_url))
    assert "Jorge Rojas" in form and "Acepto las condiciones del plan de pago" in form
    plan_url = jorge.post(data_url, data=FORM).headers["Location"]
    assert plan_url.endswith(f"/oficina/cuentas/{VALENTINA}/planes/PP-0001")
    plan = _text(jorge.get(plan_url))
    assert "Plan de pago PP-0001" in plan and "IMPRIMIR CUOTAS DE PLAN DE PAGO" in plan
    assert "PAGAR PRIMERA CUOTA" in plan and "¿Está seguro de realizar el pago?" in plan
    assert plan.count("$ 1.400.000,00") >= 3 and "Pendiente" in plan
    home = _text(jorge.get(f"/oficina/cuentas/{VALENTINA}"))
    assert "PLAN DE PAGO</button>" not in home  # a live plan: no second offer
    assert "PP-0001" in home and "Pendiente de la primera cuota" in home and "Plan PP-0001" in home
    # the request's pages now lead to the plan
    assert jorge.get(options_url).headers["Location"].endswith("/planes/PP-0001")


def test_the_instalments_pdf_reads_back(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    plan_url = _generate(jorge, "2")
    pdf = jorge.get(f"{plan_url}/cuotas.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    text = pdf_text(pdf.data)
    for words in ("Cuotas del plan de pago PP-0001", "Cuenta 20268101", "$ 2.100.000,00", "$ 4.200.000,00",
                  "Jorge Rojas", "Matrícula 2026-2", "Pendiente", "sin intereses"):
        assert words in text, words


def _approve(engine: Engine, db: Database, location: str, amount: str, transaction: str) -> tuple[Any, ...]:
    """The bank approves the order the PAGAR redirect names; its messages are sent and delivered."""
    match = re.search(r"/oficina/pagos/(OP-\d+)/pasarela$", location)
    assert match
    with db.read() as session:
        order = session.scalars(select(PaymentOrder).where(PaymentOrder.reference == match.group(1))).one()
        assert order.amount == Decimal(amount)
    now = utcnow()
    notice = GatewayNotification(
        notification_id=str(uuid4()), merchant="UNIV-CAUCE", reference=match.group(1), transaction_id=transaction,
        status="approved", amount=Decimal(amount), currency="COP", vat=Decimal("0.00"),
        vat_base=Decimal("0.00"), instalments=1, bank="Banco de Bogotá", unique_code="1706", terminal="000",
        authorization_code="0012AB", response_code="00", error_code="2300", description="Aprobada",
        processed_at=now, payer_ip="127.0.0.1")
    with db.write() as session:
        result = apply_notification(session, notice, now=now, remote_addr="127.0.0.1")
    for message in result.messages:
        engine.send_message(message.name, message.correlation_key, message.payload, sender="pasarela",
                            message_key=message.message_key)
    drain(engine, Clock(now + timedelta(seconds=1)))
    return result.messages


def test_paying_the_first_instalment_goes_to_the_gateway_and_activates_the_plan(
        sign_in: Callable[[str], SignedIn], engine: Engine, db: Database) -> None:
    jorge = sign_in("acudiente.jorge")
    plan_url = _generate(jorge, "2")
    paid = jorge.post(f"{plan_url}/pagar", data={"cuota": "1"})
    assert paid.status_code == 303
    [message] = _approve(engine, db, paid.headers["Location"], "2100000.00", "9001")
    assert (message.name, message.correlation_key, message.message_key) == \
        ("cuota_inicial_pagada", "PP-0001", "PP-0001-cuota-1")
    plan = _text(jorge.get(plan_url))
    assert "Activo" in plan and "Pagada" in plan
    assert "PAGAR</summary>" in plan and "cuota 2 de" in plan  # the next one
    home = _text(jorge.get(f"/oficina/cuentas/{VALENTINA}"))
    assert "PP-0001" in home and ">Activo<" in home
    # the second and last: no message, and the plan is paid off
    second = jorge.post(f"{plan_url}/pagar", data={"cuota": "2"})
    assert _approve(engine, db, second.headers["Location"], "2100000.00", "9002") == ()
    plan = _text(jorge.get(plan_url))
    assert "<dd>Pagado</dd>" in plan and "PAGAR</summary>" not in plan
    home = _text(jorge.get(f"/oficina/cuentas/{VALENTINA}"))
    assert ">Pagado<" in home and "Plan PP-0001" not in home  # its invoice is no longer held by the plan


def test_not_eligible_shows_the_reason(sign_in: Callable[[str], SignedIn], db: Database) -> None:
    camila = sign_in("estudiante.camila")
    assert "PLAN DE PAGO</button>" not in _text(camila.get(f"/oficina/cuentas/{CAMILA_ACCOUNT}"))
    page = camila.post(f"/oficina/cuentas/{CAMILA_ACCOUNT}/plan-de-pago")
    assert page.status_code == 200
    text = _text(page)
    assert "No es posible generar un plan de pago" in text and "deuda vencida" in text
    with db.read() as session:
        assert session.scalar(select(func.count(PaymentPlan.id))) == 0


def test_bad_choices_and_data_are_400_naming_the_field_and_write_nothing(
        sign_in: Callable[[str], SignedIn], db: Database) -> None:
    jorge = sign_in("acudiente.jorge")
    options_url = _start(jorge)
    for bad in ("5", "", "tres", "999999"):
        refused = jorge.post(options_url, data={"cuotas": bad})
        assert refused.status_code == 400 and "<strong>Número de cuotas:</strong>" in _text(refused)
    data_url = jorge.post(options_url, data={"cuotas": "6"}).headers["Location"]
    for field, value, label in (("documento", "12-34", "Número de documento"), ("telefono", "abc", "Teléfono"),
                                ("correo", "sin-arroba", "Correo electrónico"), ("titular", "", "Nombre del titular"),
                                ("acepta_condiciones", None, "Condiciones")):
        data = {k: v for k, v in FORM.items() if not (k == field and value is None)}
        if value is not None:
            data[field] = value
        refused = jorge.post(data_url, data=data)
        assert refused.status_code == 400, field
        assert f"<strong>{label}:</strong>" in _text(refused), field
    with db.read() as session:
        assert session.scalar(select(func.count(PaymentPlan.id))) == 0


def test_paying_out_of_order_or_an_unknown_instalment_is_400(sign_in: Callable[[str], SignedIn],
                                                             db: Database) -> None:
    jorge = sign_in("acudiente.jorge")
    plan_url = _generate(jorge, "3")
    second = jorge.post(f"{plan_url}/pagar", data={"cuota": "2"})
    assert second.status_code == 400 and "<strong>Cuota:</strong>" in _text(second)
    unknown = jorge.post(f"{plan_url}/pagar", data={"cuota": "x"})
    assert unknown.status_code == 400
    with db.read() as session:
        assert session.scalar(select(func.count(PaymentOrder.id))) == 0


def test_another_requester_gets_404(sign_in: Callable[[str], SignedIn]) -> None:
    jorge = sign_in("acudiente.jorge")
    options_url = _start(jorge)
    plan_url = _generate_from(jorge, options_url)
    camila = sign_in("estudiante.camila")
    assert camila.get(options_url).status_code == 404
    assert camila.get(plan_url).status_code == 404
    assert camila.get(f"{plan_url}/cuotas.pdf").status_code == 404
    assert camila.post(f"{plan_url}/pagar", data={"cuota": "1"}).status_code == 404
    assert camila.post(f"/oficina/cuentas/{VALENTINA}/plan-de-pago").status_code == 404
    # her own account in the URL does not reach Jorge's plan or request either
    assert camila.get(f"/oficina/cuentas/{CAMILA_ACCOUNT}/planes/PP-0001").status_code == 404
    request_id = options_url.rstrip("/").split("/")[-2]
    assert camila.get(f"/oficina/cuentas/{CAMILA_ACCOUNT}/plan-de-pago/{request_id}/opciones").status_code == 404


def _generate_from(jorge: SignedIn, options_url: str) -> str:
    data_url = jorge.post(options_url, data={"cuotas": "2"}).headers["Location"]
    return jorge.post(data_url, data=FORM).headers["Location"]


def test_plan_de_pago_again_resumes_the_request_left_half_way(sign_in: Callable[[str], SignedIn],
                                                              engine: Engine) -> None:
    jorge = sign_in("acudiente.jorge")
    first = _start(jorge)
    data_url = jorge.post(first, data={"cuotas": "2"}).headers["Location"]
    again = jorge.post(f"/oficina/cuentas/{VALENTINA}/plan-de-pago")
    assert again.status_code == 303 and again.headers["Location"] == data_url
    # another account of his starts its own request
    other = jorge.post("/oficina/cuentas/20268102/plan-de-pago")
    assert other.status_code == 303 and other.headers["Location"] != first


def test_a_request_that_ended_unfinished_says_so(sign_in: Callable[[str], SignedIn], engine: Engine,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    jorge = sign_in("acudiente.jorge")
    options_url = _start(jorge)
    later = Clock(utcnow() + timedelta(days=1, minutes=5))
    monkeypatch.setattr(engine, "clock", later)
    drain(engine, later)  # a day without an answer: the request ends
    late = jorge.post(options_url, data={"cuotas": "2"})
    assert late.status_code == 409 and "La solicitud venció sin completarse" in _text(late)
    assert _start(jorge) != options_url  # PLAN DE PAGO again starts a new one
