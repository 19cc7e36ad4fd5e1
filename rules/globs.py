"""Path patterns in the gitignore style users already write for flake8 and ruff.

`*` and `?` stay within one path segment, `**` crosses them, `**/` is any number of folders; a
pattern without an inner `/` matches at any depth, and a pattern naming a folder matches
everything below it. Patterns compile to an automaton that reads each path once, character by
character (a lazily built DFA), so matching is linear in the path whatever the pattern: a
backtracking regex takes exponential time on `*a*a*a*a*a*a*a*a*a*a*b`.
"""
from __future__ import annotations

from functools import lru_cache

# Node kinds of one pattern, in order.
_LITERAL, _ONE, _STAR, _ANY, _FOLDERS, _END = range(6)
# An automaton that has seen this many distinct state sets starts its table afresh.
_MAX_STATES = 4096

State = tuple[int, int, int]  # pattern, node, 0 = at the node / 1 = inside `**/` or the tail


def _nodes(pattern: str) -> tuple[tuple[int, str], ...]:
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    nodes = [] if anchored else [(_FOLDERS, "")]
    index = 0
    while index < len(body):
        if body.startswith("**/", index):
            nodes.append((_FOLDERS, ""))
            index += 3
        elif body.startswith("**", index):
            nodes.append((_ANY, ""))
            index += 2
        else:
            char = body[index]
            nodes.append((_STAR, "") if char == "*" else (_ONE, "") if char == "?"
                         else (_LITERAL, char))
            index += 1
    nodes.append((_END, ""))
    return tuple(nodes)


class _Automaton:
    """The patterns' union as an NFA over (pattern, node, inner) states, run as a lazy DFA."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.patterns = tuple(_nodes(pattern) for pattern in patterns)
        self._reset()

    def _reset(self) -> None:
        self.sets: list[frozenset[State]] = []
        self.ids: dict[frozenset[State], int] = {}
        self.table: list[dict[str, int]] = []
        self.accepting: list[bool] = []
        start: set[State] = set()
        for number in range(len(self.patterns)):
            self._close((number, 0, 0), start)
        self.start = self._state_id(frozenset(start))
        self.dead = self._state_id(frozenset())

    def _state_id(self, states: frozenset[State]) -> int:
        known = self.ids.get(states)
        if known is None:
            known = self.ids[states] = len(self.sets)
            self.sets.append(states)
            self.table.append({})
            self.accepting.append(any(self.patterns[pattern][node][0] == _END
                                      for pattern, node, _ in states))
        return known

    def _close(self, state: State, into: set[State]) -> None:
        """Add `state` and every state reachable from it without reading a character."""
        if state in into:
            return
        into.add(state)
        pattern, node, inner = state
        kind = self.patterns[pattern][node][0]
        if inner == 0 and kind in (_STAR, _ANY, _FOLDERS):
            self._close((pattern, node + 1, 0), into)
        if inner == 0 and kind == _FOLDERS:
            self._close((pattern, node, 1), into)

    def _step(self, state: State, char: str, into: set[State]) -> None:
        pattern, node, inner = state
        kind, literal = self.patterns[pattern][node]
        if inner == 1:  # inside `.*/` of `**/`, or the `/...` tail after a match
            into.add(state)
            if kind == _FOLDERS and char == "/":
                self._close((pattern, node + 1, 0), into)
        elif kind == _END:
            if char == "/":
                into.add((pattern, node, 1))
        elif kind in (_STAR, _ANY):
            if kind == _ANY or char != "/":
                self._close(state, into)
        elif (kind == _LITERAL and char == literal) or (kind == _ONE and char != "/"):
            self._close((pattern, node + 1, 0), into)

    def _transition(self, current: int, char: str) -> int:
        following: set[State] = set()
        for state in self.sets[current]:
            self._step(state, char, following)
        target = self._state_id(frozenset(following))
        self.table[current][char] = target
        return target

    def match(self, text: str) -> bool:
        if len(self.sets) > _MAX_STATES:
            self._reset()
        current, table, dead = self.start, self.table, self.dead
        for char in text:
            following = table[current].get(char)
            if following is None:
                following = self._transition(current, char)
            if following == dead:
                return False
            current = following
        return self.accepting[current]


@lru_cache(maxsize=512)
def _automaton(patterns: tuple[str, ...]) -> _Automaton:
    return _Automaton(patterns)


def matches(relative_path: str, pattern: str) -> bool:
    """True if a '/'-separated path relative to the project root matches the pattern."""
    return _automaton((pattern,)).match(relative_path)


def matches_any(relative_path: str, patterns: tuple[str, ...]) -> bool:
    return bool(patterns) and _automaton(patterns).match(relative_path)
