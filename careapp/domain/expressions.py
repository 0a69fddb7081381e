"""Calculation expressions: a tiny arithmetic language, parsed into a tree and walked — never
handed to ``eval``.

    sum(score(phq9_1), score(phq9_2), …)      mean(pain_day2, pain_day14)
    pain_day14 - pain_day2                    round(weight_kg - weight_3_days_ago_kg, 1)

Names are data point keys. Numbers, ``+ - * /``, parentheses and these functions:

- ``sum``, ``mean``, ``min``, ``max`` (one or more numbers; values not recorded are left out)
- ``count`` (how many arguments have a value; a multiple choice counts its choices)
- ``score(key)``: the score of the option chosen for a choice data point (summed for a multiple
  choice), from the options' ``score`` in the form
- ``abs(x)``, ``round(x)``, ``round(x, digits)``

A value that is not recorded makes ``+ - * /`` not recorded too; so does dividing by zero.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_LENGTH = 2000
_MAX_DEPTH = 40
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([a-z][a-z0-9_]*)|(\S))")
AGGREGATES = frozenset({"sum", "mean", "min", "max", "count"})
FUNCTIONS = AGGREGATES | {"score", "abs", "round"}


class InvalidExpression(ValueError):
    """An expression that does not parse; the message says where."""


@dataclass(frozen=True, slots=True)
class Number:
    value: float


@dataclass(frozen=True, slots=True)
class Name:
    key: str


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Node


Node = Number | Name | Call | Binary | Negate


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str, int]] = []  # (kind, text, position)
        for match in _TOKEN.finditer(text):
            number, name, symbol = match.groups()
            kind = "number" if number else "name" if name else "symbol"
            self.tokens.append((kind, number or name or symbol, match.start(match.lastindex or 0) + 1))
        self.at = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "", -1)

    def take(self, symbol: str | None = None) -> tuple[str, str, int]:
        token = self.peek()
        if symbol is not None and token[1] != symbol:
            raise self.error(f"expected {symbol!r}")
        self.at += 1
        return token

    def error(self, message: str) -> InvalidExpression:
        kind, text, position = self.peek()
        where = "at the end" if kind == "end" else f"at character {position} ({text!r})"
        return InvalidExpression(f"{message} {where}")

    def expression(self, depth: int) -> Node:
        if depth > _MAX_DEPTH:
            raise self.error("nested too deeply")
        node = self.term(depth)
        while self.peek()[1] in ("+", "-"):
            node = Binary(self.take()[1], node, self.term(depth))
        return node

    def term(self, depth: int) -> Node:
        node = self.unary(depth)
        while self.peek()[1] in ("*", "/"):
            node = Binary(self.take()[1], node, self.unary(depth))
        return node

    def unary(self, depth: int) -> Node:
        if self.peek()[1] == "-":
            self.take()
            return Negate(self.unary(depth + 1))
        return self.primary(depth)

    def primary(self, depth: int) -> Node:
        kind, text, _position = self.peek()
        if kind == "number":
            self.take()
            return Number(float(text))
        if text == "(":
            self.take()
            node = self.expression(depth + 1)
            self.take(")")
            return node
        if kind != "name":
            raise self.error("expected a number, a data point or a function")
        self.take()
        if self.peek()[1] != "(":
            return Name(text)
        if text not in FUNCTIONS:
            raise self.error(f"unknown function {text!r} (use {', '.join(sorted(FUNCTIONS))})")
        self.take("(")
        args = [self.expression(depth + 1)]
        while self.peek()[1] == ",":
            self.take()
            args.append(self.expression(depth + 1))
        self.take(")")
        return _checked_call(text, tuple(args))


def _checked_call(function: str, args: tuple[Node, ...]) -> Call:
    if function == "score" and (len(args) != 1 or not isinstance(args[0], Name)):
        raise InvalidExpression("score takes one data point, e.g. score(phq9_1)")
    if function == "abs" and len(args) != 1:
        raise InvalidExpression("abs takes one argument")
    if function == "round":
        digits = args[1] if len(args) == 2 else Number(0)
        if len(args) > 2 or not isinstance(digits, Number) or digits.value not in range(7):
            raise InvalidExpression("round takes a number and optionally 0 to 6 digits")
    return Call(function, args)


def parse_expression(text: Any) -> Node:
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_LENGTH:
        raise InvalidExpression(f"must be an expression of at most {MAX_LENGTH} characters")
    parser = _Parser(text)
    node = parser.expression(0)
    if parser.peek()[0] != "end":
        raise parser.error("unexpected")
    return node


def names(node: Node) -> list[tuple[str, str]]:
    """Every data point NODE reads, as (key, how: "number" | "any" | "score")."""
    if isinstance(node, Name):
        return [(node.key, "number")]
    if isinstance(node, Negate):
        return names(node.operand)
    if isinstance(node, Binary):
        return names(node.left) + names(node.right)
    if isinstance(node, Call):
        if node.function == "score":
            return [(node.args[0].key, "score")]  # type: ignore[union-attr]  # the parser admits only a data point reference (or a number) in this place
        if node.function == "count":  # counts any kind of value, not only numbers
            return [
                pair for a in node.args for pair in ([(a.key, "any")] if isinstance(a, Name) else names(a))
            ]
        return [n for a in node.args for n in names(a)]
    return []


Lookup = Callable[[str], Any]
Scores = Mapping[str, Mapping[str, float]]


def evaluate(node: Node, lookup: Lookup, scores: Scores) -> float | None:
    """NODE's value, with data point values from LOOKUP (by key); None when it has none."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        value = lookup(node.key)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    if isinstance(node, Negate):
        inner = evaluate(node.operand, lookup, scores)
        return None if inner is None else -inner
    if isinstance(node, Binary):
        left, right = evaluate(node.left, lookup, scores), evaluate(node.right, lookup, scores)
        if left is None or right is None or (node.op == "/" and right == 0):
            return None
        return {"+": left + right, "-": left - right, "*": left * right}.get(node.op, left / right)
    return _call(node, lookup, scores)


def _call(node: Call, lookup: Lookup, scores: Scores) -> float | None:
    if node.function == "score":
        key = node.args[0].key  # type: ignore[union-attr]  # the parser admits only a data point reference (or a number) in this place
        chosen = lookup(key)
        table = scores.get(key, {})
        picked = chosen if isinstance(chosen, list) else [] if chosen is None else [chosen]
        found = [table[v] for v in picked if v in table]
        return float(sum(found)) if found or isinstance(chosen, list) else None
    if node.function == "count":
        return float(sum(_count(a, lookup, scores) for a in node.args))
    values = [v for v in (evaluate(a, lookup, scores) for a in node.args) if v is not None]
    if node.function == "round":
        digits = int(node.args[1].value) if len(node.args) == 2 else 0  # type: ignore[union-attr]  # the parser admits only a data point reference (or a number) in this place
        return None if not values or len(values) < len(node.args) else round(values[0], digits)
    if not values:
        return None
    if node.function == "abs":
        return abs(values[0])
    if node.function == "mean":
        return math.fsum(values) / len(values)
    reducers: dict[str, Callable[[list[float]], float]] = {"sum": math.fsum, "min": min, "max": max}
    return reducers[node.function](values)


def _count(node: Node, lookup: Lookup, scores: Scores) -> int:
    if isinstance(node, Name):
        value = lookup(node.key)
        if isinstance(value, list):
            return len(value)
        return 0 if value is None or value == "" else 1
    return 0 if evaluate(node, lookup, scores) is None else 1
