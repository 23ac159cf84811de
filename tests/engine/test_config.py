"""Settings: every variable read in one place, with defaults that run out of the box, and a bad value named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.config import PROJECT_ROOT, SETTINGS, Settings


def test_defaults_run_the_embedded_sqlite_setup() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'instance' / 'cauce.db'}"
    assert settings.runs_embedded_worker and settings.worker_poll_seconds == 1.0
    assert (settings.log_format, settings.log_level, settings.handler_set, settings.debug) == (
        "json", "INFO", "product", False)


def test_postgresql_runs_separate_workers_unless_told_otherwise() -> None:
    url = "postgresql+psycopg://u@127.0.0.1/cauce"
    assert not Settings.from_env({"DATABASE_URL": url}).runs_embedded_worker
    assert Settings.from_env({"DATABASE_URL": url, "CAUCE_EMBEDDED_WORKER": "1"}).runs_embedded_worker
    assert not Settings.from_env({"CAUCE_EMBEDDED_WORKER": "0"}).runs_embedded_worker


def test_a_bad_poll_interval_is_named() -> None:
    with pytest.raises(ValueError, match="CAUCE_WORKER_POLL"):
        Settings.from_env({"CAUCE_WORKER_POLL": "often"})
    assert Settings.from_env({"CAUCE_WORKER_POLL": "0"}).worker_poll_seconds == 0.05


def test_every_variable_the_code_reads_is_listed_once_and_in_the_readme() -> None:
    sources = [p for d in ("engine", "webui", "cli", "handlers") for p in (PROJECT_ROOT / d).rglob("*.py")]
    read_elsewhere = {p.relative_to(PROJECT_ROOT).as_posix() for p in sources
                      if p.name != "config.py" and re.search(r"os\.environ|getenv", p.read_text(encoding="utf-8"))}
    assert read_elsewhere == set()  # nothing bypasses Settings
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert [name for name in SETTINGS if f"`{name}`" not in readme] == []
    config = Path(PROJECT_ROOT / "engine" / "config.py").read_text(encoding="utf-8")
    assert set(re.findall(r'env(?:\.get\(|\[)"([A-Z_]+)"', config)) == set(SETTINGS)


def test_proxy_hops_are_a_small_number() -> None:
    assert Settings.from_env({"CAUCE_PROXY_HOPS": "1"}).proxy_hops == 1
    for bad in ("many", "-1", "9"):
        with pytest.raises(ValueError, match="CAUCE_PROXY_HOPS"):
            Settings.from_env({"CAUCE_PROXY_HOPS": bad})
