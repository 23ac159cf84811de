"""Every setting in one place, each read from the environment with a default that works out of the box.

The README's "Settings" table lists the same variables; ``SETTINGS`` below is the source both follow.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# variable -> what it sets (English, for operators); the order is the README's.
SETTINGS: dict[str, str] = {
    "DATABASE_URL": "any SQLAlchemy URL; default: a SQLite file in CAUCE_INSTANCE_DIR",
    "CAUCE_INSTANCE_DIR": "where the default SQLite file and the generated secret key live",
    "CAUCE_PROCESSES_DIR": "what `cauce deploy` and `cauce demo` deploy by default",
    "CAUCE_SECRET_KEY": "signs the flash-message cookie; set the same value on every app process",
    "CAUCE_SECURE_COOKIES": "1 marks cookies Secure (behind HTTPS)",
    "CAUCE_PROXY_HOPS": "how many reverse proxies stand in front of the app and may be trusted for X-Forwarded-*",
    "CAUCE_EMBEDDED_WORKER": "auto (on for SQLite only), 1 or 0: one job worker thread inside each app process",
    "CAUCE_WORKER_POLL": "seconds a worker waits when nothing is due",
    "CAUCE_LOG_FORMAT": "json or text, for `cauce serve` and `cauce worker`",
    "CAUCE_LOG_LEVEL": "their log level",
    "CAUCE_HANDLERS": "bench also registers the benchmark's handlers",
    "CAUCE_DEBUG": "1 shows tracebacks of internal errors on the command line",
    "SMTP_URL": "smtp://user:pass@host:587?starttls=1 or smtps://...; unset: e-mail is kept for the dev mailbox",
    "CAUCE_MAIL_FROM": "the sender of every e-mail",
    "CAUCE_SMS_URL": "http(s) URL of the SMS gateway (POST JSON {to, body}); unset: SMS are kept for /buzon-sms",
    "CAUCE_SMS_KEY": "the bearer key sent to that gateway",
    "CAUCE_GATEWAY_URL": "the payment gateway's address: a path on this host (default /pasarela, the simulator "
                         "`cauce serve` mounts) or the bank's absolute URL",
    "CAUCE_GATEWAY_SECRET": "the key the app and the gateway sign checkouts and notifications with; default: "
                            "derived from the app's secret key",
    "CAUCE_MERCHANT_ID": "the university's merchant id at the gateway",
    "CAUCE_MERCHANT_NAME": "the merchant's name on vouchers",
    "CAUCE_MERCHANT_NIT": "the merchant's NIT on vouchers",
}


DEFAULT_MAIL_FROM = "Servicios Financieros <no-responder@cauce.local>"
DEFAULT_GATEWAY_URL = "/pasarela"
DEFAULT_MERCHANT_ID = "UNIV-CAUCE"
DEFAULT_MERCHANT_NAME = "Universidad — Servicios Financieros"
DEFAULT_MERCHANT_NIT = "860.000.123-4"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _smtp_url(value: str | None) -> str | None:
    url = (value or "").strip()
    if not url:
        return None
    if not url.startswith(("smtp://", "smtps://")):
        # Name the variable and the scheme only: the value may carry a password.
        raise ValueError("SMTP_URL debe empezar por smtp:// o smtps:// (por ejemplo smtp://usuario:clave@host:587)")
    return url


@dataclass(frozen=True)
class Settings:
    database_url: str
    processes_dir: Path
    instance_dir: Path
    secret_key: str | None = None
    secure_cookies: bool = False
    proxy_hops: int = 0
    embedded_worker: str = "auto"
    worker_poll_seconds: float = 1.0
    log_format: str = "json"
    log_level: str = "INFO"
    handler_set: str = "product"
    debug: bool = False
    # Holds the SMTP password: kept out of repr() so a logged Settings never shows it.
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str = DEFAULT_MAIL_FROM
    sms_url: str | None = None
    sms_key: str | None = field(default=None, repr=False)
    gateway_url: str = DEFAULT_GATEWAY_URL
    gateway_secret: str | None = field(default=None, repr=False)
    merchant_id: str = DEFAULT_MERCHANT_ID
    merchant_name: str = DEFAULT_MERCHANT_NAME
    merchant_nit: str = DEFAULT_MERCHANT_NIT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        instance_dir = Path(env.get("CAUCE_INSTANCE_DIR", PROJECT_ROOT / "instance"))
        default_url = f"sqlite:///{instance_dir / 'cauce.db'}"
        try:
            poll = max(float(env.get("CAUCE_WORKER_POLL", "1.0")), 0.05)
        except ValueError as exc:
            raise ValueError(f"CAUCE_WORKER_POLL debe ser un número de segundos, no «{env['CAUCE_WORKER_POLL']}»") \
                from exc
        hops = env.get("CAUCE_PROXY_HOPS", "0").strip() or "0"
        if not hops.isdigit() or int(hops) > 5:
            raise ValueError(f"CAUCE_PROXY_HOPS debe ser un número de 0 a 5, no «{hops}»")
        return cls(
            database_url=env.get("DATABASE_URL", default_url),
            processes_dir=Path(env.get("CAUCE_PROCESSES_DIR", PROJECT_ROOT / "processes")),
            instance_dir=instance_dir,
            secret_key=env.get("CAUCE_SECRET_KEY") or None,
            secure_cookies=env.get("CAUCE_SECURE_COOKIES", "") == "1",
            proxy_hops=int(hops),
            embedded_worker=env.get("CAUCE_EMBEDDED_WORKER", "auto").strip().lower() or "auto",
            worker_poll_seconds=poll,
            log_format="text" if env.get("CAUCE_LOG_FORMAT", "json").lower() == "text" else "json",
            log_level=env.get("CAUCE_LOG_LEVEL", "INFO").upper(),
            handler_set="bench" if env.get("CAUCE_HANDLERS") == "bench" else "product",
            debug=_flag(env.get("CAUCE_DEBUG")),
            smtp_url=_smtp_url(env.get("SMTP_URL")),
            mail_from=(env.get("CAUCE_MAIL_FROM") or "").strip() or DEFAULT_MAIL_FROM,
            sms_url=(env.get("CAUCE_SMS_URL") or "").strip() or None,
            sms_key=(env.get("CAUCE_SMS_KEY") or "").strip() or None,
            gateway_url=((env.get("CAUCE_GATEWAY_URL") or "").strip() or DEFAULT_GATEWAY_URL).rstrip("/"),
            gateway_secret=(env.get("CAUCE_GATEWAY_SECRET") or "").strip() or None,
            merchant_id=(env.get("CAUCE_MERCHANT_ID") or "").strip() or DEFAULT_MERCHANT_ID,
            merchant_name=(env.get("CAUCE_MERCHANT_NAME") or "").strip() or DEFAULT_MERCHANT_NAME,
            merchant_nit=(env.get("CAUCE_MERCHANT_NIT") or "").strip() or DEFAULT_MERCHANT_NIT,
        )

    @property
    def runs_embedded_worker(self) -> bool:
        """Whether each app process runs a job worker thread: by default only on SQLite, where a separate
        `cauce worker` would only queue behind the app's writes; on PostgreSQL run `cauce worker` processes."""
        if self.embedded_worker == "auto":
            return self.database_url.startswith("sqlite")
        return _flag(self.embedded_worker)

    def ensure_dirs(self) -> None:
        if self.database_url.startswith("sqlite:///"):
            Path(self.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
