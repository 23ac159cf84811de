"""Who may see what. A requester sees only their own instances; staff see the processes their roles work in."""

from __future__ import annotations

from engine.compiler import CompiledModel
from engine.identity import REQUESTER_ROLE

SUPERVISING_ROLES = frozenset({"supervisor", "admin"})
DESIGNING_ROLES = frozenset({"disenador", "admin"})  # edit, deploy and migrate process models


def lane_roles(model: CompiledModel) -> frozenset[str]:
    """The roles that work a model's instances: lanes holding human tasks, without the requester's lane.

    A lane that only starts the process (PRO-MAA-16's Coordination) is not staff of every instance: each
    coordinator sees the requests they started, not their colleagues'.
    """
    specs = [*model.spec.task_specs.values()]
    for sub in model.subprocess_specs.values():
        specs.extend(sub.task_specs.values())
    roles = {getattr(spec, "lane", None) for spec in specs if getattr(spec, "manual", False)}
    return frozenset(r for r in roles if r and r != REQUESTER_ROLE)


def may_view_instance(username: str, roles: frozenset[str] | set[str], initiator: str,
                      model: CompiledModel) -> bool:
    if username == initiator or roles & SUPERVISING_ROLES:
        return True
    return bool(roles & lane_roles(model))


def may_work_task(username: str, roles: frozenset[str] | set[str], task_role: str, assignee: str | None,
                  initiator: str) -> bool:
    if task_role == REQUESTER_ROLE:
        return username == initiator
    return task_role in roles and assignee in (None, username)
