"""Addons: each template reads, declares what it needs, and its outputs fit the service that includes it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ecs_toolkit.config import derived
from ecs_toolkit.config.addons import SUPPLIED_PARAMETERS, AddonTemplate, OutputKind, TemplateError, read_template
from ecs_toolkit.config.models import AddonConfig, EnvironmentConfig, ServiceConfig
from ecs_toolkit.config.rules.common import Finding, Location, did_you_mean
from ecs_toolkit.config.rules.services import SECRET_LOOKING_NAME

RESERVED_LOGICAL_IDS = frozenset(
    {
        # The toolkit's own outputs of a service or job stack (ecs_toolkit/outputs.py) and CDK's additions.
        "ServiceName",
        "TaskDefinitionArn",
        "TaskDefinitionFamily",
        "ContainerName",
        "LogGroupName",
        "LaunchType",
        "CapacityProviderStrategy",
        "NetworkMode",
        "TaskSecurityGroupIds",
        "TargetGroupArns",
        "ScheduleName",
        "StateMachineArn",
        "NlbDnsName",
        "BootstrapVersion",
        "CheckBootstrapVersion",
        "CDKMetadata",
    }
)
"""Logical ids a service stack already uses: an addon may not declare them."""


def shown(path: str | Path) -> str:
    """A template path as a reader finds it: relative to the working directory when it is below it."""
    absolute = Path(path).resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def addon_entries(service: ServiceConfig) -> list[AddonConfig]:
    """A service's addons, the short form (a path) as ``AddonConfig``."""
    return [entry if isinstance(entry, AddonConfig) else AddonConfig(template=entry) for entry in service.addons]


def addon_template_location(service: str, index: int) -> Location:
    """Where addon number ``index`` of ``service`` names its template (the short form is the entry itself, which
    the origins record resolves to)."""
    return ("services", service, "addons", index, "template")


def injected_variables(config: EnvironmentConfig, service: ServiceConfig) -> set[str]:
    """Environment variables the toolkit sets on the main container itself: the worker's queue, the published topics."""
    variables = {"QUEUE_URL"} if service.scaling is not None and service.scaling.queue is not None else set()
    if service.publish:
        variables |= {"TOPICS", *(derived.topic_variable(topic.name) for topic in service.publish)}
    return variables


def check_addons(config: EnvironmentConfig, name: str, service: ServiceConfig) -> Iterator[Finding]:
    where: Location = ("services", name, "addons")
    taken: dict[str, str] = {}
    """Environment variable -> where it comes from."""
    for variable in service.environment:
        taken[variable] = f"environment.{variable}"
    for variable in service.secrets:
        taken[variable] = f"secrets.{variable}"
    for variable in injected_variables(config, service):
        taken[variable] = "the toolkit (the worker's queue)" if variable == "QUEUE_URL" else "publish (the service's topics)"
    logical_ids: dict[str, str] = {}
    mode = derived.network_mode_of(config, service)
    for index, (entry, raw) in enumerate(zip(addon_entries(service), service.addons, strict=True)):
        at: Location = (*where, index) if isinstance(raw, str) else (*where, index, "template")
        entry_at: Location = (*where, index)
        path = config.path_written_at(at, entry.template)
        if not path.is_file():
            state = "is a directory, not a template" if path.is_dir() else "not found"
            yield at, f"template {shown(path)} {state} (paths are relative to the manifest file that names them)"
            continue
        try:
            template = read_template(path)
        except TemplateError as error:
            yield at, f"{shown(path)}:{error.line}: {error.message}"
            continue
        except OSError as error:
            yield at, f"template {shown(path)} cannot be read: {error.strerror or error}"
            continue
        yield from _parameters(entry_at, entry, template, isinstance(raw, str))
        yield from _acknowledgements(entry_at, entry, template)
        # Supplied and given parameters are replaced by their values, so they leave the template.
        replaced = {*SUPPLIED_PARAMETERS, *entry.parameters} & set(template.parameters)
        for logical_id, line in template.logical_ids.items():
            if logical_id in replaced and logical_id not in template.resources and logical_id not in _output_names(template):
                continue
            if logical_id in RESERVED_LOGICAL_IDS:
                yield at, f"{shown(path)}:{line}: {logical_id} is a name the service's stack already uses: rename it"
            elif logical_id in logical_ids:
                yield at, f"{shown(path)}:{line}: {logical_id} is also declared by {logical_ids[logical_id]}: rename one"
            else:
                logical_ids[logical_id] = shown(path)
        for output in template.outputs:
            source = f"{shown(path)}:{output.line}"
            if output.kind is OutputKind.SECURITY_GROUP and mode != "awsvpc":
                yield (
                    at,
                    f"{source}: output {output.name} is a security group, which attaches to tasks in awsvpc mode only; "
                    f"this {'job' if service.kind == 'job' else 'service'} runs in {mode} mode, where its tasks use "
                    "their instances' security groups (use network_mode awsvpc, or drop the output)",
                )
            if output.kind not in (OutputKind.ENVIRONMENT, OutputKind.SECRET):
                continue
            variable = output.variable
            if output.kind is OutputKind.ENVIRONMENT and SECRET_LOOKING_NAME.search(variable):
                yield (
                    at,
                    f"{source}: output {output.name} becomes the plain environment variable {variable}, which looks "
                    "like a secret: output the Ref of an AWS::SecretsManager::Secret (it becomes a container secret)",
                )
            if output.kind is OutputKind.SECRET and output.condition is not None:
                yield (
                    at,
                    f"{source}: output {output.name} is a secret with a Condition: a container secret cannot be "
                    "left out when the condition is false; drop the condition or make it an environment value",
                )
            if variable in taken:
                yield (
                    at,
                    f"{source}: output {output.name} becomes the variable {variable}, which {taken[variable]} "
                    "already sets: rename the output or the variable",
                )
            else:
                taken[variable] = f"output {output.name} of {source}"


def _output_names(template: AddonTemplate) -> set[str]:
    return {output.name for output in template.outputs}


def _parameters(where: Location, entry: AddonConfig, template: AddonTemplate, short_form: bool) -> Iterator[Finding]:
    source = shown(template.path)
    for parameter in template.parameters.values():
        if parameter.name in SUPPLIED_PARAMETERS or parameter.has_default or parameter.name in entry.parameters:
            continue
        fix = "write the addon as {template: ..., parameters: {" if short_form else "add it under parameters ({"
        yield (
            where if short_form else (*where, "parameters"),
            f"{source}:{parameter.line}: parameter {parameter.name} has no Default and no value: "
            f"{fix}{parameter.name}: ...}}{'}' if short_form else ')'}",
        )
    declared = [name for name in template.parameters if name not in SUPPLIED_PARAMETERS]
    for name in entry.parameters:
        if name in SUPPLIED_PARAMETERS:
            yield (
                (*where, "parameters", name),
                f"is supplied by the toolkit ({', '.join(SUPPLIED_PARAMETERS)}: environment, environment, service name)",
            )
        elif name not in template.parameters:
            yield (*where, "parameters", name), f"{source} declares no parameter {name}{did_you_mean(name, declared)}"


def _acknowledgements(where: Location, entry: AddonConfig, template: AddonTemplate) -> Iterator[Finding]:
    for index, acknowledgement in enumerate(entry.acknowledge):
        for position, logical_id in enumerate(acknowledgement.resources):
            if logical_id not in template.resources:
                yield (
                    (*where, "acknowledge", index, "resources", position),
                    f"{shown(template.path)} has no resource {logical_id}{did_you_mean(logical_id, template.resources)}",
                )
