"""CloudFormation's intrinsic functions folded over a template value, once for every reader.

``Intrinsics.fold`` walks lists and mappings and evaluates ``Ref``, ``Fn::GetAtt``,
``Fn::ImportValue``, ``Fn::Join``, ``Fn::Sub``, ``Fn::Select`` and ``Fn::Split``; any other
function is unknown. What a ``Ref``, an attribute or an import *means* is left to a subclass:
the assembly reader keeps them as tokens for the offline proof, the rehearsal binds them to the
physical ids and exports of what it deployed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ResourceRef:
    """``Ref`` to a resource: its physical id, known after deployment."""

    stack: str
    logical_id: str


@dataclass(frozen=True)
class Attribute:
    """``Fn::GetAtt`` of a resource, known after deployment."""

    stack: str
    logical_id: str
    name: str


@dataclass(frozen=True)
class Pseudo:
    """A pseudo parameter of an environment-agnostic stack (``AWS::Region``, ``AWS::AccountId``, ...)."""

    name: str


@dataclass(frozen=True)
class Unknown:
    """A value this reader cannot tell, and why."""

    reason: str

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


@dataclass(frozen=True)
class Composite:
    """A string joined from literals and tokens (``Fn::Join``/``Fn::Sub`` over deploy-time values)."""

    parts: tuple[Any, ...]


PSEUDO_PARAMETERS = ("AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix", "AWS::StackId", "AWS::StackName")
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class Intrinsics:
    """The generic fold; subclasses implement ``ref``, ``get_att`` and ``import_value``."""

    def ref(self, stack: str, name: str) -> Any:
        raise NotImplementedError

    def get_att(self, stack: str, logical_id: str, attribute: str) -> Any:
        raise NotImplementedError

    def import_value(self, stack: str, name: str) -> Any:
        raise NotImplementedError

    def unknown(self, reason: str) -> Any:
        return Unknown(reason)

    def fold_list(self, stack: str, items: list[Any]) -> Any:
        return [self.fold(stack, item) for item in items]

    def fold(self, stack: str, value: Any) -> Any:
        """``value`` from ``stack``'s template with every intrinsic evaluated as far as this reader knows."""
        if isinstance(value, list):
            return self.fold_list(stack, value)
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((function, argument),) = value.items()
            if function == "Ref":
                return self.ref(stack, str(argument))
            if function == "Fn::GetAtt":
                logical_id, name = argument if isinstance(argument, list) else str(argument).split(".", 1)
                return self.get_att(stack, str(logical_id), str(name))
            if function == "Fn::ImportValue":
                name = self.fold(stack, argument)
                return self.import_value(stack, name) if isinstance(name, str) else self.unknown("an import named at deploy time")
            if function == "Fn::Join":
                separator, items = argument
                return self.join(str(separator), self.fold(stack, items))
            if function == "Fn::Sub":
                return self._sub(stack, argument)
            if function == "Fn::Select":
                index, items = argument
                items, position = self.fold(stack, items), self.fold(stack, index)
                if not isinstance(items, list) or not str(position).isdigit():
                    return self.unknown("Fn::Select over a deploy-time list")
                return items[int(position)] if int(position) < len(items) else self.unknown("Fn::Select past the list")
            if function == "Fn::Split":
                separator, text = argument
                text = self.fold(stack, text)
                return text.split(separator) if isinstance(text, str) else self.unknown("Fn::Split of a deploy-time value")
            if function.startswith("Fn::") or function == "Condition":
                return self.unknown(f"{function} is decided at deploy time")
        return {key: self.fold(stack, item) for key, item in value.items()}

    def join(self, separator: str, items: Any) -> Any:
        """Literal text where every part is known; the first unknown part; else a ``Composite``."""
        if not isinstance(items, list):
            return items if isinstance(items, Unknown) else self.unknown("Fn::Join over a deploy-time list")
        merged: list[Any] = []
        for index, item in enumerate(items):
            parts = [separator, item] if index and separator else [item]
            for part in parts:
                if isinstance(part, int | float) and not isinstance(part, bool):
                    part = str(part)
                if isinstance(part, Unknown):
                    return part
                if isinstance(part, Composite):
                    merged.extend(part.parts)
                elif merged and isinstance(part, str) and isinstance(merged[-1], str):
                    merged[-1] += part
                elif part != "":
                    merged.append(part)
        if not merged:
            return ""
        if len(merged) == 1 and isinstance(merged[0], str):
            return merged[0]
        return Composite(tuple(merged))

    def _sub(self, stack: str, argument: Any) -> Any:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
        parts: list[Any] = []
        position = 0
        for match in _SUB_VARIABLE.finditer(text):
            parts.append(text[position : match.start()])
            name = match.group(1)
            if name in variables:
                parts.append(self.fold(stack, variables[name]))
            elif "." in name:
                logical_id, attribute = name.split(".", 1)
                parts.append(self.get_att(stack, logical_id, attribute))
            else:
                parts.append(self.ref(stack, name))
            position = match.end()
        parts.append(text[position:])
        return self.join("", parts)
