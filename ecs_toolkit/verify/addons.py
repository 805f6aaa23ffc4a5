"""What a service's addons give it, proven from the templates: managed policies on the task role, security groups
on the tasks.

An addon's security group is a rule set the manifest does not describe: verify shows that the tasks carry it and
lists its ingress rules as ASSUMED (reviewed in the addon's template), instead of judging them against the
manifest's intended paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ecs_toolkit.assembly import Assembly, Attribute, ResourceRef, render
from ecs_toolkit.config.addons import OutputKind, TemplateError, read_template
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.config.rules.addons import addon_entries, addon_template_location, shown
from ecs_toolkit.verify.findings import ASSUMED, CLOSED, OPEN, Finding
from ecs_toolkit.verify.network import group_keys
from ecs_toolkit.verify.workloads import Workload


@dataclass(frozen=True)
class AddonOutput:
    service: str
    output: str
    kind: OutputKind
    logical_id: str
    template: str


def addon_outputs(config: EnvironmentConfig | None) -> Iterator[AddonOutput]:
    """The managed policy and security group outputs of every service's addons."""
    if config is None:
        return
    for name, service in config.services.items():
        for index, entry in enumerate(addon_entries(service)):
            try:
                template = read_template(config.path_written_at(addon_template_location(name, index), entry.template))
            except (OSError, TemplateError):
                continue  # the manifest's rules report it
            for output in template.outputs:
                if output.target is not None and output.kind in (OutputKind.MANAGED_POLICY, OutputKind.SECURITY_GROUP):
                    yield AddonOutput(name, output.name, output.kind, output.target, shown(template.path))


def addon_security_groups(config: EnvironmentConfig | None, workloads: dict[str, Workload]) -> dict[str, str]:
    """Group key (``stack/LogicalId``) -> where it is declared, for every addon security group."""
    return {
        f"{workloads[item.service].stack}/{item.logical_id}": f"{item.template} ({item.service}'s addon)"
        for item in addon_outputs(config)
        if item.kind is OutputKind.SECURITY_GROUP and item.service in workloads
    }


def prove_addons(assembly: Assembly, workloads: dict[str, Workload], config: EnvironmentConfig | None) -> list[Finding]:
    findings: list[Finding] = []
    for item in addon_outputs(config):
        workload = workloads.get(item.service)
        if workload is None or workload.task_definition is None:
            continue
        label = f"{item.service}: addon {item.output}"
        if item.kind is OutputKind.MANAGED_POLICY:
            props = assembly.resolve(workload.stack, workload.task_definition.properties)
            role = props.get("TaskRoleArn")
            role = ResourceRef(role.stack, role.logical_id) if isinstance(role, Attribute) else role
            resource = assembly.resource(role.stack, role.logical_id) if isinstance(role, ResourceRef) else None
            attached = (
                {render(arn) for arn in assembly.resolve(role.stack, resource.properties).get("ManagedPolicyArns", [])}
                if resource is not None and isinstance(role, ResourceRef)
                else set()
            )
            policy = render(ResourceRef(workload.stack, item.logical_id))
            status, verb = (OPEN, "has") if policy in attached else (CLOSED, "lacks")
            findings.append(Finding("permission", label, status, f"the task role {verb} the managed policy {item.logical_id}"))
            continue
        carried = item.logical_id in {key.split("/", 1)[1] for key in workload.task_groups if "/" in key}
        if not carried and workload.service is not None:
            props = assembly.resolve(workload.stack, workload.service.properties)
            network = (props.get("NetworkConfiguration") or {}).get("AwsvpcConfiguration") or {}
            carried = f"{workload.stack}/{item.logical_id}" in group_keys(assembly, network.get("SecurityGroups"))
        if not carried and workload.service is None:
            # A job's runs get their groups in the RunTask call of its state machine.
            group = (
                render(Attribute(workload.stack, item.logical_id, "GroupId")),
                render(ResourceRef(workload.stack, item.logical_id)),
            )
            carried = any(
                any(text in render(assembly.resolve(machine.stack, machine.properties).get("DefinitionString")) for text in group)
                for machine in assembly.resources_in(workload.stack, "AWS::StepFunctions::StateMachine")
            )
        if carried:
            findings.append(
                Finding(
                    "connection",
                    label,
                    ASSUMED,
                    f"the tasks carry the security group {item.logical_id} of {item.template}: its rules are the addon's "
                    "own, reviewed there, not derived from the manifest",
                )
            )
        else:
            findings.append(Finding("connection", label, CLOSED, f"the tasks do not carry the security group {item.logical_id}"))
    return findings
