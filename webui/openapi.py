"""The OpenAPI 3.0 description of /api/v1, served at /api/v1/openapi.json. Keep it in step with views/api.py:
a test compares its paths with the blueprint's routes and checks real answers against its schemas."""

from __future__ import annotations

import copy
from typing import Any

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "nullable": True, **extra}


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or list(properties), **extra}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


_ERRORS = {
    "BadRequest": "Datos o cuerpo no válidos; `errors` nombra cada campo con su problema.",
    "Forbidden": "El usuario no tiene el rol o el permiso necesario.",
    "NotFound": "No existe, o no es del solicitante que la pide (no se distingue, para no revelar ids).",
    "Conflict": "El estado no lo admite (por ejemplo, la tarea ya fue completada).",
}
_TIME = {"type": "string", "format": "date-time"}
_TIME_OR_NULL = _nullable("string", format="date-time")
_TEXT_OR_NULL = _nullable("string")
_ANY_OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}
_ANY_OBJECT_OR_NULL: dict[str, Any] = {**_ANY_OBJECT, "nullable": True}
_INSTANCE_STATUSES = ["running", "waiting", "completed", "error", "suspended", "terminated"]
_MESSAGE_STATUSES = ["pending", "delivered", "unmatched", "discarded"]

SCHEMAS: dict[str, Any] = {
    "FieldError": _object({"field": {"type": "string"}, "message": {"type": "string"}}),
    "Error": _object({"error": {"type": "string"}, "status": {"type": "integer"},
                      "errors": {"type": "array", "items": _ref("FieldError")}}, ["error", "status"]),
    "FormData": {**_ANY_OBJECT, "description": "Los campos del formulario (de inicio o de la tarea)."},
    "Task": _object({
        "id": {"type": "integer"}, "instance_id": {"type": "integer"}, "process_id": {"type": "string"},
        "business_key": _TEXT_OR_NULL, "element_id": {"type": "string"}, "name": {"type": "string"},
        "role": {"type": "string"}, "assignee": _TEXT_OR_NULL,
        "status": {"type": "string", "enum": ["open", "completed", "cancelled"]}, "form": _TEXT_OR_NULL,
        "created_at": _TIME, "due_at": _TIME_OR_NULL, "completed_by": _TEXT_OR_NULL,
        "completed_at": _TIME_OR_NULL, "subject": _TEXT_OR_NULL,
    }),
    "TaskList": _object({"tasks": {"type": "array", "items": _ref("Task")}}),
    "TaskDetail": _object({
        "task": _ref("Task"),
        "may_work": {"type": "boolean", "description": "Si el usuario puede reclamarla o completarla."},
        "form_schema": {**_ANY_OBJECT_OR_NULL, "description": "JSON Schema (2020-12) del formulario."},
        "ui_schema": {**_ANY_OBJECT, "description": "Esquema de presentación del formulario."},
        "instructions": {**_TEXT_OR_NULL, "description": "Instrucciones del modelo (Markdown, plantilla)."},
    }),
    "Instance": _object({
        "id": {"type": "integer"}, "process_id": {"type": "string"}, "process_name": {"type": "string"},
        "model": {"type": "string"}, "version": {"type": "integer"}, "business_key": _TEXT_OR_NULL,
        "status": {"type": "string", "enum": _INSTANCE_STATUSES}, "initiator": {"type": "string"},
        "created_at": _TIME, "updated_at": _TIME, "ended_at": _TIME_OR_NULL,
        "open_tasks": {"type": "array", "items": _ref("Task")}, "subject": _TEXT_OR_NULL,
    }),
    "Event": _object({
        "id": {"type": "integer"}, "at": _TIME, "actor": {"type": "string"}, "kind": {"type": "string"},
        "element_id": _TEXT_OR_NULL, "element_name": _TEXT_OR_NULL, "from_status": _TEXT_OR_NULL,
        "to_status": _TEXT_OR_NULL, "detail": _ANY_OBJECT,
    }),
    "Incident": _object({
        "id": {"type": "integer"}, "instance_id": {"type": "integer"}, "element_id": _TEXT_OR_NULL,
        "error_type": {"type": "string"}, "error": {"type": "string"}, "actor": {"type": "string"},
        "attempts": {"type": "integer"}, "created_at": _TIME, "resolved_at": _TIME_OR_NULL,
        "resolved_by": _TEXT_OR_NULL,
    }),
    "InstanceDetail": _object({
        "instance": _ref("Instance"), "data": _ANY_OBJECT,
        "history": {"type": "array", "items": _ref("Event")},
        "incidents": {"type": "array", "items": _ref("Incident")}, "state_bytes": {"type": "integer"},
    }),
    "Process": _object({
        "process_id": {"type": "string"}, "name": {"type": "string"}, "version": {"type": "integer"},
        "start_role": {**_TEXT_OR_NULL, "description": "Rol que puede iniciarlo (solicitante o nulo: cualquiera)."},
        "schema": {**_ANY_OBJECT_OR_NULL, "description": "JSON Schema (2020-12) del formulario de inicio."},
        "ui_schema": {**_ANY_OBJECT, "description": "Esquema de presentación del formulario de inicio."},
        "instructions": {**_TEXT_OR_NULL, "description": "Instrucciones del modelo (Markdown, plantilla)."},
    }),
    "ProcessList": _object({"processes": {"type": "array", "items": _ref("Process")}}),
    "OpenApiDocument": {**_ANY_OBJECT, "description": "Este documento."},
    "MessageSend": {
        "type": "object", "additionalProperties": False, "required": ["nombre"],
        "properties": {
            "nombre": {"type": "string", "minLength": 1, "maxLength": 200,
                       "description": "El nombre del mensaje BPMN (por ejemplo «factura_anulada»)."},
            "clave": {"oneOf": [{"type": "string", "maxLength": 200}, {"type": "integer"}], "nullable": True,
                      "description": "La clave de correlación (por ejemplo el número de la factura)."},
            "contenido": {"description": "Cualquier valor JSON; lo recibe la instancia. Por omisión, {}."},
            "id": {"type": "string", "minLength": 1, "maxLength": 200,
                   "description": "Id del mensaje para el remitente: el mismo id enviado otra vez no se entrega "
                                  "dos veces."},
        },
    },
    "MessageAccepted": _object({"mensaje": {"type": "integer"}, "duplicado": {"type": "boolean", "enum": [False]}}),
    "MessageDuplicate": _object({"duplicado": {"type": "boolean", "enum": [True]}}),
    "Message": _object({
        "id": {"type": "integer"}, "name": {"type": "string"}, "correlation_key": _TEXT_OR_NULL,
        "status": {"type": "string", "enum": _MESSAGE_STATUSES}, "sender": {"type": "string"},
        "source_instance_id": _nullable("integer"), "source_business_key": _TEXT_OR_NULL,
        "target_instance_id": _nullable("integer"), "target_business_key": _TEXT_OR_NULL,
        "note": _TEXT_OR_NULL, "payload": {"description": "El contenido del mensaje (cualquier valor JSON)."},
        "created_at": _TIME, "delivered_at": _TIME_OR_NULL,
    }),
    "MessageList": _object({"estado": {"type": "string", "enum": _MESSAGE_STATUSES},
                            "mensajes": {"type": "array", "items": _ref("Message")}}),
}

_ID = {"type": "integer", "minimum": 1}


def _path_param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _operation(operation_id: str, summary: str, ok: tuple[str, str, str], errors: list[str],
               parameters: list[dict[str, Any]] | None = None, body: str | None = None,
               public: bool = False) -> dict[str, Any]:
    status, schema, description = ok
    responses: dict[str, Any] = {status: _json(_ref(schema), description)}
    if not public:
        responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
    codes = {"BadRequest": "400", "Forbidden": "403", "NotFound": "404", "Conflict": "409"}
    for name in errors:
        responses[codes[name]] = {"$ref": f"#/components/responses/{name}"}
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary, "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = {"required": False, "content": {JSON: {"schema": _ref(body)}},
                                    "description": "Un objeto JSON; un cuerpo vacío equivale a {}."}
    if public:
        operation["security"] = []
    return operation


def _with_response(operation: dict[str, Any], status: str, schema: str, description: str) -> dict[str, Any]:
    operation["responses"][status] = _json(_ref(schema), description)
    return operation


_TASK_ID = [_path_param("task_id", _ID)]

PATHS: dict[str, Any] = {
    "/openapi.json": {"get": _operation(
        "getOpenApi", "Este documento (no requiere token).", ("200", "OpenApiDocument", "El documento."), [],
        public=True)},
    "/processes": {"get": _operation(
        "listProcesses", "Procesos desplegados que el usuario puede iniciar, con su formulario de inicio.",
        ("200", "ProcessList", "Los procesos."), [])},
    "/processes/{process_id}/instances": {"post": _operation(
        "startInstance", "Inicia una instancia con los datos del formulario de inicio.",
        ("201", "Instance", "La instancia creada, con sus tareas abiertas."),
        ["BadRequest", "Forbidden", "NotFound", "Conflict"],
        [_path_param("process_id", {"type": "string"})], body="FormData")},
    "/tasks": {"get": _operation(
        "listTasks", "Mis tareas: las reclamadas por el usuario y las abiertas de sus roles.",
        ("200", "TaskList", "Las tareas, las más antiguas primero."), [])},
    "/tasks/{task_id}": {"get": _operation(
        "getTask", "Una tarea con su formulario, si el usuario puede trabajarla o ver su instancia.",
        ("200", "TaskDetail", "La tarea."), ["Forbidden", "NotFound"], _TASK_ID)},
    "/tasks/{task_id}/claim": {"post": _operation(
        "claimTask", "Reclamar la tarea.", ("200", "Task", "La tarea, asignada al usuario."),
        ["Forbidden", "NotFound", "Conflict"], _TASK_ID)},
    "/tasks/{task_id}/complete": {"post": _operation(
        "completeTask", "Completar la tarea con los datos de su formulario.",
        ("200", "Instance", "La instancia tras el paso, con sus nuevas tareas abiertas."),
        ["BadRequest", "Forbidden", "NotFound", "Conflict"], _TASK_ID, body="FormData")},
    "/instances/{instance_id}": {"get": _operation(
        "getInstance", "Una instancia con sus datos, historial e incidentes (mismas reglas que las páginas).",
        ("200", "InstanceDetail", "La instancia."), ["Forbidden", "NotFound"],
        [_path_param("instance_id", _ID)])},
    "/mensajes": {
        "post": _with_response(_operation(
            "sendMessage", "Envía un mensaje a los procesos (personal, no solicitantes); el trabajador lo entrega a "
                           "la instancia que espera su nombre y clave, o lo guarda «sin destinatario».",
            ("202", "MessageAccepted", "Guardado; se entregará en segundo plano."), ["BadRequest", "Forbidden"],
            body="MessageSend"),
            "200", "MessageDuplicate", "Ya se había enviado un mensaje con ese id: no se entrega otra vez."),
        "get": _operation(
            "listMessages", "Mensajes por estado, los más antiguos primero (supervisores).",
            ("200", "MessageList", "Los mensajes (hasta 500)."), ["BadRequest", "Forbidden"],
            [{"name": "estado", "in": "query", "required": False,
              "schema": {"type": "string", "enum": _MESSAGE_STATUSES, "default": "unmatched"}}]),
    },
}

_DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "cauce API", "version": "1.0.0",
             "description": "Procesos, tareas e instancias de cauce. Autenticación: «Authorization: Bearer "
                            "<token>»; cada usuario crea sus tokens en «Mi cuenta» o con `cauce token USUARIO`. "
                            "Los mensajes de error están en español."},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                           "description": "Token de API del usuario (se muestra una sola vez)."}},
        "schemas": SCHEMAS,
        "responses": {
            "Unauthorized": {**_error("Falta el token, no es válido o fue revocado."),
                             "headers": {"WWW-Authenticate": {"schema": {"type": "string"},
                                                              "description": "Bearer realm=\"cauce\""}}},
            **{name: _error(text) for name, text in _ERRORS.items()},
        },
    },
}


def document() -> dict[str, Any]:
    """A copy of the document (callers may not change the original)."""
    return copy.deepcopy(_DOCUMENT)
