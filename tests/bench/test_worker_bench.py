"""bench/worker_bench.py at a tiny size: it runs end to end and reports sane figures (no timing asserted)."""

from __future__ import annotations

import json
import os

import pytest

from bench.worker_bench import main, run

pytestmark = pytest.mark.slow  # starts worker and server processes

PG_SERVER_URL = os.environ.get("CAUCE_TEST_PG_URL")


def test_the_command_prints_the_embedded_figure_without_postgresql(capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAUCE_BENCH_PG_URL", raising=False)
    monkeypatch.delenv("CAUCE_TEST_PG_URL", raising=False)
    main(["--jobs", "20", "--repeats", "1"])
    result = json.loads(capsys.readouterr().out)
    assert result["sqlite_embedded_1_thread_jobs_per_s"] > 0 and result["sqlite_jobs_per_measurement"] == 20
    assert result["pg"].startswith("not measured") and "scale_ratio_4_vs_1" not in result


@pytest.mark.skipif(not PG_SERVER_URL, reason="needs PostgreSQL: set CAUCE_TEST_PG_URL (scripts/test.sh does)")
def test_one_against_several_workers_and_app_processes_on_postgresql() -> None:
    assert PG_SERVER_URL is not None
    result = run(PG_SERVER_URL, job_count=20, repeats=1, http_tasks=8)
    for n in (1, 2, 4):
        assert result[f"pg_workers_{n}_jobs_per_s"] > 0 and len(result["pg_samples_jobs_per_s"][str(n)]) == 1
    assert result["scale_ratio_2_vs_1"] > 0 and result["scale_ratio_4_vs_1"] > 0
    assert result["http_1_processes_completions_per_s"] > 0 and result["http_2_processes_completions_per_s"] > 0
    assert result["http_scale_ratio_2_vs_1"] > 0 and result["http_tasks_per_measurement"] == 8
    assert result["sqlite_embedded_1_thread_jobs_per_s"] > 0 and result["cpus"] == os.cpu_count()
