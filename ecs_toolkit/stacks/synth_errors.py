"""What CDK still refuses at synth, traced back to the manifest field that caused it, one line each.

Two kinds reach here after the manifest has validated: an exception while the stacks are built
(a construct's own check, raised through jsii), and the validation report that CDK's plugins
(cdk-nag's rule packs, CloudFormation's schema validation) write to ``validation-report.json``.
Both are mapped from construct paths to manifest fields: the stack name ``<env>-<service>`` gives
the service, the construct id below it the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from constructs import IConstruct

from ecs_toolkit import outputs
from ecs_toolkit.config.models import EnvironmentConfig

Location = tuple[str | int, ...]

FAIL_SYNTH_CONTEXT = "@aws-cdk/core:failSynthOnValidationErrors"
"""False: CDK writes its validation report without printing it or throwing; the app reports it (the CDK CLI sets it too)."""
REPORT_FILE = "validation-report.json"

SERVICE_CONSTRUCTS: dict[str, Location] = {
    "Route": ("route",),
    "Nlb": ("nlb",),
    "Queue": ("scaling", "queue"),
    "DeadLetterQueue": ("scaling", "queue"),
    "Scaling": ("scaling",),
}
"""Construct ids of a service stack (``stacks/service.py``) and the service field each comes from."""
_ADDON_ID = re.compile(r"Addon(\d+)")
"""``Addon<index>``: the CfnInclude of ``addons.<index>`` (``stacks/addons.py``)."""
PLATFORM_CONSTRUCTS: dict[str, Location] = {
    "Cluster": ("cluster",),
    "CapacityEventsKey": ("cluster", "capacity"),
    "CapacityEvents": ("cluster", "capacity"),
    "LoadBalancer": ("load_balancer",),
}
"""Construct ids of the platform stack (``stacks/platform.py``); ``FileSystem-<name>`` is ``file_systems.<name>``."""
PROPERTY_FIELDS: dict[str, Location] = {"Properties.Tags": ("tags",)}
"""Template properties that come from one manifest field whatever resource carries them."""


@dataclass(frozen=True)
class SynthProblem:
    location: Location
    message: str


def field_of(config: EnvironmentConfig, construct_path: str, property_paths: list[str] | tuple[str, ...] = ()) -> Location:
    """The manifest field a construct (and, if known, one of its template properties) was built from."""
    for prop in property_paths:
        for prefix, location in PROPERTY_FIELDS.items():
            if prop == prefix or prop.startswith(prefix + "."):
                return location
    stack, _, rest = construct_path.partition("/")
    ids = rest.split("/") if rest else []
    if stack == outputs.network_stack_name(config.name):
        return ("network",)
    if stack == outputs.platform_stack_name(config.name):
        first = ids[0] if ids else ""
        if first.startswith("FileSystem-") and first.removeprefix("FileSystem-") in config.file_systems:
            return ("file_systems", first.removeprefix("FileSystem-"))
        return PLATFORM_CONSTRUCTS.get(first, ())
    for name in config.services:
        if stack == outputs.service_stack_name(config.name, name):
            addon = _ADDON_ID.fullmatch(ids[0]) if ids else None
            if addon is not None:
                return ("services", name, "addons", int(addon[1]))
            return ("services", name, *SERVICE_CONSTRUCTS.get(ids[0] if ids else "", ()))
    return ()


def building_path(app: IConstruct) -> str:
    """The path of the construct added last, following the last child down: where a build stopped."""
    node = app
    while node.node.children:
        node = node.node.children[-1]
    return node.node.path


_PATH_IN_MESSAGE = re.compile(r"\[?([A-Za-z0-9-]+(?:/[A-Za-z0-9_.:-]+)+)\]?")


def build_failure(config: EnvironmentConfig, app: IConstruct, error: BaseException) -> SynthProblem:
    """A build that raised: at the construct path the message names, else at the construct built last."""
    message = _first_line(error)
    named = [match for match in _PATH_IN_MESSAGE.findall(str(error)) if field_of(config, match)]
    path = named[0] if named else building_path(app)
    return SynthProblem(field_of(config, path), f"CDK refused it: {message} (at {path})")


def report_failures(config: EnvironmentConfig, outdir: str | Path) -> list[SynthProblem]:
    """One problem per failed rule of the validation report in ``outdir``, at the field it concerns."""
    report_file = Path(outdir) / REPORT_FILE
    if not report_file.is_file():
        return []
    try:
        report = json.loads(report_file.read_text())
    except (OSError, ValueError) as error:
        return [SynthProblem((), f"cannot read {report_file}: {error}")]
    return list(_violations(config, report))


def _violations(config: EnvironmentConfig, report: dict[str, Any]) -> Iterator[SynthProblem]:
    for plugin in report.get("pluginReports", []):
        if plugin.get("conclusion") != "failure":
            continue
        name = plugin.get("pluginName", "validation")
        for violation in plugin.get("violations", []):
            if violation.get("severity") not in (None, "error", "fatal"):
                continue
            by_field: dict[Location, list[str]] = {}
            for construct in violation.get("violatingConstructs", []):
                path = str(construct.get("constructPath", ""))
                resource = construct.get("cloudFormationResource") or {}
                location = field_of(config, path, resource.get("propertyPaths") or ())
                by_field.setdefault(location, []).append(path.removesuffix("/Resource"))
            description = " ".join(str(violation.get("description", "")).split()).partition(" - (Control ID")[0]
            rule = str(violation.get("ruleName", ""))
            rule = rule if rule.startswith(name) else f"{name} {rule}"
            for location, paths in by_field.items():
                where = paths[0] if len(paths) == 1 else f"{len(paths)} resources, first {paths[0]}"
                yield SynthProblem(location, f"{rule}: {description} (at {where})")


def _first_line(error: BaseException) -> str:
    text = " ".join(str(error).strip().splitlines()[0].split()) if str(error).strip() else type(error).__name__
    return text.removeprefix("ValidationError: ")
