"""Load agreement YAML into a tree that remembers lines, within the limits, before any walk.

The work YAML can cause is bounded in three steps, each before the next one starts:
the text's size; the nesting of brackets on any one line (ruamel's scanner looks ahead up to
1,024 characters on a line and its cost grows with the square of the brackets open there);
then, on the composed node graph and before any Python value is built, the nesting depth and
the number of values with every alias written out (an alias costs what it expands to, computed
once per anchor, so an alias bomb is refused in time linear in the text). Scalars that would
not construct (a tag slawatch does not use, a 5,000-digit integer) are reported at their line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.composer import Composer, MaxDepthExceededError
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from slawatch.agreements._walk import At, Map, Walk
from slawatch.agreements.errors import AgreementLimitError, Problem
from slawatch.agreements.limits import SETTINGS, Limits, too_large

_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset(
    _TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
_MERGE = _TAG + "merge"
_CONSTRUCTED = {
    _TAG + "int": "a whole number",
    _TAG + "float": "a number",
    _TAG + "bool": "true or false",
}
_DIGITS = re.compile(r"[-+]?[0-9_]+")
INT64 = 2**63 - 1  # the largest number an agreement may hold: the store's and the engine's
# Characters a value may not hold: they cannot be stored (NUL in PostgreSQL) or shown.
_UNSHOWABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_OPENERS = re.compile(r"[\[{]")


class _Refused(Exception):  # noqa: N818 - a signal from inside ruamel, never seen outside
    """Stop before construction; the problems are already recorded on the walk."""


class _TooManyNodesError(MarkedYAMLError):
    """More values than the limit were composed: reading on would cost ~0.1 ms a value."""


class _Composer(Composer):
    """Compose as ruamel does, stopping once more values than the limit are written.

    An anchor defined twice is legal YAML: the later one wins, without a warning.
    """

    max_nodes = 0

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.warn_double_anchors = False
        self.composed = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.composed += 1
        if self.composed > self.max_nodes:
            raise _TooManyNodesError(problem_mark=self.parser.peek_event().start_mark)
        return super().compose_node(parent, index)


class _Constructor(RoundTripConstructor):
    """Keep dates and instants as text; check the node graph before building anything."""

    walk: Walk
    limits: Limits

    def construct_document(self, node: Any) -> Any:
        check_nodes(node, self.walk, self.limits, build=self.construct_object)
        if self.walk.problems:
            raise _Refused
        return super().construct_document(node)


def _keep_timestamp_text(constructor: RoundTripConstructor, node: Any) -> Any:
    return constructor.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _keep_timestamp_text)


def _setting(name: str) -> str:
    return SETTINGS[name]


def refuse(walk: Walk, line: int | None, limit: str, message: str, hint: str) -> None:
    """Raise the refusal of a limit; it names the setting that raises the limit."""
    raise AgreementLimitError(Problem(walk.source, line, "", message, hint), limit=limit)


def check_size(text: str, walk: Walk, limits: Limits) -> None:
    """Refuse text over `max_bytes` (UTF-8); counts without encoding unless it could matter."""
    if len(text) * 4 <= limits.max_bytes:
        return
    size = len(text) if len(text) > limits.max_bytes else len(text.encode("utf-8", "replace"))
    if size > limits.max_bytes:
        raise too_large(walk.source, size, limits)


def check_bracket_depth(text: str, walk: Walk, limits: Limits) -> None:
    """Refuse a line whose brackets nest deeper than `max_depth`, before ruamel scans it.

    Brackets in quoted text and comments do not count. A line with few brackets is passed
    without a character loop: only its count of opening brackets can exceed the limit.
    """
    for number, line in enumerate(text.splitlines(), 1):
        if len(_OPENERS.findall(line)) > limits.max_depth and _line_depth(line) > limits.max_depth:
            _refuse_depth(walk, number, limits)


def _line_depth(line: str) -> int:
    """Return the deepest bracket nesting on one line, counted from the line's start."""
    depth = deepest = 0
    quote = ""
    previous = ""  # the last character that is not blank, outside quotes
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == quote:
                if quote == "'" and line[index + 1 : index + 2] == "'":
                    index += 1  # '' is a quote inside a single-quoted scalar
                else:
                    quote, previous = "", char
            elif char == "\\" and quote == '"':
                index += 1
        elif char in "\"'" and previous in ("", "[", "{", ",", ":", "-", "?"):
            quote = char  # a quote opens a scalar only where a scalar can start
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            break
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
        if not quote and char not in " \t":
            previous = char
        index += 1
    return deepest


def _refuse_depth(walk: Walk, line: int | None, limits: Limits) -> None:
    refuse(
        walk,
        line,
        "depth",
        f"values nest more than {limits.max_depth} levels deep here",
        f"an agreement needs about 6 levels; flatten the nesting, or raise {_setting('max_depth')}",
    )


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def check_nodes(root: Node, walk: Walk, limits: Limits, *, build: Callable[[Node], Any]) -> None:
    """Refuse a node graph too deep or too large with its aliases written out.

    Each distinct node is visited once: the expanded size and height of a node shared by
    aliases are computed once and added wherever it is used. Scalars that would not build
    are recorded as problems at their line.
    """
    cap = limits.max_nodes + 1
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    text: dict[int, int] = {}  # characters of scalar text, aliases written out
    started: set[int] = set()
    aliased = False
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            children = _children(node)
            size[key] = min(cap, 1 + sum(size[id(child)] for child in children))
            height[key] = 1 + max((height[id(child)] for child in children), default=0)
            own = len(str(node.value)) if isinstance(node, ScalarNode) else 0
            text[key] = min(limits.max_bytes + 1, own + sum(text[id(c)] for c in children))
            if height[key] > limits.max_depth:
                _refuse_depth(walk, _line_of(node), limits)
            if size[key] > limits.max_nodes:
                _refuse_nodes(walk, _line_of(node), limits, aliased=aliased)
            if text[key] > limits.max_bytes:
                _refuse_expansion(walk, node, limits)
            continue
        if key in size:
            aliased = True
            continue
        if key in started:
            refuse(
                walk,
                _line_of(node),
                "nodes",
                "an alias is used inside its own anchor, so it never ends",
                "write the value out, or point the alias at another anchor",
            )
        started.add(key)
        stack.append((node, True))
        if isinstance(node, ScalarNode):
            _check_scalar(node, walk, build)
        elif isinstance(node, MappingNode):
            _check_keys(node, walk)
        else:
            _check_tag(node, walk)
        stack.extend((child, False) for child in reversed(_children(node)))


def _refuse_nodes(walk: Walk, line: int | None, limits: Limits, *, aliased: bool) -> None:
    if aliased:
        lead = "with its aliases written out, the agreement holds"
        fix = "use fewer aliases (each *alias counts as a copy of what it names) or fewer values"
    else:
        lead, fix = "the agreement holds", "an agreement needs a few thousand; write fewer"
    refuse(
        walk,
        line,
        "nodes",
        f"{lead} more than {limits.max_nodes:,} values",
        f"{fix}, or raise {_setting('max_nodes')}",
    )


def _refuse_expansion(walk: Walk, node: Node, limits: Limits) -> None:
    refuse(
        walk,
        _line_of(node),
        "expansion",
        f"with its aliases written out, the agreement holds more than {limits.max_bytes:,} "
        "characters of values",
        f"use fewer aliases of long values, or raise {_setting('max_bytes')}",
    )


def _line_of(node: Node) -> int | None:
    mark = node.start_mark
    return None if mark is None else int(mark.line) + 1


def _check_tag(node: Node, walk: Walk) -> bool:
    tag = str(node.tag)
    if tag in _PLAIN_TAGS or tag == _MERGE:
        return True
    shown = f"!!{tag.removeprefix(_TAG)}" if tag.startswith(_TAG) else tag
    walk.problem(
        At("", _line_of(node)),
        f"the tag {shown[:60]} is not used in agreements",
        "remove it; write the value plainly or in quotes",
    )
    return False


def _check_scalar(node: ScalarNode, walk: Walk, build: Callable[[Node], Any]) -> None:
    if not _check_tag(node, walk):
        return
    value = str(node.value)
    found = _UNSHOWABLE.search(value)
    if found is not None:
        walk.problem(
            At("", _line_of(node)),
            f"a value holds the character U+{ord(found.group()):04X}, which cannot be stored",
            "remove it; write plain text",
        )
        return
    kind = _CONSTRUCTED.get(str(node.tag))
    if kind is None:
        return
    try:
        built = build(node)
    except (ConstructorError, ValueError, KeyError, TypeError, OverflowError):
        built = None
        if not _DIGITS.fullmatch(value):
            walk.problem(
                At("", _line_of(node)),
                f'"{value[:40]}" is not {kind}',
                "remove the tag, or write the value in quotes",
            )
            return
    if built is None or (isinstance(built, int) and abs(built) > INT64):
        written = value if len(value) <= 40 else f"{value[:40]}…"
        walk.problem(
            At("", _line_of(node)),
            f"the number {written} is too large",
            f"numbers in an agreement are at most {INT64:,}; write it in quotes if it is text",
        )


def _check_keys(node: MappingNode, walk: Walk) -> None:
    _check_tag(node, walk)
    for key, _value in node.value:
        if not isinstance(key, ScalarNode):
            kind = "a list" if isinstance(key, SequenceNode) else "a mapping"
            walk.problem(
                At("", _line_of(key)),
                f"a key must be a name, not {kind}",
                "write name: value; a key in brackets or after `?` is not used in agreements",
            )


def load_yaml(text: str, walk: Walk, limits: Limits) -> Map | None:
    """Load the YAML within `limits`; raise `AgreementLimitError` for input over a limit."""
    check_size(text, walk, limits)
    check_bracket_depth(text, walk, limits)
    yaml = YAML(typ="rt")
    yaml.Composer = _Composer
    yaml.Constructor = _Constructor
    yaml.max_depth = limits.max_depth
    yaml.composer.max_nodes = limits.max_nodes
    constructor = yaml.constructor
    constructor.walk, constructor.limits = walk, limits
    try:
        tree = yaml.load(text)
    except _Refused:
        return None
    except _TooManyNodesError as error:
        mark = error.problem_mark
        _refuse_nodes(walk, None if mark is None else mark.line + 1, limits, aliased=False)
        raise  # pragma: no cover - _refuse_nodes raises
    except MaxDepthExceededError as error:
        mark = error.problem_mark
        _refuse_depth(walk, None if mark is None else mark.line + 1, limits)
        raise  # pragma: no cover - _refuse_depth raises
    except MarkedYAMLError as error:
        line, message, hint = _yaml_problem(error, text)
        walk.problem(At("", line), message, hint)
        return None
    except ReaderError as error:  # a character YAML does not allow, at a position
        line = text.count("\n", 0, error.position) + 1
        found = error.character
        code = found if isinstance(found, int) else ord(str(found)[:1] or " ")
        walk.problem(
            At("", line),
            f"the file holds the character U+{code:04X}, which YAML does not allow",
            "remove it; save the file as plain UTF-8 text",
        )
        return None
    except YAMLError as error:  # unmarked errors carry no line
        walk.problem(At("", None), f"malformed YAML: {error}", "check the file's syntax")
        return None
    if tree is None:
        walk.problem(
            At("", None),
            "the file is empty",
            "start from a template: slawatch new --template marketing-sales",
        )
        return None
    if not isinstance(tree, CommentedMap):
        walk.problem(
            At("", 1),
            "an agreement must be a mapping of key: value lines",
            "start with agreement: <id>",
        )
        return None
    return Map(tree, At("", 1))


def _yaml_problem(error: MarkedYAMLError, text: str) -> tuple[int | None, str, str | None]:
    """Say what is wrong at which line; a file that ends too early points at its last line."""
    lines = text.splitlines()
    problem = str(error.problem or error.context or "malformed YAML")
    mark = error.problem_mark or error.context_mark
    ended = "<stream end>" in problem or "end of stream" in problem
    if ended and error.context_mark is not None:
        mark = error.context_mark  # an unclosed bracket or quote: point where it opened
    line = None if mark is None else mark.line + 1
    if line is not None and line > len(lines):
        line = max(1, len(lines))  # ruamel names the line after the last one
    source_line = lines[line - 1] if line is not None and 0 < line <= len(lines) else ""
    if ended:
        return (
            line,
            "malformed YAML: the file ends before a bracket or quote opened here is closed",
            "close it with ], } or the matching quote",
        )
    if "duplicate key" in problem:
        found = re.search(r'duplicate key "([^"]*)"', problem)
        name = found.group(1) if found else "a key"
        return (
            line,
            f'duplicate key "{name[:60]}"',
            "each key may appear once in a mapping; merge or remove one",
        )
    if "another document" in problem:
        return line, "the file holds more than one YAML document", "keep one agreement per file"
    if "'\\t'" in problem:
        return line, "tab character in YAML", "indent with spaces, not tabs"
    if "chomping or indentation indicators" in problem:
        name, _, value = source_line.strip().partition(":")
        quoted = f'{name}: "{value.split("#")[0].strip()}"' if value.strip() else 'target: ">= 95%"'
        return line, "a value starting with > or | must be quoted", f"write {quoted[:80]}"
    if "found character '%'" in problem or "found character '@'" in problem:
        return line, f"malformed YAML: {problem}", "quote the value"
    return (
        line,
        f"malformed YAML: {problem}",
        "check indentation, colons and brackets on this line",
    )
