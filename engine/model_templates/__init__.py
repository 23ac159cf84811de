"""Starting points for a new model: each folder holds a complete model (BPMN with its diagram, and its forms) whose
process id and name are the placeholders below, filled when a designer creates a model from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from engine.designer_views import ModelTemplate

PROCESS_ID = "__PROCESS_ID__"
PROCESS_NAME = "__PROCESS_NAME__"
FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class _Template:
    info: ModelTemplate
    folder: str


TEMPLATES: tuple[_Template, ...] = (
    _Template(ModelTemplate(
        "aprobacion_simple", "Aprobación simple",
        "El solicitante llena un formulario y una persona del rol aprobador aprueba o no la solicitud."),
        "aprobacion_simple"),
    _Template(ModelTemplate(
        "solicitud_con_servicio", "Solicitud con servicio",
        "Una solicitud con monto, una revisión, una compuerta con condición y flujo por defecto, y una tarea de "
        "servicio que llama a un manejador registrado (pesos)."),
        "solicitud_con_servicio"),
)


def template_list() -> list[ModelTemplate]:
    return [t.info for t in TEMPLATES]


def render_template(key: str, process_id: str, process_name: str) -> dict[str, str] | None:
    """The template's files with the placeholders filled (the name escaped for XML), or None if no such key."""
    found = next((t for t in TEMPLATES if t.info.key == key), None)
    if found is None:
        return None
    name = escape(process_name, {'"': "&quot;"})
    files = {}
    for path in sorted((FOLDER / found.folder).iterdir()):
        if path.is_file() and path.suffix in (".bpmn", ".json"):
            text = path.read_text(encoding="utf-8")
            text = text.replace(PROCESS_ID, process_id).replace(PROCESS_NAME, name)
            files[path.name.replace(PROCESS_ID, process_id)] = text
    return files
