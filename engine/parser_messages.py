"""SpiffWorkflow's parser speaks English; a designer reads Spanish. Its known messages, translated.

Each entry is a pattern over the parser's message (anchored at its start) and the Spanish text, which may use the
pattern's groups. A message not listed keeps its words behind a Spanish lead, so nothing the parser said is lost.
"""

from __future__ import annotations

import re

_TRANSLATIONS: tuple[tuple[str, str], ...] = (
    (r"A Service Task must have an operator", "la tarea de servicio no indica qué handler llama"),
    (r"Non-default exclusive outgoing sequence flow without condition",
     "este flujo sale de una compuerta exclusiva sin condición y no es el flujo por defecto"),
    (r"No start event found", "el proceso no tiene evento de inicio"),
    (r"Process (\S+) is not executable\.", r"el proceso \1 no está marcado como ejecutable"),
    (r"Unknown Time Specification", "el temporizador no indica fecha, duración ni ciclo"),
    (r"Time Specification Error\.\s*(.*)", r"la especificación de tiempo no es válida: \1"),
    (r"Duplicate process ID: (\S+)", r"el id de proceso «\1» está repetido"),
    (r"Could not find messageRef from message event definition: (\S+)",
     r"el evento usa un mensaje que no existe (\1)"),
    (r"Message identifier is missing from bpmn xml", "un <bpmn:message> no tiene id"),
    (r"Correlation identifier is missing from bpmn xml", "una propiedad de correlación no tiene id"),
    (r"Correlation is missing correlation property retrieval expressions: (\S+)",
     r"la correlación \1 no tiene expresión para obtener su valor"),
    (r"Message identifier is missing from correlation property: (\S+)",
     r"la propiedad de correlación \1 no indica su mensaje"),
    (r"Signal identifier is missing from bpmn xml", "una señal no tiene id"),
    (r"Error identifier is missing from bpmn xml", "un error no tiene id"),
    (r"Escalation identifier is missing from bpmn xml", "un escalamiento no tiene id"),
    (r"Expected an? (Message|Signal|Error|Escalation) node",
     r"el evento hace referencia a un elemento que no es del tipo esperado (\1)"),
    (r"Conditional event definition with missing condition", "el evento condicional no tiene condición"),
    (r"A SubWorkflow Must contain an End event", "el subproceso debe tener un evento de fin"),
    (r"Exactly one start event is required in a SubWorkflow Task; found (\d+)\.",
     r"un subproceso debe tener exactamente un evento de inicio; tiene \1"),
    (r"Multiple outgoing flows are not supported for tasks of type",
     "este tipo de tarea no admite varios flujos de salida; use una compuerta"),
    (r"There is no support implemented for this task type\.", "este tipo de elemento no está soportado"),
    (r"Cannot resolve dataInputAssociation (\S+)", r"no se encuentra la entrada de datos \1"),
    (r"Cannot resolve dataOutputAssociation (\S+)", r"no se encuentra la salida de datos \1"),
    (r"The process '([^']+)' was not found\.", r"no se encuentra el proceso «\1» que se llama"),
    (r"A loopMaximum or loopCondition must be specified for Loop Tasks",
     "una tarea en bucle necesita loopMaximum o loopCondition"),
    (r"A multiinstance task must specify a cardinality or a loop input data reference",
     "una tarea multiinstancia necesita una cardinalidad o una colección de entrada"),
    (r"Cancel Events may only be used with transactions", "los eventos de cancelación solo sirven en transacciones"),
    (r"Ad hoc subprocesses may not contain start or end events",
     "un subproceso ad hoc no puede tener eventos de inicio ni de fin"),
    (r"Sequential ordering for ad hoc subprocesses not supported",
     "el orden secuencial en subprocesos ad hoc no está soportado"),
    (r"Element '([^']+)': (.*)", r"no cumple el esquema BPMN en «\1»: \2"),
)
_COMPILED = tuple((re.compile(pattern), spanish) for pattern, spanish in _TRANSLATIONS)


def in_spanish(message: str) -> str:
    """The parser's message in the designer's words; unknown ones keep the original text after a Spanish lead."""
    text = re.sub(r"\{[^}]*\}", "", message.strip())  # XSD messages name elements with their full namespace
    for pattern, spanish in _COMPILED:
        match = pattern.match(text)
        if match:
            return match.expand(spanish)
    return f"el analizador BPMN rechazó el elemento: {text}"
