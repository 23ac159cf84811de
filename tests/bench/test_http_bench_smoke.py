"""bench/http_bench.py end to end on a handful of instances: it serves, drives the API, and stops the server."""

from __future__ import annotations

import pytest

from bench.http_bench import measure_http

pytestmark = pytest.mark.slow  # three subprocesses (demo, token, serve), a few seconds


def test_http_bench_runs_and_reports_both_rates() -> None:
    result = measure_http(instances=3, repeats=1)
    assert result["http_instances_per_s"] > 0 and result["inprocess_instances_per_s"] > 0
    assert result["http_vs_inprocess_ratio"] > 0
    assert result["requests_per_instance"] == 3 and result["instances"] == 3
