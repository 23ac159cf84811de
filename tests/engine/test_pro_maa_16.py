"""Every path through PRO-MAA-16, the engine restarted between steps, the ledger and the audit asserted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.runtime import Engine
from handlers.ledger.models import AccountingExport, Invoice, Notice, Payment
from tests.conftest import make_engine
from tests.engine.pro_maa_16_driver import balance, billing_instance, payment_facts, run_to_end, start

# TIC's tasks, and billing's "Anular factura electrónica", worked in billing's own pool (pro_maa_16_facturacion)
FULL_PATH = ["Activity_revisar_solicitud", "Activity_anular_factura", "Activity_liberar_pago_ajuste",
             "Activity_reclasificar"]


def _notices(db: Database, recipient: str) -> list[str]:
    with db.read() as session:
        return [n.subject for n in session.scalars(select(Notice).where(Notice.recipient == recipient))]


def _audit_kinds(engine: Engine, instance_id: int) -> list[tuple[str, str | None, str]]:
    return [(e.kind, e.element_id, e.actor) for e in engine.show(instance_id).history]


def test_full_path_invoiced_identified_sent_to_accounting(engine: Engine, db: Database) -> None:
    before = balance(db, "20261001")
    facts = payment_facts(db, "PG-1001")
    assert facts["invoiced"] and facts["sent_to_accounting"] and facts["identified"]
    amount = Decimal(facts["amount"])

    view = start(db, "PG-1001")
    assert [t.element_id for t in view.open_tasks] == ["Activity_revisar_solicitud"]
    assert run_to_end(db, view) == FULL_PATH

    detail = make_engine(db).show(view.id)
    assert detail.instance.status == "completed"
    after = payment_facts(db, "PG-1001")
    assert after["receipt_annulled"] is True and after["released"] is True
    assert balance(db, "20261001") == before + amount  # the abonos are undone: the charge is owed again
    with db.read() as session:
        payment = session.scalars(select(Payment).where(Payment.number == "PG-1001")).one()
        exports = session.scalars(select(AccountingExport).where(AccountingExport.payment_id == payment.id)
                                  .order_by(AccountingExport.id)).all()
        kinds = [e.kind for e in exports]
        assert kinds == ["sent", "reversal", "resend"]
        original, reversal, resend = exports
        assert reversal.reverses_id == original.id
        assert resend.application_date == original.application_date == date(2026, 1, 20)
        assert resend.income_account == original.income_account
        assert (resend.summary_type, resend.analytic_dimension) == ("MATRICULA-AJUSTADA", "PRE-2026A-ADM")
        invoices = session.scalars(select(Invoice).where(Invoice.payment_id == payment.id)
                                   .order_by(Invoice.id)).all()
        assert len(invoices) == 2 and invoices[1].replaces_id == invoices[0].id
        assert invoices[1].amount == invoices[0].amount
    assert after["invoice"] == invoices[1].number and after["invoice_status"] == "issued"
    assert "Ajuste registrado" in _notices(db, "coord.bogota")
    assert any("anulada" in s.lower() for s in _notices(db, "direccion_tic"))

    audit = _audit_kinds(make_engine(db), view.id)
    completed = [(el, actor) for kind, el, actor in audit if kind == "task_completed"]
    assert completed == [("Activity_revisar_solicitud", "tic.ana"), ("Activity_liberar_pago_ajuste", "tic.ana"),
                         ("Activity_reclasificar", "conta.maria")]
    # billing's part ran in its own pool, started by TIC's message and answering with "factura_anulada"
    assert ("message_sent", "Event_pedir_anulacion_factura", "tic.ana") in audit
    assert ("message_received", "Event_factura_anulada", "sistema") in audit
    billing = make_engine(db).show(billing_instance(db, view.id))
    assert billing.instance.process_id == "pro_maa_16_facturacion" and billing.instance.status == "completed"
    assert [(e.element_id, e.actor) for e in billing.history if e.kind == "task_completed"] == [
        ("Activity_anular_factura", "fact.luis")]
    assert detail.data["anulacion_factura"]["payment"] == "PG-1001"
    handler_calls = [c["handler"] for e in [*detail.history, *billing.history] for c in e.detail.get("calls", [])]
    for name in ("requester_may_annul", "payment_is_invoiced", "invoice_is_used", "annul_invoice",
                 "release_payment", "payment_is_identified", "annul_credit", "annul_payment",
                 "payment_sent_to_accounting", "reverse_accounting", "invoice_annulled_for", "reinvoice",
                 "notify_requester"):
        assert name in handler_calls
    assert "move_to_generic_bag" not in handler_calls
    assert audit[-1][0] == "status_changed"


def test_used_invoice_ends_the_procedure_and_tells_the_requester(engine: Engine, db: Database) -> None:
    before = balance(db, "20261002")
    view = start(db, "PG-1002", reason="baja_academica")
    assert run_to_end(db, view) == ["Activity_revisar_solicitud"]
    detail = make_engine(db).show(view.id)
    assert detail.instance.status == "completed"
    assert [e.element_id for e in detail.history if e.kind == "task_run"][-1] == "Event_factura_utilizada"
    facts = payment_facts(db, "PG-1002")
    assert facts["invoice_status"] == "used" and facts["receipt_annulled"] is False and not facts["released"]
    assert balance(db, "20261002") == before
    assert detail.data["aviso_factura_utilizada"]["recipient"] == "coord.bogota"


def test_not_invoiced_identified_payment_is_annulled_without_accounting(engine: Engine, db: Database) -> None:
    before = balance(db, "20261003")
    amount = Decimal(payment_facts(db, "PG-1003")["amount"])
    view = start(db, "PG-1003", adjustment="reversa")
    assert run_to_end(db, view) == ["Activity_revisar_solicitud", "Activity_liberar_pago_ajuste"]
    facts = payment_facts(db, "PG-1003")
    assert facts["receipt_annulled"] and facts["released"] and facts["adjustment"] == "reversa"
    assert facts["invoice"] is None and not facts["sent_to_accounting"]
    assert balance(db, "20261003") == before + amount
    calls = [c["handler"] for e in make_engine(db).show(view.id).history for c in e.detail.get("calls", [])]
    assert "reinvoice" not in calls and "reverse_accounting" not in calls


@pytest.mark.parametrize(("payment", "account", "bag"), [("PG-1004", "20261004", "GEN-MED"),
                                                         ("PG-1005", "20261005", "GEN-GLOBAL")])
def test_unidentified_payment_goes_to_the_generic_bag(engine: Engine, db: Database, payment: str, account: str,
                                                      bag: str) -> None:
    amount = Decimal(payment_facts(db, payment)["amount"])
    student_before, bag_before = balance(db, account), balance(db, bag)
    view = start(db, payment)
    run_to_end(db, view)
    facts = payment_facts(db, payment)
    assert facts["identified"] is False and facts["generic_account"] == bag
    assert balance(db, account) == student_before + amount
    assert balance(db, bag) == bag_before - amount  # the money waits in the bag as a credit


def test_company_invoice_is_annulled_and_reissued_to_the_same_nit(engine: Engine, db: Database) -> None:
    original = payment_facts(db, "PG-1006")
    assert original["invoice_customer_kind"] == "company"
    view = start(db, "PG-1006")
    assert run_to_end(db, view) == FULL_PATH[:3]
    with db.read() as session:
        invoices = session.scalars(select(Invoice).join(Payment, Invoice.payment_id == Payment.id)
                                   .where(Payment.number == "PG-1006").order_by(Invoice.id)).all()
        assert [i.customer_kind for i in invoices] == ["company", "company"]
        assert invoices[0].customer_id == invoices[1].customer_id
        assert invoices[1].replaces_id == invoices[0].id


def test_requester_without_permission_is_rejected(engine: Engine, db: Database) -> None:
    view = start(db, "PG-1003", requester="coord.medellin")
    assert view.status == "completed" and view.open_tasks == []
    detail = make_engine(db).show(view.id)
    assert [e.element_id for e in detail.history if e.kind == "task_run"][-1] == "Event_no_autorizado"
    assert payment_facts(db, "PG-1003")["released"] is False
    assert _notices(db, "coord.medellin")


def test_error_annulment_needs_an_authorized_unit(engine: Engine, db: Database) -> None:
    view = start(db, "PG-1003", reason="error_transaccion")
    assert [t.element_id for t in view.open_tasks] == ["Activity_revisar_solicitud"]


def test_tic_rejection_changes_nothing(engine: Engine, db: Database) -> None:
    before = balance(db, "20261001")
    view = start(db, "PG-1001")
    answers = {"Activity_revisar_solicitud": ("tic.ana", {"decision": "rechazar",
                                                          "observaciones": "El soporte no corresponde al pago"})}
    assert run_to_end(db, view, answers) == ["Activity_revisar_solicitud"]
    detail = make_engine(db).show(view.id)
    assert [e.element_id for e in detail.history if e.kind == "task_run"][-1] == "Event_rechazada"
    assert balance(db, "20261001") == before
    assert payment_facts(db, "PG-1001")["invoice_status"] == "issued"


def test_only_the_lane_role_may_work_a_task(engine: Engine, db: Database) -> None:
    from engine.errors import Forbidden

    view = start(db, "PG-1003")
    task = view.open_tasks[0]
    with pytest.raises(Forbidden, match="direccion_tic"):
        make_engine(db).complete(task.id, "fact.luis", {"decision": "aprobar"})
    with pytest.raises(Forbidden, match="no existe"):
        make_engine(db).complete(task.id, "nobody", {"decision": "aprobar"})
    assert [t.id for t in make_engine(db).tasks_for("tic.ana")] == [task.id]
    assert make_engine(db).tasks_for("fact.luis") == []


def test_only_the_start_lane_role_may_start(engine: Engine, db: Database) -> None:
    from engine.errors import Forbidden

    with pytest.raises(Forbidden, match="coordinacion_administrativa"):
        start(db, "PG-1003", requester="tic.ana")
