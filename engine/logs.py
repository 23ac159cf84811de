"""Structured logs: one JSON object per line, carrying the instance, task and job a line is about.

Operators filter by ``instance_id`` or ``task_id`` instead of grepping prose. ``CAUCE_LOG_FORMAT=text`` gives
plain lines for development; ``CAUCE_LOG_LEVEL`` sets the level (INFO by default).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from engine.config import Settings

CONTEXT_FIELDS = ("instance_id", "task_id", "element_id", "actor", "process_id", "status", "incident_id", "job_id",
                  "job_kind", "duration_ms")

log = logging.getLogger("cauce")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging() -> None:
    """For the long-running commands (serve, worker): one handler on stderr, JSON unless asked otherwise."""
    handler = logging.StreamHandler(sys.stderr)
    settings = Settings.from_env()
    if settings.log_format == "text":
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    logging.getLogger("SpiffWorkflow").setLevel(logging.WARNING)  # it logs every task state change at INFO
