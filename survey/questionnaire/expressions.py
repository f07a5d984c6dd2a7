"""Show-if conditions, constraints and calculations in the XLSForm expression language, parsed
by hand and never eval'd.

Supported: ``${var}``, quoted strings, numbers, ``= != < <= > >=``, ``and``, ``or``,
``not(...)``, ``selected(${var}, 'code')``, parentheses and arithmetic: ``+ - * div mod`` and a
leading ``-``, with XPath's precedence (``*``, ``div``, ``mod`` before ``+`` and ``-``, both
before comparisons, then ``and``, then ``or``). Arithmetic on an unanswered or non-numeric
value, or a division by zero, has no value: a calculation (XLSForm's ``calculation``, computed
on the server) is then left unanswered, and a comparison with it is false as with an
unanswered question. An unanswered variable is the
empty string, as in ODK: ``${x} != 'a'`` is true while ``x`` is unanswered, and any
numeric comparison with it is false. Beside a truth (a comparison, ``true()``), ``=`` and
``!=`` compare truths and the others numbers, as in XPath 1.0.

ODK's functions, as its XForms specification defines them (FUNCTIONS, computed in _call):
``if(condition, then, else)``, ``coalesce(a, b)``, ``true()``, ``false()``, ``boolean(x)``,
``number(x)``, ``int(x)``, ``round(x, decimals)``, ``floor(x)``, ``ceiling(x)``, ``abs(x)``,
``sqrt(x)``, ``string-length(x)``, ``count-selected(x)`` and ``concat(a, ...)``; what would be
XPath's NaN is no value here, as an unanswered question. The same functions are computed in
the participant's browser for a show-if (static/show-if.js), with the same results. ODK's
other functions (pulldata, once, instance, position, uuid, now, today...: NOT_COMPUTED) are
refused by name, as unsupported. A calculation stores a number, so one that can only give
text (``concat``) is refused as unsupported too.

A constraint (XLSForm's `constraint` column: the answer is accepted when it holds) may also
read ``.``, the answer being checked, and call ``regex(value, 'pattern')``, which is refused
elsewhere: a show-if is evaluated in the browser too, whose regex dialect is not Python's. A
regex is refused when it nests a quantifier or an alternative inside a repeated group, the
shapes that make Python's regex engine backtrack for ages on a hostile answer.

An expression is at most MAX_LENGTH characters (the editor's show-if field holds as many)
and nests brackets (parentheses, ``not(`` and every function's) at most MAX_DEPTH deep: a real
condition needs a few levels, and the parser recurses per level, so a hostile one must meet
a message rather than Python's recursion limit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, TypeVar

from survey.messages import N_, Message, excerpt
from survey.questionnaire.decimals import number_text, plain, xpath_round

Value = str | float | int | date | time | list[str] | None

COMPARISONS = ("<=", ">=", "!=", "=", "<", ">")
MAX_LENGTH = 2000
MAX_DEPTH = 20
MAX_OPERATORS = 200  # a sum of 200 answers; the tree is as deep as its chain is long


class ExpressionError(ValueError):
    """A problem in an expression, with the 1-based column where it starts. `unsupported` when
    it is a function this subset does not have, rather than a mistake."""

    def __init__(self, message: Message, position: int, unsupported: bool = False) -> None:
        super().__init__(f"{message} (at character {position})")
        self.message = message
        self.position = position
        self.unsupported = unsupported

    @property
    def text(self) -> Message:
        return Message(
            N_("%(problem)s (at character %(position)d)"),
            problem=self.message,
            position=self.position,
        )


@dataclass(frozen=True)
class Var:
    name: str
    position: int


@dataclass(frozen=True)
class Literal:
    value: str | float


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Selected:
    var: Var
    code: str


@dataclass(frozen=True)
class Arithmetic:
    op: str  # + - * div mod
    left: Node
    right: Node


@dataclass(frozen=True)
class Negative:
    operand: Node


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Call:
    function: str
    arguments: tuple[Node, ...]
    position: int


Node = Var | Literal | Compare | Selected | Not | BoolOp | Call | Arithmetic | Negative

CURRENT = "."  # the variable name `.` stands for: the answer a constraint checks

# ODK's functions computed here, with the fewest and most arguments each takes (None: any
# number). Their meaning is the ODK XForms specification's, section "XPath Functions"
# (https://getodk.github.io/xforms-spec/#xpath-functions), which points to XPath 1.0's core
# library (https://www.w3.org/TR/1999/REC-xpath-19991116/#corelib) for most; each deviation
# is said where the function is computed (_call). show-if.js computes the same ones
# (`call` there) but regex.
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "if": (3, 3),
    "coalesce": (2, 2),
    "true": (0, 0),
    "false": (0, 0),
    "boolean": (1, 1),
    "number": (1, 1),
    "int": (1, 1),
    "round": (1, 2),
    "floor": (1, 1),
    "ceiling": (1, 1),
    "abs": (1, 1),
    "sqrt": (1, 1),
    "string-length": (1, 1),
    "count-selected": (1, 1),
    "concat": (1, None),
    "regex": (2, 2),
}
# The spec's other functions: they read a form's attached files, repeats, device or clock
# (pulldata, instance, indexed-repeat, position, uuid, now, today, once...), which a web survey
# has not, or work on text, dates and places no question here needs yet. Each is refused by
# name (dropped with --skip-unsupported).
NOT_COMPUTED = frozenset(
    {
        "pulldata", "once", "instance", "indexed-repeat", "position", "current", "uuid", "random",
        "randomize", "now", "today", "count", "count-non-empty", "sum", "max", "min",
        "selected-at", "jr:choice-name", "jr:itext", "checklist", "weighted-checklist",
        "boolean-from-string", "contains", "starts-with", "ends-with", "substr", "substring",
        "substring-before", "substring-after", "string", "normalize-space", "translate",
        "upper-case", "lower-case", "join", "digest", "base64-decode", "extract-signed",
        "format-date", "format-date-time", "date", "decimal-date-time", "decimal-time", "area",
        "distance", "geofence", "pow", "log", "log10", "exp", "exp10", "sin", "cos", "tan", "asin",
        "acos", "atan", "atan2", "pi",
    }
)  # fmt: skip
# Python's and the browser's regex dialects differ, so regex() is read where only the server
# evaluates: in a constraint.
CONSTRAINT_ONLY = frozenset({"regex"})
# A calculated question stores a number: these give only text.
TEXT_ONLY = frozenset({"concat"})
MAX_PATTERN_LENGTH = 200

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<var>\$\{(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)\})
    | (?P<number>\d+(?:\.\d+)?|\.\d+)
    | (?P<dot>\.)
    | (?P<string>'(?P<single>[^']*)'|"(?P<double>[^"]*)")
    | (?P<op><=|>=|!=|=|<|>)
    | (?P<arith>[-+*])
    | (?P<punct>[(),])
    | (?P<word>[A-Za-z_][A-Za-z0-9_-]*(?::[A-Za-z_][A-Za-z0-9_-]*)?)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int  # 1-based


_NOT_SPACE = re.compile(r"\S")


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    at = 0
    while (next_token := _NOT_SPACE.search(text, at)) is not None:
        start = next_token.start()
        match = _TOKEN.match(text, at)
        if not match:
            not_closed = Message(N_("a quoted text is not closed"))
            problem = {
                "'": not_closed,
                '"': not_closed,
                "$": Message(N_("a variable must look like ${name}")),
            }.get(
                text[start],
                Message(N_("unexpected character %(character)r"), character=text[start]),
            )
            raise ExpressionError(problem, start + 1)
        kind = match.lastgroup
        if kind is None:  # every alternative of _TOKEN is a named group
            raise AssertionError(text[at:])
        value = {
            "var": match.group("name"),
            "string": match.group("single")
            if match.group("single") is not None
            else match.group("double"),
        }.get(kind, match.group(kind))
        tokens.append(_Token(kind, value, match.start(kind) + 1))
        at = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.at = 0
        self.depth = 0  # brackets open around the token being read
        self.operators = 0  # arithmetic operators read so far

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def end_position(self) -> int:
        return len(self.text.rstrip()) + 1

    def expect(self, kind: str, text: str, what: Message | str) -> _Token:
        token = self.peek()
        if token is None or token.kind != kind or (text and token.text != text):
            where = token.position if token else self.end_position()
            found = (
                Message(N_("found %(token)r"), token=excerpt(token.text))
                if token
                else Message(N_("the expression ended"))
            )
            raise ExpressionError(
                Message(N_("expected %(what)s, %(found)s"), what=what, found=found), where
            )
        self.at += 1
        return token

    def word_is(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text == word

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError(Message(N_("the expression is empty")), 1)
        node = self.boolean("or")
        token = self.peek()
        if token is not None:
            raise ExpressionError(
                Message(N_("unexpected %(token)r"), token=excerpt(token.text)), token.position
            )
        return node

    def boolean(self, op: str) -> Node:
        parse_operand = (lambda: self.boolean("and")) if op == "or" else self.comparison
        operands = [parse_operand()]
        while self.word_is(op):
            self.at += 1
            operands.append(parse_operand())
        return operands[0] if len(operands) == 1 else BoolOp(op, tuple(operands))

    def comparison(self) -> Node:
        left = self.additive()
        token = self.peek()
        if token is not None and token.kind == "op":
            self.at += 1
            return Compare(token.text, left, self.additive())
        return left

    def additive(self) -> Node:
        node = self.multiplicative()
        while (token := self.peek()) is not None and token.kind == "arith" and token.text != "*":
            self.at += 1
            self.count_operator(token)
            node = Arithmetic(token.text, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while (token := self.peek()) is not None and (
            (token.kind == "arith" and token.text == "*")
            or (token.kind == "word" and token.text in ("div", "mod"))
        ):
            self.at += 1
            self.count_operator(token)
            node = Arithmetic(token.text, node, self.unary())
        return node

    def unary(self) -> Node:
        """Leading minuses (read in a loop, never one recursion each); on a number the sign is
        the number's own (-1 is a literal)."""
        signs = 0
        while (token := self.peek()) is not None and token.kind == "arith" and token.text == "-":
            self.at += 1
            signs += 1
        node = self.primary()
        if signs == 0:
            return node
        self.count_operator(token)
        if isinstance(node, Literal) and isinstance(node.value, float):
            return Literal(node.value * (-1) ** signs)
        return Negative(node) if signs % 2 else Negative(Negative(node))

    def count_operator(self, token: _Token | None) -> None:
        """Each operator nests the tree one level deeper, and it is read and evaluated
        recursively: a hostile chain must meet a message, not Python's recursion limit."""
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            message = Message(N_("more than %(limit)d arithmetic operators"), limit=MAX_OPERATORS)
            position = token.position if token else self.end_position()
            raise ExpressionError(message, position)

    def bracketed(self, opening: _Token) -> Node:
        """What is inside a bracket just opened, up to its closing one."""
        if self.depth >= MAX_DEPTH:
            message = Message(N_("brackets nest more than %(limit)d levels deep"), limit=MAX_DEPTH)
            raise ExpressionError(message, opening.position)
        self.depth += 1
        node = self.boolean("or")
        self.expect("punct", ")", "')'")
        self.depth -= 1
        return node

    def primary(self) -> Node:
        token = self.peek()
        if token is None:
            raise ExpressionError(
                Message(N_("expected a value, the expression ended")), self.end_position()
            )
        self.at += 1
        if token.kind == "var":
            return Var(token.text, token.position)
        if token.kind == "dot":
            return Var(CURRENT, token.position)
        if token.kind == "number":
            return Literal(float(token.text))
        if token.kind == "string":
            return Literal(token.text)
        if token.kind == "punct" and token.text == "(":
            return self.bracketed(token)
        if token.kind == "word" and token.text == "not":
            opening = self.expect("punct", "(", Message(N_("'(' after not")))
            return Not(self.bracketed(opening))
        if token.kind == "word" and token.text == "selected":
            self.expect("punct", "(", Message(N_("'(' after selected")))
            var = self.selected_variable()
            self.expect("punct", ",", "','")
            code = self.expect("string", "", Message(N_("a quoted choice code")))
            self.expect("punct", ")", "')'")
            return Selected(var, code.text)
        if token.kind == "word" and token.text in FUNCTIONS and self.opens_call():
            return self.call(token)
        if token.kind == "word" and token.text in NOT_COMPUTED and self.opens_call():
            raise ExpressionError(
                Message(
                    N_("ODK's function %(function)s() is not computed on this platform"),
                    function=token.text,
                ),
                token.position,
                unsupported=True,
            )
        if token.kind == "word":
            raise ExpressionError(
                Message(N_("unknown word or function %(word)r"), word=excerpt(token.text)),
                token.position,
                unsupported=True,
            )
        raise ExpressionError(
            Message(N_("unexpected %(token)r"), token=excerpt(token.text)), token.position
        )

    def selected_variable(self) -> Var:
        token = self.peek()
        if token is not None and token.kind == "dot":
            self.at += 1
            return Var(CURRENT, token.position)
        var = self.expect("var", "", Message(N_("a variable such as ${name}")))
        return Var(var.text, var.position)

    def opens_call(self) -> bool:
        token = self.peek()
        return token is not None and token.kind == "punct" and token.text == "("

    def opens_call_end(self) -> bool:
        token = self.peek()
        return token is not None and token.kind == "punct" and token.text == ")"

    def call(self, name: _Token) -> Call:
        opening = self.expect("punct", "(", Message(N_("'(' after %(word)s"), word=name.text))
        if self.depth >= MAX_DEPTH:
            message = Message(N_("brackets nest more than %(limit)d levels deep"), limit=MAX_DEPTH)
            raise ExpressionError(message, opening.position)
        self.depth += 1
        arguments: list[Node] = []
        if not self.opens_call_end():
            arguments.append(self.boolean("or"))
        while (token := self.peek()) is not None and token.text == "," and token.kind == "punct":
            self.at += 1
            arguments.append(self.boolean("or"))
        self.expect("punct", ")", "')'")
        self.depth -= 1
        fewest, most = FUNCTIONS[name.text]
        if len(arguments) < fewest or (most is not None and len(arguments) > most):
            message = (
                Message(
                    N_("%(function)s() takes %(count)d argument(s)"),
                    function=name.text,
                    count=fewest,
                )
                if fewest == most
                else Message(
                    N_("%(function)s() takes %(fewest)d to %(most)d arguments"),
                    function=name.text,
                    fewest=fewest,
                    most=most,
                )
                if most is not None
                else Message(
                    N_("%(function)s() takes at least %(fewest)d argument(s)"),
                    function=name.text,
                    fewest=fewest,
                )
            )
            raise ExpressionError(message, name.position)
        if name.text == "regex":
            _check_pattern(arguments[1], name.position)
        return Call(name.text, tuple(arguments), name.position)


def _check_pattern(node: Node, position: int) -> None:
    if not isinstance(node, Literal) or not isinstance(node.value, str):
        raise ExpressionError(Message(N_("a regex's pattern is a quoted text")), position)
    pattern = node.value
    if len(pattern) > MAX_PATTERN_LENGTH:
        message = Message(
            N_("the pattern is longer than %(limit)d characters"), limit=MAX_PATTERN_LENGTH
        )
        raise ExpressionError(message, position)
    try:
        re.compile(pattern)
    except re.error as problem:
        message = Message(
            N_("the pattern is not a regular expression: %(problem)s"), problem=str(problem)
        )
        raise ExpressionError(message, position) from None
    if _repeats_repetition(pattern):
        message = Message(
            N_("the pattern repeats a group that holds a repetition or a choice: too slow")
        )
        raise ExpressionError(message, position)


def _repeats_repetition(pattern: str) -> bool:
    """Whether a repeated group holds a quantifier or an alternative: `(a+)+`, `(a|aa)*`,
    `((ab)+){2,}`. Character classes and escapes are skipped."""
    opened: list[int] = []
    at = 0
    while at < len(pattern):
        character = pattern[at]
        if character == "\\":
            at += 2
            continue
        if character == "[":
            closing = pattern.find("]", at + 2)
            at = len(pattern) if closing < 0 else closing + 1
            continue
        if character == "(":
            opened.append(at)
        elif character == ")" and opened:
            start = opened.pop()
            inside = re.sub(r"\\.|\[[^\]]*\]", "", pattern[start + 1 : at])
            inside = inside.removeprefix("?:")
            repeated = pattern[at + 1 : at + 2] in ("*", "+", "{")
            if repeated and any(mark in inside for mark in "*+?{|"):
                return True
        at += 1
    return False


def parse(text: str) -> Node:
    """Parse an expression or raise ExpressionError naming the position of the problem."""
    if len(text) > MAX_LENGTH:
        message = Message(
            N_("the expression is longer than %(limit)d characters"), limit=MAX_LENGTH
        )
        raise ExpressionError(message, MAX_LENGTH + 1)
    return _Parser(text).parse()


def variables(node: Node) -> list[Var]:
    """Every variable the expression reads, in order of appearance."""
    match node:
        case Var():
            return [node]
        case Selected(var=var):
            return [var]
        case Compare(left=left, right=right) | Arithmetic(left=left, right=right):
            return variables(left) + variables(right)
        case Not(operand=operand) | Negative(operand=operand):
            return variables(operand)
        case BoolOp(operands=operands) | Call(arguments=operands):
            return [v for operand in operands for v in variables(operand)]
    return []


def calls(node: Node) -> list[Call]:
    """Every function call in the expression."""
    match node:
        case Call(arguments=arguments):
            return [node] + [c for argument in arguments for c in calls(argument)]
        case Compare(left=left, right=right) | Arithmetic(left=left, right=right):
            return calls(left) + calls(right)
        case Not(operand=operand) | Negative(operand=operand):
            return calls(operand)
        case BoolOp(operands=operands):
            return [c for operand in operands for c in calls(operand)]
    return []


def check_references(
    text: str,
    earlier: Iterable[str],
    later: Iterable[str] = (),
    itself: str | None = None,
    constraint: bool = False,
    calculation: bool = False,
) -> Node:
    """Parse and refuse variables that are unknown, the question itself (a cycle) or not asked
    before the question. A constraint may read its own question's answer (`.` or its name)
    and call regex(); a show-if may not. A calculation must be able to give a number."""
    node = parse(text)
    earlier, later = set(earlier), set(later)
    if not constraint:
        for call in calls(node):
            if call.function in CONSTRAINT_ONLY:
                message = Message(
                    N_("%(function)s() is only read in a constraint"), function=call.function
                )
                raise ExpressionError(message, call.position, unsupported=True)
    if calculation and not _can_give_number(node):
        message = Message(
            N_("this calculation only gives text, and a calculated question holds a number")
        )
        raise ExpressionError(message, 1, unsupported=True)
    for var in variables(node):
        if var.name in earlier or (constraint and var.name in (CURRENT, itself)):
            continue
        if var.name == CURRENT:
            message = Message(N_("'.' is the answer a constraint checks: write ${name} here"))
            raise ExpressionError(message, var.position)
        if var.name == itself:
            raise ExpressionError(
                Message(
                    N_(
                        "${%(name)s} is this question itself: a condition cannot depend on its "
                        "own answer"
                    ),
                    name=var.name,
                ),
                var.position,
            )
        if var.name in later:
            raise ExpressionError(
                Message(N_("${%(name)s} is asked later, so it cannot decide this"), name=var.name),
                var.position,
            )
        raise ExpressionError(
            Message(N_("unknown variable ${%(name)s}"), name=var.name), var.position
        )
    return node


def _can_give_number(node: Node) -> bool:
    """Whether the expression can give a number (a truth counts 1 or 0): a text literal that is
    not a number, concat(), or an if() with only such branches cannot."""
    match node:
        case Literal(value=str() as text):
            return _operand(text) is not None
        case Call(function=function, arguments=arguments) if function in TEXT_ONLY:
            return False
        case Call(function="if", arguments=(_, then, otherwise)):
            return _can_give_number(then) or _can_give_number(otherwise)
        case Call(function="coalesce", arguments=arguments):
            return any(_can_give_number(argument) for argument in arguments)
    return True


def _scalar(value: Value) -> str | float:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, datetime | time):  # to the minute, as the browser's inputs give them
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return float(value)
    return value if isinstance(value, str) else float(value)


def _number(value: str | float) -> float | None:
    if isinstance(value, float):
        return value
    try:
        return float(value)
    except ValueError:
        return None


def _compare(op: str, left: str | float | bool, right: str | float | bool) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        # XPath 1.0, 3.4: beside a boolean, = and != compare truths, the others numbers.
        if op in ("=", "!="):
            return (_truthy(left) == _truthy(right)) == (op == "=")
        left_n, right_n = _operand(left), _operand(right)
        return left_n is not None and right_n is not None and _ordered(op, left_n, right_n)
    if isinstance(left, float) or isinstance(right, float):
        left_n, right_n = _number(left), _number(right)
        if left_n is None or right_n is None:
            return op == "!="
        return _ordered(op, left_n, right_n)
    if op not in ("=", "!="):
        left_n, right_n = _number(left), _number(right)
        if left_n is not None and right_n is not None:
            return _ordered(op, left_n, right_n)
        if left == "" or right == "":
            return False
    return _ordered(op, left, right)


_Comparable = TypeVar("_Comparable", str, float)


def _ordered(op: str, left: _Comparable, right: _Comparable) -> bool:
    """Both sides are numbers, or both are text."""
    match op:
        case "=":
            return left == right
        case "!=":
            return left != right
        case "<":
            return left < right
        case "<=":
            return left <= right
        case ">":
            return left > right
        case ">=":
            return left >= right
    raise AssertionError(op)


def _truthy(value: Any) -> bool:
    return value not in ("", None, 0, 0.0, False)


def evaluate(node: Node, answers: Mapping[str, Value]) -> bool:
    """Evaluate a parsed expression against answers keyed by variable name."""
    return _truthy(_value(node, answers))


class Condition:
    """A show-if evaluated over many responses (an export): its outcome depends only on the
    answers it reads (every function here is pure; none reads a clock or a file), so it is
    worked out once for each combination of them, up to `limit` combinations."""

    __slots__ = ("node", "reads", "outcomes", "limit")

    def __init__(self, node: Node, limit: int = 50_000) -> None:
        self.node = node
        self.reads = tuple(dict.fromkeys(v.name for v in variables(node)))
        self.outcomes: dict[tuple[Any, ...], bool] = {}
        self.limit = limit

    def __call__(self, answers: Mapping[str, Value]) -> bool:
        key: tuple[Any, ...] = tuple(
            [
                tuple(answer) if (answer := answers.get(name)).__class__ is list else answer
                for name in self.reads
            ]
        )
        outcome = self.outcomes.get(key)
        if outcome is None:
            outcome = evaluate(self.node, answers)
            if len(self.outcomes) < self.limit:
                self.outcomes[key] = outcome
        return outcome


def _value(node: Node, answers: Mapping[str, Value]) -> Any:
    match node:
        case Var(name=name):
            return _scalar(answers.get(name))
        case Literal(value=value):
            return value
        case Selected(var=var, code=code):
            answer = answers.get(var.name)
            return code in answer if isinstance(answer, list) else _scalar(answer) == code
        case Compare(op=op, left=left, right=right):
            return _compare(op, _value(left, answers), _value(right, answers))
        case Not(operand=operand):
            return not evaluate(operand, answers)
        case BoolOp(op="and", operands=operands):
            return all(evaluate(o, answers) for o in operands)
        case BoolOp(op="or", operands=operands):
            return any(evaluate(o, answers) for o in operands)
        case Call(function="if", arguments=(condition, then, otherwise)):
            return _value(then if evaluate(condition, answers) else otherwise, answers)
        case Call(function="coalesce", arguments=(first, second)):
            value = _value(first, answers)
            return _value(second, answers) if value == "" else value
        case Call(function=function, arguments=arguments):
            return _call(function, [_value(a, answers) for a in arguments], answers, arguments)
        case Arithmetic(op=op, left=left, right=right):
            return _arithmetic(op, _value(left, answers), _value(right, answers))
        case Negative(operand=operand):
            number = _operand(_value(operand, answers))
            return "" if number is None else -number
    raise AssertionError(node)


def _operand(value: Any) -> float | None:
    """A value as a number for arithmetic: a comparison's truth is 1 or 0, as in XPath; an
    unanswered or non-numeric value is none."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, float | int):
        return float(value)
    number = _number(value) if isinstance(value, str) and value.strip() else None
    return number if number is not None and math.isfinite(number) else None


def _arithmetic(op: str, left_value: Any, right_value: Any) -> float | str:
    """The result, or "" (no value, like an unanswered question) when an operand is not a
    number, the divisor is zero or the result is too large for a number."""
    left, right = _operand(left_value), _operand(right_value)
    if left is None or right is None or (op in ("div", "mod") and right == 0):
        return ""
    match op:
        case "+":
            result = left + right
        case "-":
            result = left - right
        case "*":
            result = left * right
        case "div":
            result = left / right
        case "mod":  # XPath's mod keeps the sign of the dividend, like math.fmod
            result = math.fmod(left, right)
        case _:
            raise AssertionError(op)
    return result if math.isfinite(result) else ""


def value(node: Node, answers: Mapping[str, Value]) -> str | float | bool:
    """The expression's value: a number, a text, a truth, or "" for none."""
    result: str | float | bool = _value(node, answers)
    return result


def calculate(node: Node, answers: Mapping[str, Value]) -> float | None:
    """A calculation's value: a number, or None when it has none (an input unanswered or not a
    number, a division by zero). A condition's truth is 1 or 0."""
    return _operand(_value(node, answers))


def _call(function: str, values: list[Any], answers: Mapping[str, Value], nodes: tuple) -> Any:
    """A function's value from its arguments' values ("" for no value, as XPath's NaN: an
    unanswered or non-numeric input). if() and coalesce() are computed in _value, which
    evaluates only the argument they return."""
    match function:
        case "true":
            return True
        case "false":
            return False
        case "boolean":
            return _truthy(values[0])
        case "regex":
            return re.search(str(values[1]), _text(values[0])) is not None
        case "string-length":  # characters, not UTF-16 units (show-if.js counts the same)
            return float(len(_text(values[0])))
        case "count-selected":
            answer = answers.get(nodes[0].name) if isinstance(nodes[0], Var) else None
            if isinstance(answer, list):
                return float(len(answer))
            return float(len(_text(values[0]).split()))
        case "concat":
            return "".join(_text(value) for value in values)
    numbers = [number for value in values if (number := _operand(value)) is not None]
    if len(numbers) < len(values):
        return ""
    return _numeric(function, numbers)


def _numeric(function: str, numbers: list[float]) -> float | str:
    """A function of numbers: every argument is one."""
    number = numbers[0]
    match function:
        # number(): XPath 1.0 4.4, but a text reads as arithmetic reads it (a leading + or an
        # exponent too), so that number(${x}) + 1 is always ${x} + 1.
        case "number":
            return number
        case "int":  # ODK: "discarding the fractional component", towards zero
            return plain(float(math.trunc(number)))
        case "round":
            return xpath_round(number, numbers[1] if len(numbers) > 1 else 0.0)
        case "floor":
            return plain(float(math.floor(number)))
        case "ceiling":
            return plain(float(math.ceil(number)))
        case "abs":
            return abs(number)
        case "sqrt":
            return math.sqrt(number) if number >= 0 else ""
    raise AssertionError(function)


def _text(value: Any) -> str:
    """A value as text, as XPath's string() and the browser's String() write it: true and
    false, a whole number without a decimal point, others in their shortest form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def to_json(node: Node) -> dict[str, Any]:
    """The parsed expression as plain data, so the browser can re-evaluate a show-if live
    (static/show-if.js) without a second parser."""
    match node:
        case Var(name=name):
            return {"var": name}
        case Literal(value=value):
            return {"value": value}
        case Selected(var=var, code=code):
            return {"selected": var.name, "code": code}
        case Compare(op=op, left=left, right=right):
            return {"op": op, "left": to_json(left), "right": to_json(right)}
        case Not(operand=operand):
            return {"not": to_json(operand)}
        case BoolOp(op=op, operands=operands):
            return {op: [to_json(o) for o in operands]}
        case Arithmetic(op=op, left=left, right=right):
            return {"arithmetic": op, "left": to_json(left), "right": to_json(right)}
        case Negative(operand=operand):
            return {"arithmetic": "-", "left": {"value": 0.0}, "right": to_json(operand)}
        case Call(function=function, arguments=arguments):
            return {"call": function, "args": [to_json(a) for a in arguments]}
    raise AssertionError(node)
