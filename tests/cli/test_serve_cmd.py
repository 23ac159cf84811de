"""`cauce serve` runs the app under gunicorn with several processes, on 127.0.0.1, and stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_gunicorn_processes_answer_and_stop(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "CAUCE_INSTANCE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "cli.main", "init"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", "2"],
                              env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        health = None
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and health is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    health = json.loads(answer.read())
            except OSError:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.3)
        assert health is not None and health["database_ok"] is True
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/iniciar-sesion", timeout=5) as page:
            assert page.status == 200 and "Iniciar sesión" in page.read().decode()
        # The payment gateway simulator answers beside the app, on the same port.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/pasarela/", timeout=5) as page:
            assert page.status == 200 and "Pasarela de pagos simulada" in page.read().decode()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=5)
            log.close()
    text = (tmp_path / "serve.log").read_text()
    assert "Booting worker" in text and text.count("Booting worker") >= 2
    assert server.returncode == 0
