"""Addon templates: CloudFormation files that a service includes in its stack (AWS Copilot's workload addons).

Read here without CDK, so that a bad template is reported with the manifest's other problems, at the
template's own line: its parameters, resource types and outputs, and what each output becomes
(``OutputKind``). YAML templates may use CloudFormation's short forms (``!Ref``, ``!GetAtt``, ``!Sub``);
they are turned into the long forms (``{"Ref": ...}``) as CloudFormation reads them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError

MAX_TEMPLATE_BYTES = 1024 * 1024
"""CloudFormation's limit on a template stored in S3 (1 MB); a template body sent inline may be 51,200 bytes."""
SUPPLIED_PARAMETERS = ("App", "Env", "Name")
"""The parameters AWS Copilot passes to every addon, which the toolkit supplies too."""
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
SECURITY_GROUP = "AWS::EC2::SecurityGroup"
SECRET = "AWS::SecretsManager::Secret"
NESTED_STACK = "AWS::CloudFormation::Stack"
SECTIONS = frozenset(
    {
        "AWSTemplateFormatVersion",
        "Description",
        "Metadata",
        "Parameters",
        "Rules",
        "Mappings",
        "Conditions",
        "Resources",
        "Outputs",
        "Transform",
    }
)
"""The top-level sections of a CloudFormation template."""


class OutputKind(Enum):
    """What an addon output becomes in the service."""

    MANAGED_POLICY = "managed policy"
    """``Ref`` of an ``AWS::IAM::ManagedPolicy``: attached to the task role."""
    SECURITY_GROUP = "security group"
    """``Ref`` or ``GetAtt .GroupId`` of an ``AWS::EC2::SecurityGroup``: attached to the tasks (awsvpc)."""
    SECRET = "secret"
    """``Ref`` of an ``AWS::SecretsManager::Secret``: a secret of the main container (the execution role may read it)."""
    ENVIRONMENT = "environment variable"
    """Anything else: a plain environment variable of the main container."""


class TemplateError(Exception):
    """A template that cannot be included: ``line`` in the template (1-based) and the message."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Parameter:
    name: str
    has_default: bool
    line: int


@dataclass(frozen=True)
class Output:
    name: str
    value: Any
    """The output's value in CloudFormation's long form."""
    kind: OutputKind
    target: str | None
    """The logical id of the resource a managed policy, security group or secret output names."""
    condition: str | None
    """The output's ``Condition``, if it has one."""
    line: int

    @property
    def variable(self) -> str:
        """The environment variable (or secret) name: ``UsersTableName`` -> ``USERS_TABLE_NAME``."""
        return env_var_name(self.name)


@dataclass(frozen=True)
class AddonTemplate:
    path: Path
    parameters: dict[str, Parameter]
    resources: dict[str, str]
    """Logical id -> resource type."""
    resource_lines: dict[str, int]
    outputs: list[Output]
    logical_ids: dict[str, int]
    """Every logical id the template declares (parameters, mappings, conditions, resources, outputs) -> its line."""


_LOWER_UPPER = re.compile(r"([a-z0-9]+)([A-Z])")
_UPPER_LOWER = re.compile(r"([A-Z0-9])([A-Z][a-z])")


def env_var_name(name: str) -> str:
    """An output name as AWS Copilot turns it into an environment variable (its ``ToSnakeCase``):
    ``MyTableName`` -> ``MY_TABLE_NAME``, ``MyDDBTableName`` -> ``MY_DDB_TABLE_NAME``."""
    snake = _LOWER_UPPER.sub(r"\1_\2", name)
    snake = _UPPER_LOWER.sub(r"\1_\2", snake)
    return snake.upper()


def read_template(path: Path) -> AddonTemplate:
    """The template at ``path``, or ``TemplateError`` (``FileNotFoundError`` when there is no such file)."""
    data = path.read_bytes()
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError(1, f"the template is {len(data) // 1024} KiB; CloudFormation takes at most 1 MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TemplateError(data.count(b"\n", 0, error.start) + 1, "is not UTF-8: save the template as UTF-8") from None
    document = _parse(path, text)
    if not isinstance(document, dict):
        raise TemplateError(1, "a CloudFormation template is a mapping of sections (Resources, Outputs, ...)")
    return _read(path, document)


def _parse(path: Path, text: str) -> Any:
    """JSON templates must be JSON (as CloudFormation reads them); both are read as YAML for the line numbers."""
    if path.suffix.lower() == ".json":
        _raise_json_error(text)
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = " ".join(str(error.problem or error.context or "invalid YAML").split())
        raise TemplateError(mark.line + 1 if mark is not None else 1, f"yaml: {reason}") from None
    except YAMLError as error:
        raise TemplateError(1, f"yaml: {' '.join(str(error).split())}") from None


def _raise_json_error(text: str) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise TemplateError(error.lineno, f"json: {error.msg}") from None


def _line(node: Any, key: Any) -> int:
    if isinstance(node, CommentedMap) and key in node.lc.data:
        return int(node.lc.key(key)[0]) + 1
    if isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
        return int(node.lc.item(key)[0]) + 1
    if isinstance(node, CommentedMap | CommentedSeq):
        return int(node.lc.line) + 1
    return 1


def _read(path: Path, document: Any) -> AddonTemplate:
    for key in document:
        if key not in SECTIONS:
            raise TemplateError(_line(document, key), f"{key!r} is not a CloudFormation template section")
    if "Transform" in document:
        raise TemplateError(
            _line(document, "Transform"),
            "Transform (macros such as AWS::Serverless) is not supported in an addon: the gates and the reachability "
            "proof read the template as written, and a macro rewrites it at deploy time; write the resources out",
        )
    plain = to_plain(document)
    resources = document.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise TemplateError(_line(document, "Resources"), "Resources must be a mapping of at least one resource")
    types: dict[str, str] = {}
    resource_lines: dict[str, int] = {}
    logical_ids: dict[str, int] = {}
    for logical_id, resource in resources.items():
        line = _line(resources, logical_id)
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise TemplateError(line, f"resource {logical_id} needs a Type")
        resource_type = str(resource["Type"])
        if resource_type == NESTED_STACK:
            raise TemplateError(
                line,
                f"resource {logical_id} is a nested stack ({NESTED_STACK}), which an addon cannot include: "
                "its template would escape every gate; list its resources in the addon instead",
            )
        if resource_type.startswith("AWS::Serverless::"):
            raise TemplateError(line, f"resource {logical_id} is a {resource_type}, which needs the AWS::Serverless transform")
        types[str(logical_id)] = resource_type
        resource_lines[str(logical_id)] = line
    for section in ("Parameters", "Mappings", "Conditions", "Resources", "Outputs"):
        entries = document.get(section)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            raise TemplateError(_line(document, section), f"{section} must be a mapping")
        for logical_id in entries:
            logical_ids.setdefault(str(logical_id), _line(entries, logical_id))
    parameters: dict[str, Parameter] = {}
    for name, parameter in (document.get("Parameters") or {}).items():
        line = _line(document["Parameters"], name)
        if not isinstance(parameter, dict) or "Type" not in parameter:
            raise TemplateError(line, f"parameter {name} needs a Type")
        parameters[str(name)] = Parameter(str(name), "Default" in parameter, line)
    outputs = []
    for name, output in (document.get("Outputs") or {}).items():
        line = _line(document["Outputs"], name)
        if not isinstance(output, dict) or "Value" not in output:
            raise TemplateError(line, f"output {name} needs a Value")
        value = plain["Outputs"][name]["Value"]
        kind, target = _classify(value, types)
        condition = output.get("Condition")
        outputs.append(Output(str(name), value, kind, target, str(condition) if condition else None, line))
    return AddonTemplate(
        path=path,
        parameters=parameters,
        resources=types,
        resource_lines=resource_lines,
        outputs=outputs,
        logical_ids=logical_ids,
    )


def _classify(value: Any, types: dict[str, str]) -> tuple[OutputKind, str | None]:
    if isinstance(value, dict) and len(value) == 1:
        if "Ref" in value and isinstance(value["Ref"], str):
            target = value["Ref"]
            kind = {
                MANAGED_POLICY: OutputKind.MANAGED_POLICY,
                SECURITY_GROUP: OutputKind.SECURITY_GROUP,
                SECRET: OutputKind.SECRET,
            }.get(types.get(target, ""))
            if kind is not None:
                return kind, target
        attribute = value.get("Fn::GetAtt")
        if (
            isinstance(attribute, list)
            and len(attribute) == 2
            and attribute[1] == "GroupId"
            and types.get(str(attribute[0])) == SECURITY_GROUP
        ):
            return OutputKind.SECURITY_GROUP, str(attribute[0])
    return OutputKind.ENVIRONMENT, None


def _tag(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", tag)
    return value if isinstance(value, str) and value.startswith("!") and not value.startswith("!!") else None


def to_plain(node: Any) -> Any:
    """ruamel's round-trip nodes as plain data, with CloudFormation's short forms in their long form."""
    tag = _tag(node)
    if isinstance(node, TaggedScalar):
        value: Any = node.value
    elif isinstance(node, CommentedMap):
        value = {str(key): to_plain(item) for key, item in node.items()}
    elif isinstance(node, CommentedSeq):
        value = [to_plain(item) for item in node]
    else:
        value = node
    if tag is None:
        return value
    function = tag[1:]
    if function == "Ref":
        return {"Ref": value}
    if function == "Condition":
        return {"Condition": value}
    if function == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {f"Fn::{function}": value}
