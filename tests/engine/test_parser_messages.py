"""SpiffWorkflow's parser messages reach the designer in Spanish, and an unknown one keeps its words."""

from __future__ import annotations

import pytest

from engine.parser_messages import in_spanish


@pytest.mark.parametrize(("english", "spanish"), [
    ("A Service Task must have an operator", "la tarea de servicio no indica qué handler llama"),
    ("Non-default exclusive outgoing sequence flow without condition",
     "este flujo sale de una compuerta exclusiva sin condición y no es el flujo por defecto"),
    ("Process Process_x is not executable.", "el proceso Process_x no está marcado como ejecutable"),
    ("Duplicate process ID: p1", "el id de proceso «p1» está repetido"),
    ("Element '{http://www.omg.org/spec/BPMN/20100524/MODEL}task': This element is not expected.",
     "no cumple el esquema BPMN en «task»: This element is not expected."),
])
def test_known_messages_are_translated(english: str, spanish: str) -> None:
    assert in_spanish(english) == spanish


def test_an_unknown_message_keeps_its_words() -> None:
    assert in_spanish("Something new") == "el analizador BPMN rechazó el elemento: Something new"
