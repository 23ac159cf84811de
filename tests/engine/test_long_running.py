"""Long-running instances stay cheap: loops run thousands of rounds with a flat state and flat step cost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select

from engine.bundle import read_bundle
from engine.compiler import compile_model
from engine.db import Database
from engine.models import Event, Instance
from engine.runtime import Engine
from engine.scripting import CauceScriptEngine
from tests.conftest import make_engine

PARALLEL_LOOP = Path(__file__).resolve().parent.parent / "data" / "parallel_loop"


def _state_bytes(engine: Engine, instance_id: int) -> int:
    return engine.show(instance_id).state_bytes


def test_a_loop_of_1000_rounds_completes_with_a_flat_state(engine: Engine, db: Database) -> None:
    view = engine.start("loop", "tic.ana", {})
    sizes: dict[int, int] = {}
    for round_number in range(1, 1001):
        task = view.open_tasks[0]
        view = engine.complete(task.id, "tic.ana", {"again": round_number < 1000})
        if round_number in (1, 10, 500, 999):
            sizes[round_number] = _state_bytes(engine, view.id)
    assert view.status == "completed"
    detail = make_engine(db).show(view.id)
    assert detail.data["rounds"] == 1000
    assert [e.element_id for e in detail.history if e.kind == "task_run"][-1] is not None
    assert any(e.kind == "status_changed" and e.to_status == "completed" for e in detail.history)
    # the live state does not grow with the rounds already run (a few bytes for bigger numbers at most)
    assert sizes[999] - sizes[10] < 64, sizes
    with db.read() as session:
        completions = session.scalar(select(func.count()).select_from(Event).where(
            Event.instance_id == view.id, Event.kind == "task_completed"))
        assert completions == 1000  # the history lives in the audit table
        instance = session.get(Instance, view.id)
        assert instance is not None and instance.steps == 1001


def _order(round_number: int) -> list[str]:
    # alternate which branch finishes first, so the join waits on either side
    return ["Task_a", "Task_b"] if round_number % 2 else ["Task_b", "Task_a"]


def _form(element: str, round_number: int) -> dict[str, str]:
    return {"note_a": f"a{round_number}"} if element == "Task_a" else {"note_b": f"b{round_number}"}


def _reference_run(rounds: int) -> list[tuple[str, str]]:
    """The same process purely in SpiffWorkflow, never pruned nor saved: what the engine must reproduce."""
    bundle, _ = read_bundle(PARALLEL_LOOP)
    model, problems = compile_model(bundle, {}, None)
    assert model is not None, problems
    workflow = BpmnWorkflow(model.spec, model.subprocess_specs, script_engine=CauceScriptEngine({}))
    workflow.do_engine_steps()

    def ready(element: str) -> Any:
        return next(t for t in workflow.get_tasks(state=TaskState.READY, manual=True)
                    if t.task_spec.bpmn_id == element)

    seen = []
    for round_number in range(1, rounds + 1):
        for element in _order(round_number):
            task = ready(element)
            task.data.update(_form(element, round_number))
            task.run()
            workflow.do_engine_steps()
        decide = ready("Task_decide")
        seen.append((decide.data["note_a"], decide.data["note_b"]))
        decide.data.update({"again": round_number < rounds})
        decide.run()
        workflow.do_engine_steps()
    assert workflow.is_completed()
    return seen


def test_parallel_branches_inside_a_loop_behave_as_in_memory(engine: Engine, db: Database) -> None:
    """Pruning and restarts between every step change nothing SpiffWorkflow itself would do."""
    rounds = 40
    make_engine(db).deploy([PARALLEL_LOOP], "disenador.eva")
    view = make_engine(db).start("parallel_loop", "tic.ana", {})
    seen, sizes = [], []
    for round_number in range(1, rounds + 1):
        by_element = {t.element_id: t for t in view.open_tasks}
        assert set(by_element) == {"Task_a", "Task_b"}, (round_number, by_element)
        for element in _order(round_number):
            actor = "tic.ana" if element == "Task_a" else "fact.luis"
            view = make_engine(db).complete(by_element[element].id, actor, _form(element, round_number))
        decide = view.open_tasks[0]
        assert decide.element_id == "Task_decide"
        data = make_engine(db).show(view.id).data
        seen.append((data["note_a"], data["note_b"]))
        view = make_engine(db).complete(decide.id, "tic.ana", {"again": round_number < rounds})
        sizes.append(_state_bytes(make_engine(db), view.id))
    assert view.status == "completed"
    assert seen == _reference_run(rounds)
    assert max(sizes[5:-1]) - min(sizes[5:-1]) < 200, sizes
