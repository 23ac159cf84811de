"""The editor's choices are exactly what the deploy checks accept: the roles' table and the registry's handlers."""

from __future__ import annotations

from engine.runtime import Engine
from engine.scripting import handler_parameters
from engine.vocabulary import handler_info, vocabulary


def test_roles_are_the_known_roles_with_their_names(engine: Engine) -> None:
    vocab = vocabulary(engine)
    codes = [code for code, _ in vocab.roles]
    assert codes == sorted(codes)
    assert {"disenador", "tesoreria"} <= set(codes)
    assert all(name for _, name in vocab.roles)


def test_every_registered_handler_is_offered_with_its_parameters(engine: Engine) -> None:
    vocab = vocabulary(engine)
    assert [h.name for h in vocab.handlers] == sorted(engine.handlers)
    for info in vocab.handlers:
        names, required = handler_parameters(engine.handlers[info.name])
        assert [p.name for p in info.parameters] == names
        assert {p.name for p in info.parameters if p.required} == set(required)


def test_annotations_and_doc_are_read_from_the_function() -> None:
    def example(ctx: object, amount: int, note: str = "") -> None:
        """Say what it does.

        More detail that the editor does not show."""

    info = handler_info("example", example)
    assert [(p.name, p.required, p.annotation) for p in info.parameters] == [
        ("amount", True, "int"), ("note", False, "str")]
    assert info.doc == "Say what it does."
    assert info.as_dict()["parameters"][0] == {"name": "amount", "required": True, "annotation": "int"}
