"""Every ``acknowledge(...)`` and ``skip_checkov(...)`` call in the package, read from the source.

The compliance page's tables (docs/tools/compliance.md) are generated from this list, and the compliance tests tie each
acknowledgement found in a synthesized app back to the call that made it. Reasons built from
expressions keep the expression in braces (``{name}``) and match anything there.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
COMPLIANCE = PACKAGE / "compliance.py"
HELPERS = {"acknowledge": "acknowledge", "skip_checkov": "skip_checkov", "skip_checkov_on_cdk_provider": "skip_checkov"}
"""Helper name -> the kind of exemption it records."""
EXCLUDED = ("checks/", "compliance.py")
"""Where the helpers are defined or read, not used."""
ANNOTATION_PREFIX = "Annotation::"


@dataclass(frozen=True)
class Text:
    """A string from the source: literal pieces and ``{expression}`` placeholders."""

    pieces: tuple[tuple[bool, str], ...]
    """``(is_literal, text)`` pairs."""

    def __str__(self) -> str:
        return "".join(text if literal else "{" + text + "}" for literal, text in self.pieces)

    @property
    def literal(self) -> str | None:
        return str(self) if all(literal for literal, _ in self.pieces) else None

    def matches(self, value: str) -> bool:
        pattern = "".join(re.escape(text) if literal else ".+?" for literal, text in self.pieces)
        return re.fullmatch(pattern, value.strip(), flags=re.DOTALL) is not None


@dataclass(frozen=True)
class Site:
    """One exemption made in the source: a nag acknowledgement or a checkov skip."""

    kind: str
    """``acknowledge`` or ``skip_checkov``."""
    file: str
    """Relative to the package, e.g. ``constructs/capacity.py``."""
    line: int
    owner: str
    """The enclosing class (or function) that makes the call."""
    target: str
    """The construct expression, e.g. ``self.role``."""
    rule: Text
    reason: Text

    @property
    def name(self) -> str:
        return f"{self.file}:{self.line} {self.rule}"

    def matches(self, rule_id: str, reason: str) -> bool:
        """``rule_id`` as found in the tree, where CDK has dropped the ``Annotation::`` kind prefix."""
        rule_matches = self.rule.matches(rule_id) or self.rule.matches(ANNOTATION_PREFIX + rule_id)
        return rule_matches and self.reason.matches(reason)


def _literal(value: str) -> Text:
    return Text(((True, value),))


def _dynamic(node: ast.AST) -> Text:
    return Text(((False, ast.unparse(node)),))


def _join(parts: list[Text]) -> Text:
    pieces: list[tuple[bool, str]] = []
    for part in parts:
        for literal, text in part.pieces:
            if pieces and literal and pieces[-1][0]:
                pieces[-1] = (True, pieces[-1][1] + text)
            else:
                pieces.append((literal, text))
    return Text(tuple(pieces))


class _Resolver:
    """Turns a string expression into the texts it can take."""

    def __init__(self, constants: dict[str, object], loops: dict[str, list[str]]) -> None:
        self.constants = constants
        self.loops = loops

    def texts(self, node: ast.expr) -> list[Text]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [_literal(node.value)]
        if isinstance(node, ast.JoinedStr):
            parts: list[Text] = []
            for value in node.values:
                if isinstance(value, ast.Constant):
                    parts.append(_literal(str(value.value)))
                elif isinstance(value, ast.FormattedValue):
                    parts.append(_dynamic(value.value))
            return [_join(parts)]
        if isinstance(node, ast.IfExp):
            return self.texts(node.body) + self.texts(node.orelse)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return [_join([left, right]) for left, right in itertools.product(self.texts(node.left), self.texts(node.right))]
        if isinstance(node, ast.Name):
            if node.id in self.loops:
                return [_literal(value) for value in self.loops[node.id]]
            constant = self.constants.get(node.id)
            if isinstance(constant, str):
                return [_literal(constant)]
        return [_dynamic(node)]


def _constants(tree: ast.Module) -> dict[str, object]:
    constants: dict[str, object] = {}
    for statement in tree.body:
        target = None
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        if isinstance(target, ast.Name):
            try:
                constants[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return constants


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) and call.func.value.id == "compliance":
        return call.func.attr
    return None


def _walk(
    node: ast.AST, owners: tuple[str, ...], loops: dict[str, list[str]]
) -> Iterator[tuple[ast.Call, str, dict[str, list[str]]]]:
    """Calls with their enclosing class/function and the constant loops around them."""
    for child in ast.iter_child_nodes(node):
        child_owners, child_loops = owners, loops
        if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            child_owners = (*owners, child.name)
        if (
            isinstance(child, ast.For)
            and isinstance(child.target, ast.Name)
            and isinstance(child.iter, ast.Tuple | ast.List)
            and all(isinstance(item, ast.Constant) and isinstance(item.value, str) for item in child.iter.elts)
        ):
            child_loops = {
                **loops,
                child.target.id: [str(item.value) for item in child.iter.elts if isinstance(item, ast.Constant)],
            }
        if isinstance(child, ast.Call):
            owner = next((name for name in owners if name[:1].isupper()), owners[0] if owners else "<module>")
            yield child, owner, loops
        yield from _walk(child, child_owners, child_loops)


def _argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(call.args) > index:
        return call.args[index]
    return next((item.value for item in call.keywords if item.arg == keyword), None)


def sites(package: Path = PACKAGE) -> list[Site]:
    """Every exemption made in the package's source, in file and line order."""
    compliance = _constants(ast.parse(COMPLIANCE.read_text()))
    provider_skips = compliance.get("CDK_PROVIDER_SKIPS", {})
    found: list[Site] = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative.startswith(EXCLUDED):
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        constants = {**compliance, **_constants(tree)}
        for call, owner, loops in _walk(tree, (), {}):
            name = _call_name(call)
            if name not in HELPERS:
                continue
            resolver = _Resolver(constants, loops)
            target_node = _argument(call, 0, "construct" if name != "skip_checkov_on_cdk_provider" else "scope")
            target = ast.unparse(target_node) if target_node is not None else "?"
            if name == "skip_checkov_on_cdk_provider" and isinstance(provider_skips, dict):
                provider = _argument(call, 1, "provider_id")
                where = f"{target} ({ast.unparse(provider)} handler)" if provider is not None else target
                for check_id, reason in provider_skips.items():
                    found.append(Site(HELPERS[name], relative, call.lineno, owner, where, _literal(check_id), _literal(reason)))
                continue
            rule_node, reason_node = (
                _argument(call, 1, "rule_id" if name == "acknowledge" else "check_id"),
                _argument(call, 2, "reason"),
            )
            rules = resolver.texts(rule_node) if rule_node is not None else [_literal("?")]
            reasons = resolver.texts(reason_node) if reason_node is not None else [_literal("?")]
            for rule, reason in itertools.product(rules, reasons):
                found.append(Site(HELPERS[name], relative, call.lineno, owner, target, rule, reason))
    return found


def direct_exemptions(package: Path = PACKAGE) -> list[str]:
    """Acknowledgements or checkov skips made around the helpers (``file:line: code``)."""
    found: list[str] = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative.startswith(EXCLUDED):
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            code = ast.unparse(node)
            direct_ack = node.func.attr == "acknowledge" and "Validations.of(" in ast.unparse(node.func.value)
            first = node.args[0] if node.args else None
            direct_skip = node.func.attr == "add_metadata" and isinstance(first, ast.Constant) and first.value == "checkov"
            if direct_ack or direct_skip:
                found.append(f"{relative}:{node.lineno}: {code[:120]}")
    return found
