"""What the PRO-MAA-16 handlers share: the annulment reasons and the audit of a step."""

from __future__ import annotations

from datetime import date

from handlers.context import StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.values import Audit, bogota_date

#: The reasons PRO-MAA-16 allows an annulment for (code -> Spanish label).
REASONS = {
    "correccion_estimacion": "Corrección de estimación por cambio de tarifa, currículo, plan o campus",
    "baja_academica": "Baja académica definitiva",
    "anulacion_beca": "Anulación de abono de beca por baja o cancelación de la beca",
    "error_transaccion": "Error en la transacción",
}
ERROR_REASON = "error_transaccion"


def check_reason(reason: str) -> str:
    """A known reason code (else HandlerInputError on ``reason``)."""
    if not isinstance(reason, str) or reason not in REASONS:
        allowed = ", ".join(REASONS)
        raise HandlerInputError(
            f"No existe el motivo «{reason}» (los valores posibles son: {allowed}).", field="reason"
        )
    return reason


def reason_text(reason: str) -> str:
    """The reason as recorded in the ledger: a known code gets its label; free text is kept as given."""
    if not isinstance(reason, str) or not reason.strip():
        raise HandlerInputError("El motivo es obligatorio.", field="reason")
    label = REASONS.get(reason.strip())
    return f"{label} [{reason.strip()}]" if label else reason.strip()


def audit_of(ctx: StepContext, reason: str) -> Audit:
    return Audit(actor=ctx.actor, at=ctx.now, reason=reason, instance_ref=ctx.instance_ref)


def posting_date(ctx: StepContext) -> date:
    """The date (in Colombia) a step's entries are posted on."""
    return bogota_date(ctx.now)
