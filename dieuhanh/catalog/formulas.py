"""The formula language of derived indicators.

A derived indicator is computed from other indicators by a formula such as::

    #{EXPORTS} - #{IMPORTS}
    ytd(#{BUDGET_REVENUE}) / #{BUDGET_REVENUE_ESTIMATE} * 100
    if(#{PLAN} > 0, round(#{DONE} / #{PLAN} * 100, 1), coalesce(#{DONE_PCT}, 0))
    sum(#{FDI_REGISTERED.*})

The language is read by its own tokenizer and Pratt parser; nothing in a formula is ever
handed to Python (no ``eval``, no ``ast``), so a formula can only compute numbers.

Syntax
======

References
    ``#{CODE}`` is an indicator's total, ``#{CODE.OPTION}`` its value under one option (or
    combination of options) of its disaggregation, and ``#{CODE.*}`` the list of its values
    over all the options; a list is only accepted as an argument of ``sum``, ``avg``,
    ``min``, ``max`` and ``count``. Codes and options are ``[A-Z][A-Z0-9_]*`` and are
    read in any case and stored in upper case.
Periods
    ``previous(#{X})`` (the previous period), ``last_year(#{X})`` (the same period last
    year) and ``ytd(#{X})`` (accumulated from the start of the year) wrap exactly one
    reference; they become the reference's ``offset``.
Numbers and operators
    ``12``, ``3.5``, ``.5``, ``1e3``; parentheses; from loosest to tightest: ``or``,
    ``and``, ``not``, comparisons (``< <= > >= == !=``, which do not chain), ``+ -``,
    ``* /``, unary ``- +``, and ``^`` (power, right-associative, so ``-2 ^ 2`` is -4).
    Keywords and function names are read in any case.
Functions
    ``if(cond, a, b)``, ``min(...)``, ``max(...)``, ``abs(x)``, ``round(x)``,
    ``round(x, digits)``, ``sum(...)``, ``avg(...)``, ``count(...)``,
    ``coalesce(a, b, ...)``.

Evaluation
==========

``evaluate`` asks a resolver for the value of each reference. A missing value is ``None``
and makes the result of arithmetic and comparisons ``None``; ``and``/``or``/``not`` follow
three-valued logic (``0 and None`` is 0, ``1 or None`` is 1); ``if`` with a missing
condition is ``None``; ``coalesce`` takes the first value that is not missing. ``sum``,
``avg``, ``min`` and ``max`` skip the missing items of a list but are ``None`` when a
single argument is missing or nothing is left; ``count`` counts the values present.
Division by zero and results that are not finite are ``None``. Truth values are 1.0 and
0.0, and ``round`` rounds half away from zero (on the decimal value that is shown).

Errors are ``FormulaError``: a machine-readable ``code``, the 0-based ``position`` in the
text and a translated message giving the 1-based position.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import NamedTuple

from django.utils.translation import gettext

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Binary",
    "Call",
    "Formula",
    "FormulaError",
    "Node",
    "Number",
    "Ref",
    "Reference",
    "Token",
    "Unary",
    "evaluate",
    "find_cycle",
    "parse",
    "to_text",
    "tokenize",
    "validate",
]

MAX_LENGTH = 2000
MAX_DEPTH = 50

PERIOD_FUNCTIONS = ("previous", "last_year", "ytd")
AGGREGATES = frozenset({"sum", "avg", "min", "max", "count"})
# name: (fewest arguments, most arguments or None, usage shown in the error message)
FUNCTIONS: dict[str, tuple[int, int | None, str]] = {
    "if": (3, 3, "if(cond, a, b)"),
    "min": (1, None, "min(a, b, ...)"),
    "max": (1, None, "max(a, b, ...)"),
    "abs": (1, 1, "abs(x)"),
    "round": (1, 2, "round(x), round(x, digits)"),
    "sum": (1, None, "sum(a, b, ...)"),
    "avg": (1, None, "avg(a, b, ...)"),
    "count": (1, None, "count(a, b, ...)"),
    "coalesce": (1, None, "coalesce(a, b, ...)"),
}
COMPARISONS = frozenset({"<", "<=", ">", ">=", "==", "!="})
KEYWORDS = frozenset({"and", "or", "not"})

# Binding power of the infix operators (higher binds tighter).
_INFIX = {
    "or": 10,
    "and": 20,
    **dict.fromkeys(COMPARISONS, 40),
    "+": 50,
    "-": 50,
    "*": 60,
    "/": 60,
    "^": 80,
}
_NOT_OPERAND = 30  # `not` takes everything tighter than `and`: not a == b is not (a == b)
_UNARY_OPERAND = 70  # unary minus takes only powers: -2 ^ 2 is -(2 ^ 2)
_POWER_RIGHT = 79  # right-associative

_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CODE = r"[A-Za-z][A-Za-z0-9_]*"
_REFERENCE_BODY = re.compile(rf"({_CODE})(?:\.({_CODE}|\*))?")
_OPERATORS = ("<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "^", "(", ")", ",")
_READABLE = {"-": "\u2212", "*": "\u00d7", "/": "\u00f7"}


# Errors ---------------------------------------------------------------------------------


def _message(code: str, params: dict) -> str:
    messages: dict[str, Callable[[], str]] = {
        "unexpected_character": lambda: gettext(
            "Unexpected character “%(character)s” at position %(position)s."
        ),
        "unexpected_token": lambda: gettext("Unexpected “%(token)s” at position %(position)s."),
        "bare_word": lambda: gettext(
            "Unexpected “%(token)s” at position %(position)s; an indicator is written %(example)s."
        ),
        "unexpected_end": lambda: gettext("The formula ends too early at position %(position)s."),
        "unknown_function": lambda: gettext(
            "Unknown function “%(name)s” at position %(position)s."
        ),
        "wrong_arguments": lambda: gettext(
            "Wrong number of arguments for %(name)s() at position %(position)s; use %(usage)s."
        ),
        "unclosed_reference": lambda: gettext(
            "The indicator reference at position %(position)s is not closed with “}”."
        ),
        "bad_reference": lambda: gettext(
            "Invalid indicator reference at position %(position)s; write %(example)s, "
            "%(option_example)s or %(list_example)s."
        ),
        "bad_number": lambda: gettext("Invalid number “%(number)s” at position %(position)s."),
        "list_not_allowed": lambda: gettext(
            "“%(reference)s” at position %(position)s is a list of values; it can only be "
            "used inside sum, avg, min, max or count."
        ),
        "period_function_needs_reference": lambda: gettext(
            "%(name)s() at position %(position)s takes a single indicator reference, "
            "as in %(name)s(%(example)s)."
        ),
        "unknown_reference": lambda: gettext(
            "Unknown indicator “%(code)s” at position %(position)s."
        ),
        "unknown_option": lambda: gettext(
            "The indicator “%(code)s” has no option “%(option)s” (at position %(position)s)."
        ),
        "self_reference": lambda: gettext(
            "The formula of “%(code)s” refers to the indicator itself at position %(position)s."
        ),
        "cycle": lambda: gettext(
            "The reference at position %(position)s makes a circular calculation: %(path)s."
        ),
        "too_long": lambda: gettext(
            "The formula is too long at position %(position)s; at most %(limit)s "
            "characters are allowed."
        ),
        "too_deep": lambda: gettext(
            "The formula is nested too deeply at position %(position)s; at most %(limit)s "
            "levels are allowed."
        ),
    }
    # The syntax examples are parameters, so that the messages hold no braces to translate.
    examples = {"example": "#{CODE}", "option_example": "#{CODE.OPTION}"}
    return messages[code]() % {**examples, "list_example": "#{CODE.*}", **params}


class FormulaError(ValueError):
    """A formula that cannot be read, or refers to what it may not.

    ``code`` is machine-readable, ``position`` is the 0-based offset in the formula text
    and the message (``str(error)``) is translated and gives the 1-based position.
    """

    def __init__(self, code: str, position: int, /, *, message: str | None = None, **params):
        self.code = code
        self.position = position
        self.params = params
        if message is None:
            variant = params.pop("variant", code)
            message = _message(variant, {**params, "position": position + 1})
        self.message = message
        super().__init__(message)


# Tokens ---------------------------------------------------------------------------------


class Token(NamedTuple):
    """``kind`` is ``number``, ``reference``, ``name``, ``operator`` (including the
    keywords ``and``, ``or``, ``not`` and the punctuation ``( ) ,``) or ``end``."""

    kind: str
    text: str
    position: int
    value: object = None


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token (for syntax highlighting)."""
    return list(_tokens(text))


def _tokens(text: str) -> Iterator[Token]:
    """Tokens one by one, so that the parser reports the first error in the text."""
    if len(text) > MAX_LENGTH:
        raise FormulaError("too_long", MAX_LENGTH, limit=MAX_LENGTH)
    i, length = 0, len(text)
    while i < length:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char == "#":
            token = _reference_token(text, i)
        elif match := _NUMBER.match(text, i):
            number = match.group()
            value = float(number)
            if not math.isfinite(value):
                raise FormulaError("bad_number", i, number=number)
            token = Token("number", number, i, value)
        elif match := _NAME.match(text, i):
            name = match.group()
            if name.lower() in KEYWORDS:
                token = Token("operator", name.lower(), i)
            else:
                token = Token("name", name, i)
        else:
            operator = next((op for op in _OPERATORS if text.startswith(op, i)), None)
            if operator is None:
                raise FormulaError("unexpected_character", i, character=char)
            token = Token("operator", operator, i)
        yield token
        i += len(token.text)
    yield Token("end", "", len(text.rstrip()))


def _reference_token(text: str, start: int) -> Token:
    if not text.startswith("#{", start):
        raise FormulaError("bad_reference", start)
    end = text.find("}", start + 2)
    body = text[start + 2 : end]
    if end == -1 or "#" in body or "\n" in body:
        raise FormulaError("unclosed_reference", start)
    match = _REFERENCE_BODY.fullmatch(body)
    if match is None:
        raise FormulaError("bad_reference", start)
    code, option = match.group(1).upper(), match.group(2)
    all_options = option == "*"
    reference = Reference(
        code=code,
        option=None if option is None or all_options else option.upper(),
        all_options=all_options,
        position=start,
    )
    return Token("reference", text[start : end + 1], start, reference)


# Syntax tree ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """One use of an indicator in a formula. ``position`` is where its ``#{`` stands and
    is left out of comparisons, so equal references are the same value."""

    code: str
    option: str | None = None
    all_options: bool = False
    offset: str | None = None  # None, "previous", "last_year" or "ytd"
    position: int = field(default=0, compare=False)

    def __str__(self) -> str:
        if self.all_options:
            inner = f"#{{{self.code}.*}}"
        elif self.option is not None:
            inner = f"#{{{self.code}.{self.option}}}"
        else:
            inner = f"#{{{self.code}}}"
        return f"{self.offset}({inner})" if self.offset else inner


@dataclass(frozen=True)
class Number:
    value: float
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Ref:
    reference: Reference
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Unary:
    op: str  # "-", "+" or "not"
    operand: Node
    position: int = field(default=0, compare=False)


@dataclass(frozen=True, eq=False, repr=False)
class Binary:
    """``op`` is ``+ - * / ^``, a comparison, ``and`` or ``or``.

    A long chain such as ``#{A1} + #{A2} + ... + #{A500}`` nests to the left as deep as it
    is long, so equality, hashing and ``repr`` walk the left spine in a loop instead of
    recursing."""

    op: str
    left: Node
    right: Node
    position: int = field(default=0, compare=False)

    def _spine(self) -> tuple[list[Binary], Node]:
        spine: list[Binary] = [self]
        while isinstance(spine[-1].left, Binary):
            spine.append(spine[-1].left)
        return spine, spine[-1].left

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Binary):
            return NotImplemented
        a: Node = self
        b: Node = other
        while isinstance(a, Binary) and isinstance(b, Binary):
            if a is b:
                return True
            if a.op != b.op or a.right != b.right:
                return False
            a, b = a.left, b.left
        return a == b

    def __hash__(self) -> int:
        spine, bottom = self._spine()
        return hash((tuple((node.op, node.right) for node in spine), bottom))

    def __repr__(self) -> str:
        spine, bottom = self._spine()
        text = repr(bottom)
        for node in reversed(spine):
            text = (
                f"Binary(op={node.op!r}, left={text}, right={node.right!r}, "
                f"position={node.position!r})"
            )
        return text


@dataclass(frozen=True)
class Call:
    name: str  # lower case, one of FUNCTIONS
    args: tuple[Node, ...]
    position: int = field(default=0, compare=False)


Node = Number | Ref | Unary | Binary | Call


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its ``text`` and syntax tree ``root``, the ``references`` in the
    order they appear and the set of referenced indicator ``codes``."""

    text: str
    root: Node
    references: tuple[Reference, ...] = field(init=False, compare=False, repr=False)
    codes: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        references = tuple(_references(self.root))
        object.__setattr__(self, "references", references)
        object.__setattr__(self, "codes", frozenset(ref.code for ref in references))


def _references(root: Node) -> Iterable[Reference]:
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Ref):
            yield node.reference
        elif isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.extend((node.right, node.left))
        elif isinstance(node, Call):
            stack.extend(reversed(node.args))


# Parser ---------------------------------------------------------------------------------


def parse(text: str) -> Formula:
    """Read a formula; raises ``FormulaError``."""
    if not isinstance(text, str):
        raise TypeError("a formula is a string")
    return Formula(text, _Parser(_tokens(text)).parse())


class _Parser:
    def __init__(self, tokens: Iterator[Token]):
        self.tokens = tokens
        self.current = next(tokens)
        self.depth = -1

    def peek(self) -> Token:
        return self.current

    def advance(self) -> Token:
        token = self.current
        if token.kind != "end":
            self.current = next(self.tokens)
        return token

    def is_operator(self, text: str) -> bool:
        token = self.peek()
        return token.kind == "operator" and token.text == text

    def left_power(self) -> int:
        token = self.peek()
        return _INFIX.get(token.text, 0) if token.kind == "operator" else 0

    def expect(self, text: str) -> Token:
        if self.is_operator(text):
            return self.advance()
        raise self.unexpected(self.peek())

    @staticmethod
    def unexpected(token: Token) -> FormulaError:
        if token.kind == "end":
            return FormulaError("unexpected_end", token.position)
        if token.kind == "name":
            return FormulaError(
                "unexpected_token", token.position, token=token.text, variant="bare_word"
            )
        return FormulaError("unexpected_token", token.position, token=token.text)

    def parse(self) -> Node:
        root = self.expression(0)
        if self.peek().kind != "end":
            raise self.unexpected(self.peek())
        return root

    def expression(self, power: int, allow_list: bool = False) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError("too_deep", self.peek().position, limit=MAX_DEPTH)
        left = self.prefix(self.advance())
        is_list = isinstance(left, Ref) and left.reference.all_options
        if is_list and (not allow_list or self.left_power() > power):
            raise FormulaError(
                "list_not_allowed", left.reference.position, reference=str(left.reference)
            )
        while self.left_power() > power:
            left = self.infix(self.advance(), left)
        self.depth -= 1
        return left

    def prefix(self, token: Token) -> Node:
        if token.kind == "number":
            return Number(token.value, token.position)
        if token.kind == "reference":
            return Ref(token.value, token.position)
        if token.kind == "name":
            return self.call(token)
        if token.kind == "operator":
            if token.text == "(":
                inner = self.expression(0)
                self.expect(")")
                return inner
            if token.text in ("-", "+"):
                return Unary(token.text, self.expression(_UNARY_OPERAND), token.position)
            if token.text == "not":
                return Unary("not", self.expression(_NOT_OPERAND), token.position)
        raise self.unexpected(token)

    def infix(self, token: Token, left: Node) -> Node:
        op = token.text
        if op == "^":
            return Binary(op, left, self.expression(_POWER_RIGHT), token.position)
        node = Binary(op, left, self.expression(_INFIX[op]), token.position)
        if op in COMPARISONS and self.peek().text in COMPARISONS:
            # a < b < c would not mean what it seems to; ask for parentheses
            raise self.unexpected(self.peek())
        return node

    def call(self, token: Token) -> Node:
        name = token.text.lower()
        if name not in FUNCTIONS and name not in PERIOD_FUNCTIONS:
            if self.is_operator("("):
                raise FormulaError("unknown_function", token.position, name=token.text)
            raise self.unexpected(token)
        self.expect("(")
        args: list[Node] = []
        starts: list[int] = []
        if not self.is_operator(")"):
            while True:
                starts.append(self.peek().position)
                # A period function passes a list on; the caller decides whether it may.
                allow_list = name in AGGREGATES or name in PERIOD_FUNCTIONS
                args.append(self.expression(0, allow_list=allow_list))
                if not self.is_operator(","):
                    break
                self.advance()
        closing = self.expect(")")
        if name in PERIOD_FUNCTIONS:
            return self.period(token, name, args, starts, closing)
        low, high, usage = FUNCTIONS[name]
        if len(args) < low or (high is not None and len(args) > high):
            raise FormulaError("wrong_arguments", token.position, name=name, usage=usage)
        return Call(name, tuple(args), token.position)

    @staticmethod
    def period(token: Token, name: str, args: list[Node], starts: list[int], closing: Token):
        if not args:
            raise FormulaError("period_function_needs_reference", closing.position, name=name)
        first = args[0]
        if not isinstance(first, Ref) or first.reference.offset is not None:
            raise FormulaError("period_function_needs_reference", starts[0], name=name)
        if len(args) > 1:
            usage = f"{name}(#{{CODE}})"
            raise FormulaError("wrong_arguments", token.position, name=name, usage=usage)
        reference = first.reference
        return Ref(
            Reference(
                reference.code,
                reference.option,
                reference.all_options,
                name,
                reference.position,
            ),
            token.position,
        )


# Checks ---------------------------------------------------------------------------------


def validate(
    formula: Formula,
    known: Mapping[str, set[str] | None],
    own_code: str | None = None,
    graph: Mapping[str, Iterable[str]] | None = None,
) -> None:
    """Check the references of a formula against the indicators that exist.

    ``known`` maps each indicator code to its option codes, or to None when options are
    not to be checked. ``own_code`` is the indicator whose formula this is: referring to
    it is a ``self_reference``. With ``graph`` (each derived indicator's code to the codes
    its formula uses), a formula that would close a circle through ``own_code`` is a
    ``cycle``. Raises the ``FormulaError`` of the first reference at fault.
    """
    options = {
        code.upper(): None if values is None else {value.upper() for value in values}
        for code, values in known.items()
    }
    own = own_code.upper() if own_code else None
    for reference in formula.references:
        if reference.code == own:
            raise FormulaError("self_reference", reference.position, code=reference.code)
        if reference.code not in options:
            raise FormulaError("unknown_reference", reference.position, code=reference.code)
        allowed = options[reference.code]
        if reference.option is not None and allowed is not None and reference.option not in allowed:
            raise FormulaError(
                "unknown_reference",
                reference.position,
                code=reference.code,
                option=reference.option,
                variant="unknown_option",
            )
    if graph is None or own is None:
        return
    edges = {code.upper(): [c.upper() for c in codes] for code, codes in graph.items()}
    edges[own] = sorted(formula.codes)
    for reference in formula.references:
        path = _path(edges, reference.code, own)
        if path is not None:
            raise FormulaError(
                "cycle", reference.position, path=" → ".join([own, *path]), cycle=[own, *path]
            )


def _path(graph: Mapping[str, Iterable[str]], start: str, target: str) -> list[str] | None:
    """A path from ``start`` to ``target`` (both included), by iterative depth-first
    search."""
    seen = {start}
    path = [start]
    stack = [iter(sorted(set(graph.get(start, ()))))]
    if start == target:
        return path
    while stack:
        following = next(stack[-1], None)
        if following is None:
            stack.pop()
            path.pop()
            continue
        if following == target:
            return [*path, following]
        if following not in seen:
            seen.add(following)
            path.append(following)
            stack.append(iter(sorted(set(graph.get(following, ())))))
    return None


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A cycle in a graph of indicator code → codes its formula uses, as a path that
    returns to its start (``["A", "B", "A"]``), or None.

    Iterative depth-first search; nodes and their successors are visited in sorted order,
    so the answer does not depend on the order of the mapping or of its sets."""
    done: set[str] = set()
    for root in sorted(graph):
        if root in done:
            continue
        path = [root]
        on_path = {root}
        stack = [iter(sorted(set(graph.get(root, ()))))]
        while stack:
            following = next(stack[-1], None)
            if following is None:
                stack.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                continue
            if following in on_path:
                return [*path[path.index(following) :], following]
            if following not in done:
                path.append(following)
                on_path.add(following)
                stack.append(iter(sorted(set(graph.get(following, ())))))
    return None


# Evaluation -----------------------------------------------------------------------------

Value = float | None
Resolver = Callable[[Reference], "float | list[float | None] | None"]


def evaluate(formula: Formula | Node, resolve: Resolver) -> float | None:
    """The value of a formula; ``resolve`` gives the value of each reference (a list for
    ``#{CODE.*}``) and is asked once per distinct reference."""
    root = formula.root if isinstance(formula, Formula) else formula
    cache: dict[Reference, object] = {}

    def fetch(reference: Reference) -> object:
        if reference not in cache:
            cache[reference] = resolve(reference)
        return cache[reference]

    return compiled(root)(fetch)


Compiled = Callable[[Resolver], Value]


def compiled(formula: Formula | Node) -> Compiled:
    """The formula as a function of a resolver, built once per distinct formula and kept:
    for callers that evaluate the same formula many times (validation rules over millions of
    values). The resolver may be asked more than once for a reference used more than once;
    ``evaluate`` guards against that."""
    return _compile(formula.root if isinstance(formula, Formula) else formula)


def _number(value: object) -> Value:
    if value is None:
        return None
    if type(value) is float:  # the common case, without the abstract type check
        return _finite(value)
    if not isinstance(value, numbers.Real | Decimal):
        raise TypeError(f"a formula value must be a number or None, not {value!r}")
    return _finite(float(value))


def _finite(value: Value) -> Value:
    if value is None or not math.isfinite(value):
        return None
    return value + 0.0  # no negative zero


def _truth(value: bool) -> float:
    return 1.0 if value else 0.0


def _round(value: float, digits: float) -> float:
    places = max(-400, min(400, int(digits)))
    with localcontext() as context:
        context.prec = 1000
        exponent = Decimal(1).scaleb(-places)
        rounded = Decimal(repr(value)).quantize(exponent, rounding=ROUND_HALF_UP)
    return float(rounded)


def _power(left: float, right: float) -> Value:
    try:
        power = left**right
    except (OverflowError, ZeroDivisionError):
        return None
    return None if isinstance(power, complex) else _finite(power)


# The arithmetic and comparisons, on two values that are both present.
_OPERATIONS: dict[str, Callable[[float, float], Value]] = {
    "+": lambda a, b: _finite(a + b),
    "-": lambda a, b: _finite(a - b),
    "*": lambda a, b: _finite(a * b),
    "/": lambda a, b: None if b == 0 else _finite(a / b),
    "^": _power,
    "<": lambda a, b: _truth(a < b),
    "<=": lambda a, b: _truth(a <= b),
    ">": lambda a, b: _truth(a > b),
    ">=": lambda a, b: _truth(a >= b),
    "==": lambda a, b: _truth(a == b),
    "!=": lambda a, b: _truth(a != b),
}


@functools.lru_cache(maxsize=4096)
def _compile(node: Node) -> Compiled:
    if isinstance(node, Number):
        constant = _finite(node.value)
        return lambda get: constant
    if isinstance(node, Ref):
        return _compile_ref(node)
    if isinstance(node, Unary):
        operand = _compile(node.operand)
        if node.op == "not":
            return lambda get: None if (v := operand(get)) is None else _truth(v == 0)
        if node.op == "-":
            return lambda get: None if (v := operand(get)) is None else -v
        return operand
    if isinstance(node, Binary):
        return _compile_binary(node)
    if isinstance(node, Call):
        return _compile_call(node)
    raise TypeError(f"not a formula node: {node!r}")


def _compile_ref(node: Ref) -> Compiled:
    reference = node.reference
    if reference.all_options:
        raise FormulaError("list_not_allowed", reference.position, reference=str(reference))

    def value(get: Resolver) -> Value:
        found = get(reference)
        if isinstance(found, list | tuple):
            raise TypeError(f"{reference} needs a single value, not {found!r}")
        return _number(found)

    return value


def _and(left: Value, right_of: Compiled, get: Resolver) -> Value:
    """Three-valued ``and``: 0 if either side is 0 (the right one is not asked for when
    the left one is), missing if either is missing, else 1."""
    if left == 0:
        return 0.0
    right = right_of(get)
    if right == 0:
        return 0.0
    return None if left is None or right is None else 1.0


def _or(left: Value, right_of: Compiled, get: Resolver) -> Value:
    """Three-valued ``or``: 1 if either side is true, missing if either is missing, else 0."""
    if left is not None and left != 0:
        return 1.0
    right = right_of(get)
    if right is not None and right != 0:
        return 1.0
    return None if left is None or right is None else 0.0


def _compile_binary(node: Binary) -> Compiled:
    """A chain of binary operators leaning left (``a + b + c + ...``) as one loop, so that
    a long chain never runs deep."""
    spine, bottom = node._spine()
    first = _compile(bottom)
    steps = [(binary.op, _compile(binary.right)) for binary in reversed(spine)]

    def value(get: Resolver) -> Value:
        result = first(get)
        for op, right_of in steps:
            if op == "and":
                result = _and(result, right_of, get)
            elif op == "or":
                result = _or(result, right_of, get)
            else:
                right = right_of(get)
                result = None if result is None or right is None else _OPERATIONS[op](result, right)
        return result

    return value


def _compile_call(node: Call) -> Compiled:
    name = node.name
    if name in AGGREGATES:
        return _compile_aggregate(name, node.args)
    args = [_compile(arg) for arg in node.args]
    if name == "if":
        condition, then, otherwise = args

        def choose(get: Resolver) -> Value:
            test = condition(get)
            if test is None:
                return None
            return then(get) if test != 0 else otherwise(get)

        return choose
    if name == "coalesce":

        def first_present(get: Resolver) -> Value:
            for arg in args:
                value = arg(get)
                if value is not None:
                    return value
            return None

        return first_present
    if name == "abs":
        operand = args[0]
        return lambda get: None if (v := operand(get)) is None else abs(v)
    if name == "round":
        operand = args[0]
        places = args[1] if len(args) > 1 else (lambda get: 0.0)

        def rounded(get: Resolver) -> Value:
            value, digits = operand(get), places(get)
            if value is None or digits is None:
                return None
            return _finite(_round(value, digits))

        return rounded
    raise TypeError(f"unknown function {name!r}")


def _compile_aggregate(name: str, nodes: tuple[Node, ...]) -> Compiled:
    parts: list[tuple[bool, object]] = []  # (is a list, the reference or the compiled arg)
    for arg in nodes:
        if isinstance(arg, Ref) and arg.reference.all_options:
            parts.append((True, arg.reference))
        else:
            parts.append((False, _compile(arg)))

    def value(get: Resolver) -> Value:
        values: list[float] = []
        missing = False
        for is_list, part in parts:
            if is_list:
                items = get(part)
                if items is None:
                    continue
                if not isinstance(items, list | tuple):
                    raise TypeError(f"{part} needs a list of values, not {items!r}")
                values.extend(item for item in map(_number, items) if item is not None)
                continue
            item = part(get)
            if item is None:
                missing = True
            else:
                values.append(item)
        if name == "count":
            return float(len(values))
        if missing or not values:
            return None
        if name == "sum":
            return _finite(math.fsum(values))
        if name == "avg":
            return _finite(math.fsum(values) / len(values))
        return min(values) if name == "min" else max(values)

    return value


# Display --------------------------------------------------------------------------------

# Precedence for display: or < and < not < comparisons < + - < * / < unary < ^ < atoms
_PRECEDENCE = {
    "or": 1,
    "and": 2,
    **dict.fromkeys(COMPARISONS, 4),
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "^": 8,
}
_ATOM = 9


def _precedence(node: Node) -> int:
    if isinstance(node, Binary):
        return _PRECEDENCE[node.op]
    if isinstance(node, Unary):
        return 3 if node.op == "not" else 7
    return _ATOM


def _format_number(value: float) -> str:
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def to_text(formula: Formula | Node, label: Callable[[Reference], str] | None = None) -> str:
    """The formula written out with as few parentheses as its meaning allows.

    Without ``label`` this is the canonical form (``#{EXPORTS} - #{IMPORTS}``), which
    ``parse`` reads back to the same tree. With ``label``, the readable form for pages:
    each reference (with its period function, option or ``.*``) is replaced by what
    ``label`` returns for it, and minus, times and division are written with the signs
    U+2212, U+00D7 and U+00F7.
    """
    root = formula.root if isinstance(formula, Formula) else formula
    return _Writer(label).write(root)


class _Writer:
    def __init__(self, label: Callable[[Reference], str] | None):
        self.label = label

    def symbol(self, op: str) -> str:
        return _READABLE.get(op, op) if self.label is not None else op

    def child(self, node: Node, parentheses: bool) -> str:
        text = self.write(node)
        return f"({text})" if parentheses else text

    @staticmethod
    def left_parentheses(node: Binary) -> bool:
        own, left = _PRECEDENCE[node.op], _precedence(node.left)
        if node.op == "^" or node.op in COMPARISONS:
            return left <= own
        return left < own

    @staticmethod
    def right_parentheses(node: Binary) -> bool:
        own, right = _PRECEDENCE[node.op], _precedence(node.right)
        if node.op == "^":
            return right < 7  # 2 ^ -1 and 2 ^ 3 ^ 2 need none
        return right <= own

    def write(self, node: Node) -> str:
        if isinstance(node, Number):
            return _format_number(node.value)
        if isinstance(node, Ref):
            if self.label is not None:
                return self.label(node.reference)
            return str(node.reference)
        if isinstance(node, Unary):
            if node.op == "not":
                return "not " + self.child(node.operand, _precedence(node.operand) < 3)
            return self.symbol(node.op) + self.child(node.operand, _precedence(node.operand) < 7)
        if isinstance(node, Binary):
            spine = [node]
            while isinstance(spine[-1].left, Binary) and not self.left_parentheses(spine[-1]):
                spine.append(spine[-1].left)
            bottom = spine[-1]
            text = self.child(bottom.left, self.left_parentheses(bottom))
            for binary in reversed(spine):
                right = self.child(binary.right, self.right_parentheses(binary))
                text = f"{text} {self.symbol(binary.op)} {right}"
            return text
        if isinstance(node, Call):
            return f"{node.name}({', '.join(self.write(arg) for arg in node.args)})"
        raise TypeError(f"not a formula node: {node!r}")
