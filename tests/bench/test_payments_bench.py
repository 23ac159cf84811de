"""bench/payments_bench.py on a couple of rounds: each pair measured, each notification really applied once."""

from __future__ import annotations

from bench.payments_bench import run


def test_payments_bench_reports_each_pair() -> None:
    result = run(rounds=2)
    figures = result["notification_vs_ledger"]
    assert figures["rounds"] == 2
    assert figures["notification_ms"] > 0 and figures["direct_ledger_ms"] > 0 and figures["duplicate_ms"] > 0
    assert result["home_by_invoices"]["home_100_to_10"] > 0
