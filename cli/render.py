"""Plain-text renderings of engine views for the terminal."""

from __future__ import annotations

import json
from typing import Any

from engine.views import DeployResult, InstanceDetail, InstanceView, TaskView, ValidationReport


def tasks_table(tasks: list[TaskView]) -> str:
    if not tasks:
        return "No hay tareas."
    lines = [f"{'TAREA':>6}  {'INSTANCIA':>9}  {'CASO':<26} {'ROL':<28} {'ASIGNADA':<16} NOMBRE"]
    for t in tasks:
        lines.append(f"{t.id:>6}  {t.instance_id:>9}  {(t.business_key or ''):<26} {t.role:<28} "
                     f"{(t.assignee or '-'):<16} {t.name}")
    return "\n".join(lines)


def instance_summary(view: InstanceView) -> str:
    lines = [f"Instancia {view.id} ({view.business_key}) de {view.process_id} v{view.version}: {view.status}"]
    for t in view.open_tasks:
        lines.append(f"  tarea {t.id}: {t.name} [{t.role}]" + (f" asignada a {t.assignee}" if t.assignee else ""))
    return "\n".join(lines)


def instance_detail(detail: InstanceDetail) -> str:
    out = [instance_summary(detail.instance),
           f"  iniciada por {detail.instance.initiator} el {detail.instance.created_at:%Y-%m-%d %H:%M:%S} UTC; "
           f"estado guardado: {detail.state_bytes} bytes", "Datos:"]
    out += [f"  {k} = {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(detail.data.items())]
    if detail.incidents:
        out.append("Incidentes:")
        for i in detail.incidents:
            state = f"resuelto por {i.resolved_by}" if i.resolved_at else "abierto"
            out.append(f"  #{i.id} en {i.element_id}: {i.error} ({i.attempts} intento(s), {state})")
    out.append("Historial:")
    for e in detail.history:
        what = e.element_name or e.element_id or ""
        extra = f" {e.from_status}->{e.to_status}" if e.to_status else ""
        calls = e.detail.get("calls") if isinstance(e.detail, dict) else None
        call_text = ""
        if calls:
            call_text = " " + "; ".join(f"{c['handler']}={json.dumps(c['result'], ensure_ascii=False)}"
                                        for c in calls)
        out.append(f"  {e.at:%Y-%m-%d %H:%M:%S} {e.actor:<16} {e.kind:<18} {what}{extra}{call_text}")
    return "\n".join(out)


def validation(reports: list[ValidationReport]) -> str:
    lines = []
    for r in reports:
        lines.append(f"{r.model}: {'válido' if r.ok else f'{len(r.problems)} error(es)'} ({r.path})")
        lines += [f"  {p}" for p in r.problems]
    return "\n".join(lines) or "No se encontraron modelos."


def deployments(results: list[DeployResult]) -> str:
    words = {"deployed": "desplegado", "unchanged": "sin cambios"}
    return "\n".join(f"{r.model} ({r.process_id}) v{r.version}: {words[r.status]}" for r in results) \
        or "No se encontraron modelos."


def demo(summary: dict[str, Any], url_hint: str = "") -> str:
    lines = [f"Usuarios de demostración (contraseña de todos: {summary['password']}):"]
    for u in summary["users"]:
        note = f"  ({u['note']})" if u["note"] else ""
        lines.append(f"  {u['username']:<18} {', '.join(u['roles'])}{note}")
    lines.append("Pagos para PRO-MAA-16 (cada uno recorre una rama):")
    for p in summary["payments"]:
        lines.append(f"  {p['payment']}  cuenta {p['account']}  ${p['amount']}: {p['branch']}")
    if url_hint:
        lines.append(url_hint)
    return "\n".join(lines)


def scale_summary(result: dict[str, Any]) -> str:
    """The scale-out benchmark as lines a person reads: rates, and the ratios to one process."""
    lines = [f"{key}: {value}" for key, value in result.items()
             if isinstance(value, int | float | str) and ("per_s" in key or "ratio" in key or key in ("pg", "seconds"))]
    return "\n".join(lines)
