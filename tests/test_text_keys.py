"""Every text key the code can ask for at run time exists in ``content/texts/ru.toml``.

A missing text only shows when its branch runs (``KeyError: no text 'status.paused'``), and
many keys are built at run time (``f"status.{status}"``), so this reads the code instead:

* every string literal in the application (``bot/``, ``handlers/``…) shaped like a key of a
  known section
  (``"access.admins_only"`` — passed to ``texts(...)``, raised in an error, kept in a table);
* every key built with an f-string or ``+``.  Its parts are worked out from the code where
  the code says them (``for state in STATES``, ``key = "a" if … else "b"``,
  ``if kind in ("title", "region")``); a part that comes from data (``f"status.{status}"``)
  takes its values from the domain's own list in ``DOMAINS`` below, so a new status, kind,
  role or frequency without its text fails here, not in front of a user;
* calls of small wrappers that add a prefix (``def t(self, key): texts(f"try.{key}")``).

``test_every_text_is_used`` fails on texts nothing asks for: dead copy, or a key the code
spells differently from ru.toml.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from bot.access import Role, Roles
from bot.exports import COLUMNS
from bot.preferences import FREQUENCIES, NOTIFY_MODES
from bot.progress import STATES
from bot.reporting import VERDICTS
from bot.search import STATUS_RULES
from bot.tasks import TaskGroup
from bot.texts import Texts
from bot.tryout.terminal import DELTA_UNITS
from bot.vocabulary import KINDS
from storage.statuses import STATUSES

ROOT = Path(__file__).resolve().parents[1]
# Every package of the application (a new one, a web front end say, is read too), except
# the development tools, the tests and storage/: SQL's ``history.actor_id`` looks like a key.
NOT_APPLICATION = {"tests", "bench", "storage"}
PACKAGES = tuple(
    sorted(
        p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in NOT_APPLICATION
    )
)
TEXTS = Texts.load()
KEYS = frozenset(TEXTS.names())
SECTIONS = frozenset(key.split(".", 1)[0] for key in KEYS)
KEY_SHAPE = re.compile(r"[a-z_]+(\.[a-z0-9_]+)+")
HOLE = "{}"

# Every role a person can act in (the history records it; help and announcements name it).
ROLES = tuple(sorted(Roles(0, True, frozenset({"x"}), frozenset({1})).names()))

# Parts of keys that come from data, by the key's pattern: the values the data can take,
# from the list that owns them.  A key built at run time that is missing here fails
# ``test_every_runtime_key_has_a_domain``: say where its values come from.
DOMAINS: dict[str, Iterable[str] | Callable[[], Iterable[str]]] = {
    "status.{}": STATUSES,  # views.status_label: a recommendation's status
    "role.{}": ROLES,  # the role a history row or a correction was written in
    "history.assessment_{}": VERDICTS,
    "assess.ask_{}": VERDICTS,
    "digest.head_{}": FREQUENCIES,  # a user's digest frequency
    "digest.button_{}": FREQUENCIES,
    "settings.saved_{}": FREQUENCIES,  # DigestSettingsCallback.frequency
    "settings.freq_{}": FREQUENCIES,
    "settings.notify_{}": NOTIFY_MODES,
    "settings.switch_notify_{}": NOTIFY_MODES,
    "corrections.kind.{}": KINDS,  # an addressee's kind
    "kind_one.{}": KINDS,  # an organization's kind in its profile
    "profile.name_example.{}": KINDS,  # the example name of the kind chosen
    "ask.status.{}": tuple(STATUS_RULES),  # what «что просрочено?» asks about
    "ask.status_none.{}": tuple(STATUS_RULES),
    "progress.filter.{}": (*STATES, "all"),  # ItemList.state: a state, or every item
    # The kinds of evidence a report carries: those the code makes (``Evidence(kind, …)``).
    "report.evidence_{}": lambda: _arguments("Evidence"),
    "history.evidence_{}": lambda: _arguments("Evidence"),  # the same, in a card's history
    # The announcement's line in /announcements: handlers.announce._state's answers.
    "announce.state_{}": lambda: _returned_strings("handlers.announce", "_state"),
    "web.state_{}": STATES,  # the public page's bars, state by state
    # An error page's title: the page's own key (what Refused carries, and the web link's
    # refusals that become one: bot/weblinks.py's NotFound and Stale).
    "{}_title": lambda: {
        *_arguments("Refused", 1),
        *(k for k in _arguments("NotFound") | _arguments("Stale") if k.startswith("web.")),
        *_arguments("_error_page", 2),
    },
    "reports.file.col_{}": COLUMNS,  # a report file's column headers (bot.exports)
    "tasks.group_{}": tuple(TaskGroup),  # /tasks: the group shown
    # Who signs an announcement, and whom «как загрузить?» answers: roles, by their enum.
    "announce.signature_{}": (Role.COORDINATOR, Role.ADMIN),
    "ask.how_to_upload_{}": (Role.COORDINATOR, Role.MEMBER),
    "try.role_{}": ROLES,  # a person of the terminal tryout
    "try.delta_{}": (*DELTA_UNITS.values(), "m"),  # minutes are the fallback unit
}


@dataclass(frozen=True)
class Use:
    """One place that asks for a text: its key(s), or a pattern with holes left open."""

    where: str
    keys: frozenset[str] = frozenset()
    pattern: str | None = None  # "status.{}": a part the code cannot tell


class _Unknown:
    def __repr__(self) -> str:
        return "?"


UNKNOWN = _Unknown()


def _sources() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield module.removesuffix(".__init__"), path


class _Module:
    """One source file with the means to work out which strings an expression can be."""

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
        self._globals: dict[str, object] | None = None
        self._resolving: set[int] = set()  # names being worked out (``x = f"{x}…"``)

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        while node in self.parent:
            node = self.parent[node]
            yield node

    def module_value(self, name: str) -> object:
        if self._globals is None:
            self._globals = vars(importlib.import_module(self.name))
        return self._globals.get(name, UNKNOWN)

    # --- strings ---------------------------------------------------------------------------

    def strings(self, expr: ast.AST) -> set[str] | None:
        """Every string ``expr`` can be, or None when the code does not say."""
        if isinstance(expr, ast.Constant):
            return {expr.value} if isinstance(expr.value, str) else set()
        if isinstance(expr, ast.IfExp):
            return _union(self.strings(expr.body), self.strings(expr.orelse))
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return _product([self.strings(expr.left), self.strings(expr.right)])
        if isinstance(expr, ast.JoinedStr):
            parts = []
            for value in expr.values:
                if isinstance(value, ast.FormattedValue):
                    parts.append(self.strings(value.value))
                else:
                    parts.append(self.strings(value))
            return _product(parts)
        if isinstance(expr, ast.Name):
            return self.name_strings(expr)
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Name)
            and expr.func.id == "next"
            and expr.args
            and isinstance(expr.args[0], ast.GeneratorExp)
        ):
            return self.strings(expr.args[0].elt)
        found = self.guarded(expr)
        if found is None:
            found, excluded = self.exits(expr)
            return None if found is None else found - excluded
        return found

    def pattern(self, expr: ast.AST) -> str:
        """The key with every part the code cannot tell as a hole: ``"status.{}"``."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return expr.value
        if isinstance(expr, ast.JoinedStr):
            return "".join(self.pattern(v) for v in expr.values)
        if isinstance(expr, ast.FormattedValue):
            found = self.strings(expr.value)
            return HOLE if found is None or len(found) != 1 else next(iter(found))
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return self.pattern(expr.left) + self.pattern(expr.right)
        return HOLE

    def name_strings(self, name: ast.Name) -> set[str] | None:
        if id(name) in self._resolving:
            return None
        self._resolving.add(id(name))
        try:
            return self._name_strings(name)
        finally:
            self._resolving.discard(id(name))

    def guarded(self, expr: ast.AST) -> set[str] | None:
        """``if kind in ("title", "region"): … kind …`` → {"title", "region"}."""
        shape = ast.dump(expr)
        for node in self.ancestors(expr):
            if isinstance(node, ast.If) and _within(expr, node.body, self):
                allowed = _membership(node.test, shape, self)
                if allowed is not None:
                    return allowed
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                break
        return None

    def exits(self, expr: ast.AST) -> tuple[set[str] | None, set[str]]:
        """What earlier ``if x == "a": return`` / ``if x not in NAMES: return`` leave of ``x``:
        (the values it is kept to or None, the values it cannot be)."""
        shape = ast.dump(expr)
        statement: ast.AST = expr
        for node in self.ancestors(expr):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                break
            statement = node
        else:
            return None, set()
        kept: set[str] | None = None
        excluded: set[str] = set()
        for earlier in node.body:
            if earlier is statement:
                break
            if not (
                isinstance(earlier, ast.If)
                and earlier.body
                and isinstance(earlier.body[-1], ast.Return | ast.Raise)
                and isinstance(earlier.test, ast.Compare)
                and ast.dump(earlier.test.left) == shape
                and len(earlier.test.ops) == 1
            ):
                continue
            op, other = earlier.test.ops[0], earlier.test.comparators[0]
            if isinstance(op, ast.Eq) and isinstance(other, ast.Constant):
                excluded.add(other.value)
            elif isinstance(op, ast.In | ast.NotIn):
                items = self.items(other)
                values = {str(i) for i in items or () if isinstance(i, str)}
                if isinstance(op, ast.In):
                    excluded |= values
                elif items is not None:
                    kept = values
        return kept, excluded

    def _name_strings(self, name: ast.Name) -> set[str] | None:
        found = self._name_strings_in_scope(name)
        kept, excluded = self.exits(name)
        if found is None:
            found = kept
        return None if found is None else found - excluded

    def _name_strings_in_scope(self, name: ast.Name) -> set[str] | None:
        allowed = self.guarded(name)
        if allowed is not None:
            return allowed
        scope: ast.AST | None = None
        for node in self.ancestors(name):
            if isinstance(node, ast.For) and _binds(node.target, name.id):
                return self.bound(node.target, name.id, node.iter)
            if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
                for generator in node.generators:
                    if _binds(generator.target, name.id):
                        return self.bound(generator.target, name.id, generator.iter)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                scope = node
                break
        if scope is not None:
            values = [
                self.strings(node.value)
                for node in _own_nodes(scope)
                if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name.id for t in node.targets)
            ]
            if values:
                return _union(*values)
            arguments = scope.args
            params = [*arguments.posonlyargs, *arguments.args]
            if any(a.arg == name.id for a in [*params, *arguments.kwonlyargs]):
                if isinstance(scope, ast.Lambda):
                    return None
                return self.argument_strings(scope, [a.arg for a in params], name.id)
        return _as_strings(self.module_value(name.id))

    def argument_strings(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, params: list[str], name: str
    ) -> set[str] | None:
        """A parameter: what the calls of its function in this module pass for it."""
        calls = [
            node
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == function.name)
                or (isinstance(node.func, ast.Attribute) and node.func.attr == function.name)
            )
        ]
        if not calls:
            return None
        found: list[set[str] | None] = []
        for call in calls:
            index = params.index(name) if name in params else None
            if index is not None and isinstance(call.func, ast.Attribute) and params[0] == "self":
                index -= 1
            passed = [k.value for k in call.keywords if k.arg == name]
            if not passed and index is not None:
                if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
                    return None
                passed = call.args[index : index + 1]
            if not passed:
                return None
            found.append(self.strings(passed[0]))
        return _union(*found)

    def bound(self, target: ast.AST, name: str, iterable: ast.AST) -> set[str] | None:
        """The strings ``name`` (in ``target``) takes while looping over ``iterable``."""
        items = self.items(iterable)
        if items is None:
            return None
        position = _position(target, name)
        found: set[str] = set()
        for item in items:
            for index in position:
                item = item[index] if isinstance(item, tuple) else UNKNOWN
            if item is UNKNOWN:
                return None
            if isinstance(item, str):
                found.add(str(item))
        return found

    def items(self, iterable: ast.AST) -> list[object] | None:
        if isinstance(iterable, ast.Tuple | ast.List | ast.Set):
            return [self.literal(e) for e in iterable.elts]
        if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name):
            if iterable.func.id == "zip":
                columns = [self.items(arg) for arg in iterable.args]
                known = [c for c in columns if c is not None]
                if not known:
                    return None
                size = min(len(c) for c in known)
                return list(zip(*(c or [UNKNOWN] * size for c in columns), strict=False))
            if iterable.func.id in {"sorted", "list", "tuple", "reversed"} and iterable.args:
                return self.items(iterable.args[0])
        if isinstance(iterable, ast.Name):
            value = self.module_value(iterable.id)
            if isinstance(value, tuple | list | set | frozenset | dict) or _is_enum(value):
                return [_plain(v) for v in value]  # type: ignore[union-attr]
        return None

    def literal(self, expr: ast.AST) -> object:
        if isinstance(expr, ast.Tuple):
            return tuple(self.literal(e) for e in expr.elts)
        if isinstance(expr, ast.Constant):
            return expr.value
        if isinstance(expr, ast.Name | ast.Attribute):
            found = self.strings(expr) if isinstance(expr, ast.Name) else None
            return next(iter(found)) if found and len(found) == 1 else UNKNOWN
        return UNKNOWN


def _plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


def _is_enum(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, Enum)


def _as_strings(value: object) -> set[str] | None:
    if isinstance(value, str):
        return {value}
    return None


def _union(*values: set[str] | None) -> set[str] | None:
    if any(v is None for v in values):
        return None
    return set().union(*values)  # type: ignore[arg-type]


def _product(parts: list[set[str] | None]) -> set[str] | None:
    if any(p is None for p in parts):
        return None
    return {"".join(combo) for combo in itertools.product(*parts)}  # type: ignore[arg-type]


def _binds(target: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))


def _position(target: ast.AST, name: str) -> list[int]:
    """Where ``name`` sits in a loop target: ``for (a, (b, c)) in …`` → c is [1, 1]."""
    if isinstance(target, ast.Name):
        return []
    assert isinstance(target, ast.Tuple | ast.List), ast.dump(target)
    for index, element in enumerate(target.elts):
        if _binds(element, name):
            return [index, *_position(element, name)]
    raise AssertionError(name)


def _membership(test: ast.AST, shape: str, module: _Module) -> set[str] | None:
    """``if x in ("a", "b")`` or ``if x in NAMES`` (``x`` by its ``ast.dump``) → the values."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        for value in test.values:
            found = _membership(value, shape, module)
            if found is not None:
                return found
        return None
    if not (
        isinstance(test, ast.Compare)
        and ast.dump(test.left) == shape
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.In)
    ):
        return None
    items = module.items(test.comparators[0])
    if items is None or any(not isinstance(i, str) for i in items):
        return None
    return {str(i) for i in items}


def _within(node: ast.AST, body: list[ast.stmt], module: _Module) -> bool:
    return any(statement is node or statement in module.ancestors(node) for statement in body)


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function, not of the functions defined inside it."""
    for child in ast.iter_child_nodes(scope):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        yield child
        yield from _own_nodes(child)


def _is_texts(expr: ast.AST) -> bool:
    """``texts``, ``self.texts``, ``self.service.texts``: the Texts object."""
    if isinstance(expr, ast.Name):
        return expr.id == "texts"
    return isinstance(expr, ast.Attribute) and expr.attr == "texts"


def _lookup_argument(call: ast.Call) -> ast.AST | None:
    """The key argument of ``texts(key)``, ``texts.plain(key)`` or ``texts.raw(key)``."""
    func = call.func
    is_lookup = _is_texts(func) or (
        isinstance(func, ast.Attribute) and func.attr in {"plain", "raw"} and _is_texts(func.value)
    )
    return call.args[0] if is_lookup and call.args else None


def _is_key_like(value: str) -> bool:
    return bool(KEY_SHAPE.fullmatch(value)) and value.split(".", 1)[0] in SECTIONS


def _is_key_lead(fstring: ast.JoinedStr) -> bool:
    """``f"status.{…}"``: an f-string that starts like a text key."""
    lead = fstring.values[0] if fstring.values else None
    text = lead.value if isinstance(lead, ast.Constant) else ""
    return isinstance(text, str) and "." in text and _is_key_like(text.rsplit(".", 1)[0] + ".x")


@dataclass(frozen=True)
class _Wrapper:
    """A function that looks a text up under a prefix: ``def t(self, key): texts(f"try.{key}")``."""

    name: str
    module: str
    template: ast.JoinedStr


def _wrappers(modules: list[_Module]) -> list[_Wrapper]:
    found = []
    for module in modules:
        for function in ast.walk(module.tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = [a.arg for a in function.args.args if a.arg != "self"]
            for node in _own_nodes(function):
                argument = _lookup_argument(node) if isinstance(node, ast.Call) else None
                if isinstance(argument, ast.JoinedStr) and any(
                    isinstance(v, ast.FormattedValue)
                    and isinstance(v.value, ast.Name)
                    and params
                    and v.value.id == params[0]  # the key is the first argument
                    for v in argument.values
                ):
                    found.append(_Wrapper(function.name, module.name, argument))
    return found


def _compose(template: ast.JoinedStr, inner: set[str] | str) -> set[str] | str:
    """The wrapper's key around what its caller passed (keys, or a pattern with holes)."""
    head, tail = "", ""
    seen_hole = False
    for value in template.values:
        text = value.value if isinstance(value, ast.Constant) else None
        if text is None:
            seen_hole = True
        elif seen_hole:
            tail += text
        else:
            head += text
    if isinstance(inner, str):
        return head + inner + tail
    return {head + key + tail for key in inner}


def collect_uses() -> list[Use]:
    modules = [_Module(name, path) for name, path in _sources()]
    called = {
        node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        for module in modules
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
    }
    # A wrapper nothing calls from Python (a template's helper) is an ordinary lookup.
    wrappers = {w.name: w for w in _wrappers(modules) if w.name in called}
    uses: list[Use] = []
    for module in modules:
        lookups: set[int] = set()
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            argument = _lookup_argument(node)
            wrapper = None
            if argument is None and node.args:
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                wrapper = wrappers.get(name) if name else None
                if wrapper is not None:
                    argument = node.args[0]
                else:
                    wrapper = None
            if argument is None:
                continue
            lookups.update(id(n) for n in ast.walk(argument))
            if any(argument is w.template for w in wrappers.values()):
                continue  # the wrapper itself: its callers are the uses
            keys = module.strings(argument)
            if wrapper is not None:
                if keys is not None:
                    keys = _compose(wrapper.template, keys)  # type: ignore[assignment]
                pattern = _compose(wrapper.template, module.pattern(argument))
            else:
                pattern = module.pattern(argument)
            if keys is not None:
                # The pattern too: a domain in DOMAINS checks even what the code spells out.
                shape = str(pattern) if HOLE in str(pattern) else None
                uses.append(Use(module.where(node), keys=frozenset(keys), pattern=shape))
            elif pattern != HOLE:
                uses.append(Use(module.where(node), pattern=str(pattern)))
            # A key passed whole (``texts(error.key)``) is checked where it is written.
        for node in ast.walk(module.tree):
            if id(node) in lookups:
                continue
            # Keys that travel before they are looked up: raised in errors, kept in tables.
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if _is_key_like(node.value):
                    uses.append(Use(module.where(node), keys=frozenset({node.value})))
            elif isinstance(node, ast.JoinedStr) and _is_key_lead(node):
                pattern = module.pattern(node)
                if HOLE in pattern and _is_key_like(pattern.split("{", 1)[0] + "x"):
                    keys = module.strings(node)
                    if keys is not None:
                        uses.append(Use(module.where(node), keys=frozenset(keys), pattern=pattern))
                    else:
                        uses.append(Use(module.where(node), pattern=pattern))
    return uses


TEMPLATE_LOOKUP = re.compile(r"""\bt\(\s*["']([a-z_][a-z0-9_.]*)["']""")


def template_uses() -> list[Use]:
    """Keys the web pages' templates ask for: ``{{ t("web.saved") }}``."""
    uses = []
    for path in sorted((ROOT / "content").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for key in TEMPLATE_LOOKUP.findall(line):
                where = f"{path.relative_to(ROOT)}:{number}"
                uses.append(Use(where, keys=frozenset({key})))
    return uses


def _expand(pattern: str, values: Iterable[str]) -> set[str]:
    return {pattern.replace(HOLE, str(_plain(v)), 1) for v in values}


USES = collect_uses() + template_uses()


def _domain(pattern: str) -> Iterable[str]:
    values = DOMAINS[pattern]
    return values() if callable(values) else values


def _arguments(callee: str, position: int = 0) -> set[str]:
    """The string literals the code passes to ``callee(...)`` at ``position``."""
    found = set()
    for _name, path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == callee
                and len(node.args) > position
                and isinstance(node.args[position], ast.Constant)
                and isinstance(node.args[position].value, str)
            ):
                found.add(node.args[position].value)
    return found


def _returned_strings(module: str, function: str) -> set[str]:
    source = importlib.import_module(module).__file__
    assert source
    tree = ast.parse(Path(source).read_text(encoding="utf-8"))
    (definition,) = [
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function
    ]
    return {
        n.value.value
        for n in ast.walk(definition)
        if isinstance(n, ast.Return)
        and isinstance(n.value, ast.Constant)
        and isinstance(n.value.value, str)
    }


def test_the_collector_sees_the_lookups():
    assert {"bot", "handlers"} <= set(PACKAGES)
    # Guards the guard: a collector that found nothing would pass everything below.
    literal = {key for use in USES for key in use.keys}
    patterns = {use.pattern for use in USES if use.pattern}
    assert {"start.greeting_new", "access.admins_only", "try.invited"} <= literal
    assert {"status.{}", "role.{}", "kind_one.{}"} <= patterns
    # Worked out from the code: loops over a domain list, a choice of two, a wrapper's prefix.
    assert {"progress.short.overdue", "tasks.button_due_soon", "try.buttons_removed"} <= literal
    assert {"settings.pick_hour", "corrections.op_region", "help.hint_official"} <= literal
    assert "web.saved" in literal  # asked for by a web page's template


def test_every_literal_key_exists():
    missing = sorted(f"{use.where}: {key}" for use in USES for key in use.keys if key not in KEYS)
    assert not missing, "texts used in the code but missing in ru.toml:\n" + "\n".join(missing)


def test_every_runtime_key_has_a_domain():
    unknown = sorted(
        f"{use.where}: {use.pattern}"
        for use in USES
        if not use.keys and use.pattern not in (None, *DOMAINS)
    )
    assert not unknown, (
        "keys built at run time from data: add the data's own list to DOMAINS\n"
        + "\n".join(unknown)
    )
    stale = sorted(set(DOMAINS) - {use.pattern for use in USES})
    assert not stale, f"DOMAINS entries no code uses any more: {stale}"


def test_every_runtime_key_exists_for_every_value_of_its_domain():
    missing = []
    for pattern in sorted({use.pattern for use in USES if use.pattern in DOMAINS}):
        domain = list(_domain(pattern))
        assert domain, f"{pattern}: an empty domain checks nothing"
        missing += sorted(key for key in _expand(pattern, domain) if key not in KEYS)
    assert not missing, "texts missing for values of their domain:\n" + "\n".join(missing)


def test_a_new_value_without_its_text_fails():
    # The check above is not vacuous: a status nobody wrote a text for is caught.
    assert _expand("status.{}", [*STATUSES, "paused"]) - KEYS == {"status.paused"}


def used_keys() -> set[str]:
    used = {key for use in USES for key in use.keys}
    for pattern in {use.pattern for use in USES if use.pattern in DOMAINS}:
        used |= _expand(pattern, _domain(pattern))
    return used


def test_every_text_is_used():
    # A text nothing asks for is dead copy (or a key the code spells differently).
    unused = sorted(KEYS - used_keys())
    assert not unused, f"{len(unused)} texts nothing in {', '.join(PACKAGES)} asks for: {unused}"
