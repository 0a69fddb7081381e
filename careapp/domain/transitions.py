"""Transitions between the steps of a care flow, and the import checks on the graph they form.

A step's ``transitions`` name the steps that follow it once it is done::

    "transitions": [
      {"to": "call-back", "when": {"any": [{"data_point": "wound_day2", "op": "equals", "value": "red"},
                                           {"data_point": "fever", "op": "equals", "value": true}]}},
      {"to": "day-14", "at": {"date": "discharge_date", "offset": "P14D", "time": "09:00"}}
    ]

Every transition whose condition holds is taken (several branch); one with timing schedules its
step, the others open it at once. A step reached again while it is scheduled or open opens once.
The document's ``start`` transitions lead from the enrollment to the first steps (default: the
first step, at once). A step without ``transitions`` goes on to the next step in the list, as in
format /1; ``"transitions": []`` ends its path. No transition taken and nothing open or
scheduled means the care flow is completed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from careapp.domain.conditions import Condition, PointFacts, holds, parse_condition
from careapp.domain.definition_reader import Reader
from careapp.domain.timing import Timing, due_at, parse_timing, wall_clock

START = "start"  # the enrollment, as the source of the start transitions


@dataclass(frozen=True, slots=True)
class Transition:
    to: str  # step id
    when: Condition | None = None
    timing: Timing | None = None


@dataclass(frozen=True, slots=True)
class Move:
    """A transition taken: open step TO at DUE (aware UTC), or at once when DUE is None."""

    to: str
    due: datetime | None = None


@dataclass(frozen=True, slots=True)
class NotTaken:
    to: str
    reason: str  # "condition" (false) or "no-date" (its date data point has no value)


def take(
    transitions: Sequence[Transition], values: Mapping[str, Any], now: datetime, zone: ZoneInfo
) -> tuple[list[Move], list[NotTaken]]:
    """Which of TRANSITIONS are taken at NOW (aware) given VALUES (by data point id)."""
    today = wall_clock(now, zone).date()
    moves: list[Move] = []
    skipped: list[NotTaken] = []
    for transition in transitions:
        if transition.when is not None and not holds(transition.when, values, today):
            skipped.append(NotTaken(transition.to, "condition"))
            continue
        if transition.timing is None:
            moves.append(Move(transition.to))
            continue
        due = due_at(transition.timing, now, values, zone)
        if due is None:
            skipped.append(NotTaken(transition.to, "no-date"))
        else:
            moves.append(Move(transition.to, due if due > now else None))
    return moves, skipped


# ------------------------------------------------------------------------------------ parsing


def parse_transitions(
    r: Reader,
    raw: Any,
    path: str,
    step_ids: Sequence[str],
    points: Mapping[str, PointFacts],
    date_points: Mapping[str, str],
) -> tuple[Transition, ...]:
    out: list[Transition] = []
    for i, item in enumerate(r.array(raw, path)):
        tpath = f"{path}[{i}]"
        t = r.obj(item, tpath)
        for key in sorted(set(t) - {"to", "when", "wait", "at"}):
            r.fail(f"{tpath}.{key}", "is not part of a transition (to, when, wait, at)")
        to = t.get("to")
        if not isinstance(to, str) or to not in step_ids:
            r.fail(f"{tpath}.to", f"{to!r} is not a step of this care flow")
            continue
        tpath = f"{tpath} (→ {to})"
        when = parse_condition(r, t["when"], f"{tpath}.when", points) if "when" in t else None
        timing = parse_timing(r, t, tpath, date_points)
        out.append(Transition(to, when, timing))
    return tuple(out)


def check_graph(
    r: Reader, start: Sequence[Transition], steps: Sequence[tuple[str, Sequence[Transition]]]
) -> None:
    """Unreachable steps and cycles without a wait, one problem each.

    STEPS: (step id, the transitions out of it, implicit ones included), in document order."""
    out = {step_id: [t for t in transitions] for step_id, transitions in steps}
    reached: set[str] = set()
    frontier = [t.to for t in start]
    while frontier:
        step_id = frontier.pop()
        if step_id not in reached:
            reached.add(step_id)
            frontier.extend(t.to for t in out.get(step_id, ()))
    for index, (step_id, _transitions) in enumerate(steps):
        if step_id not in reached:
            r.fail(f"$.steps[{index}] ({step_id})", "no transition leads to this step: it can never open")
    untimed = {s: [t.to for t in ts if t.timing is None or not _waits(t.timing)] for s, ts in out.items()}
    for cycle in _cycles(untimed):
        index = next(i for i, (s, _t) in enumerate(steps) if s == cycle[0])
        r.fail(
            f"$.steps[{index}] ({cycle[0]})",
            f"the steps {' → '.join([*cycle, cycle[0]])} form a cycle without a wait: "
            "give one of its transitions a wait",
        )


def _waits(timing: Timing) -> bool:
    # A time relative to a date is fixed: going round again would open the step at once.
    return timing.is_wait


def _cycles(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of GRAPH (Tarjan), in document order of its first step."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # recursion depth is bounded by the number of steps
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(group)

    for node in graph:
        if node not in index:
            visit(node)
    order = list(graph)
    cycles = [_shortest_cycle(graph, set(group), min(group, key=order.index)) for group in groups]
    return sorted(cycles, key=lambda c: order.index(c[0]))


def _shortest_cycle(graph: Mapping[str, list[str]], members: set[str], first: str) -> list[str]:
    """The shortest way round from FIRST back to FIRST inside MEMBERS (breadth first)."""
    parent: dict[str, str] = {}
    queue = [first]
    while queue:
        node = queue.pop(0)
        for nxt in graph.get(node, ()):
            if nxt == first:
                path = [node]
                while path[-1] != first:
                    path.append(parent[path[-1]])
                return path[::-1]
            if nxt in members and nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return [first]
