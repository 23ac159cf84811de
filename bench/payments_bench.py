"""What paying online costs the app, measured side by side in one run.

- **A gateway notification** (signature, freshness, strict parsing, the order's row lock, the payment, its abono,
  the order's voucher, the audit row, one commit) against **posting the same payment straight to the ledger**
  (record_payment + apply_credit in one transaction, what a cashier's posting costs). The ratio is the price of
  doing it safely from an untrusted network.
- **A duplicated notification** (the gateway's retry of one already applied) against the first delivery: a retry
  must be cheap, since a gateway may resend many times.
- **The Oficina's home** (statement, pending invoices, credits, adhesions, plans) for an account with 100 pending
  invoices against one with 10: it should grow with the invoices shown, not worse.

Rounds alternate the sides of each pair so drift on a noisy machine hits both alike; medians are reported.
Run: ``.venv/bin/python -m bench.payments_bench [--rounds R]`` (prints one JSON object).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from cli.demo import seed_demo
from cli.wiring import initialize
from engine.db import Database
from engine.runtime import Engine
from handlers.errors import HandlerInputError
from handlers.ledger.charges import add_charge
from handlers.ledger.kinds import ChargeKind
from handlers.ledger.models import Account
from handlers.ledger.payments import apply_credit, record_payment
from handlers.ledger.values import Audit
from handlers.oficina.home import account_home
from handlers.oficina.orders import OrderItemRequest, create_order
from handlers.registry import HANDLERS
from webui.payment_notifications import handle_notification, signature_of
from webui.payments_config import PaymentsConfig

ACCOUNT = "20262001"  # estudiante.camila's account in the demo
USER = "estudiante.camila"
AMOUNT = Decimal("175277.00")
CONFIG = PaymentsConfig(merchant_id="UNIV-CAUCE", merchant_name="Universidad", merchant_nit="860.000.123-4",
                        gateway_url="/pasarela", secret="bench-secret")


def _timed(action: Callable[[], Any]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def _audit(now: datetime) -> Audit:
    return Audit(actor="bench", at=now, reason="benchmark", instance_ref=None)


def _charge(db: Database, account: str, now: datetime, label: str) -> int:
    with db.write() as session:
        return add_charge(session, account_code=account, kind=ChargeKind.FEE, description=label, amount=AMOUNT,
                          charged_on=now.date(), due_on=now.date() + timedelta(days=30), audit=_audit(now)).id


def _account_id(db: Database, code: str) -> int:
    with db.read() as session:
        found = session.query(Account.id).filter(Account.code == code).scalar()
        assert found is not None, code
        return int(found)


def _order(db: Database, account_id: int, charge_id: int, now: datetime) -> str:
    with db.write() as session:
        item = OrderItemRequest(kind="charge", ref=str(charge_id), amount=AMOUNT, description="Derecho pecuniario")
        return create_order(session, username=USER, account_id=account_id, items=[item], now=now,
                            client_ip="127.0.0.1").reference


def _body(reference: str, transaction: str, now: datetime) -> bytes:
    return json.dumps({
        "notification_id": str(uuid.uuid4()), "merchant": CONFIG.merchant_id, "reference": reference,
        "transaction_id": transaction, "status": "approved", "amount": f"{AMOUNT:.2f}", "currency": "COP",
        "vat": "0.00", "vat_base": "0.00", "instalments": 1, "bank": "Banco de Bogotá", "unique_code": "1706",
        "terminal": "000", "authorization_code": "0012AB", "response_code": "00", "error_code": "0000",
        "description": "Aprobada", "processed_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "payer_ip": "127.0.0.1",
    }).encode()


def _deliver(engine: Engine, body: bytes, expected: str) -> None:
    now = datetime.now(UTC)
    stamp = str(int(now.timestamp()))
    status, answer = handle_notification(engine=engine, config=CONFIG, body=body, timestamp=stamp,
                                         signature=signature_of(CONFIG.secret, stamp, body), now=now,
                                         remote_addr="127.0.0.1")
    assert status == 200 and answer.get("status") == expected, (status, answer)


def _direct(db: Database, charge_id: int, number: str, now: datetime) -> None:
    from handlers.ledger.models import Charge

    with db.write() as session:
        payment = record_payment(session, number=number, amount=AMOUNT, paid_on=now.date(), campus_code=None,
                                 identified=True, account_code=ACCOUNT, audit=_audit(now))
        charge = session.get(Charge, charge_id)
        assert charge is not None
        apply_credit(session, payment=payment, charge=charge, amount=AMOUNT, audit=_audit(now))


def measure_notifications(engine: Engine, rounds: int) -> dict[str, Any]:
    db = engine.db
    now = datetime.now(UTC)
    account_id = _account_id(db, ACCOUNT)
    notify_s: list[float] = []
    direct_s: list[float] = []
    duplicate_s: list[float] = []
    for i in range(rounds):
        reference = _order(db, account_id, _charge(db, ACCOUNT, now, f"Bench {i}"), now)
        body = _body(reference, f"T{i}", now)
        other = _charge(db, ACCOUNT, now, f"Bench directo {i}")
        notify_s.append(_timed(lambda body=body: _deliver(engine, body, "applied")))  # type: ignore[misc]
        direct_s.append(_timed(lambda other=other, i=i: _direct(db, other, f"BD-{i}", now)))  # type: ignore[misc]
        duplicate_s.append(_timed(lambda body=body: _deliver(engine, body, "already_applied")))  # type: ignore[misc]
    notify_ms = statistics.median(notify_s) * 1000
    direct_ms = statistics.median(direct_s) * 1000
    duplicate_ms = statistics.median(duplicate_s) * 1000
    return {"rounds": rounds, "notification_ms": round(notify_ms, 2), "direct_ledger_ms": round(direct_ms, 2),
            "duplicate_ms": round(duplicate_ms, 2),
            "notification_to_direct": round(notify_ms / direct_ms, 2),
            "duplicate_to_notification": round(duplicate_ms / notify_ms, 2)}


def measure_home(engine: Engine, rounds: int) -> dict[str, Any]:
    db = engine.db
    now = datetime.now(UTC)
    sizes = {"10": "20261005", "100": "20261006"}  # two demo students with no pending fee of their own
    for size, code in sizes.items():
        for i in range(int(size)):
            _charge(db, code, now, f"Cuota {i}")
    ids = {size: _account_id(db, code) for size, code in sizes.items()}
    times: dict[str, list[float]] = {size: [] for size in sizes}
    for _ in range(rounds):
        for size in sizes:
            with db.read() as session:
                times[size].append(_timed(lambda s=session, size=size: account_home(  # type: ignore[misc]
                    s, ids[size], now.date())))
    ms = {size: statistics.median(values) * 1000 for size, values in times.items()}
    return {"home_10_ms": round(ms["10"], 2), "home_100_ms": round(ms["100"], 2),
            "home_100_to_10": round(ms["100"] / ms["10"], 2)}


def run(database_url: str | None = None, rounds: int = 21) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cauce-payments-bench-") as tmp:
        db = Database(database_url or f"sqlite:///{Path(tmp) / 'payments.db'}")
        try:
            initialize(db)
            seed_demo(db)
            engine = Engine(db, dict(HANDLERS), input_errors=(HandlerInputError,))
            return {"database": db.dialect, "notification_vs_ledger": measure_notifications(engine, rounds),
                    "home_by_invoices": measure_home(engine, rounds)}
        finally:
            db.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A gateway notification against a ledger posting; the home page.")
    parser.add_argument("--database-url", default=None, help="an empty database (default: a temporary SQLite file)")
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.database_url, max(1, args.rounds)), ensure_ascii=False))


if __name__ == "__main__":
    main()
