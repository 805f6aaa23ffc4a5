"""A service's or job's addons: CloudFormation templates included in its stack, and what their outputs become.

Each template is included with ``CfnInclude`` (read from the local file at synth, so synth stays hermetic),
keeping its logical ids, conditions, mappings and metadata, with ``App``, ``Env`` and ``Name`` supplied
when it declares them. Its outputs stay outputs of the service's stack and, by kind: a managed policy
goes on the task role, a security group on the tasks, a Secrets Manager secret becomes a container secret,
anything else a plain environment variable of the main container.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import cloudformation_include as cfn_inc
from constructs import Construct

from ecs_toolkit.compliance import acknowledge, skip_checkov
from ecs_toolkit.config.addons import SUPPLIED_PARAMETERS, Output, OutputKind, read_template
from ecs_toolkit.config.models import AddonAcknowledgementConfig, EnvironmentConfig
from ecs_toolkit.config.rules.addons import addon_entries, addon_template_location

CHECKOV_PREFIX = "CKV"


@dataclass
class IncludedAddons:
    """The addons of one service, and what their outputs give the task."""

    includes: list[cfn_inc.CfnInclude] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, ecs.Secret] = field(default_factory=dict)
    managed_policies: list[iam.IManagedPolicy] = field(default_factory=list)
    security_groups: list[ec2.ISecurityGroup] = field(default_factory=list)

    def attach(self, task_definition: ecs.TaskDefinition) -> None:
        """Managed policies on the task role (the security groups go to ``EcsService``/``ScheduledJob`` as
        ``extra_security_groups`` through ``plan_task``)."""
        for policy in self.managed_policies:
            task_definition.task_role.add_managed_policy(policy)


def supplied_parameters(config: EnvironmentConfig, name: str) -> dict[str, str]:
    """``App`` and ``Env`` are the environment's name (the toolkit has no application above environments), ``Name``
    the service's."""
    return {"App": config.name, "Env": config.name, "Name": name}


def include_addons(scope: cdk.Stack, config: EnvironmentConfig, name: str) -> IncludedAddons:
    """Include every addon of ``name`` in ``scope`` (its stack); the manifest's rules have checked them.

    ``App``, ``Env`` and ``Name`` stay parameters of the stack, with the values as defaults, rather than being
    replaced by them: a template's conditions on them (``!Equals [!Ref Env, prod]``) then stay conditions, as in
    Copilot, instead of constants that cfn-lint reports. The first addon that declares one keeps it; the others
    refer to it.
    """
    included = IncludedAddons()
    supplied = supplied_parameters(config, name)
    shared: dict[str, cdk.CfnParameter] = {}
    for index, entry in enumerate(addon_entries(config.services[name])):
        template = read_template(config.path_written_at(addon_template_location(name, index), entry.template))
        declared = [key for key in SUPPLIED_PARAMETERS if key in template.parameters]
        parameters: dict[str, Any] = {key: shared[key].value_as_string for key in declared if key in shared}
        parameters.update({key: _parameter_value(value) for key, value in entry.parameters.items()})
        include = cfn_inc.CfnInclude(scope, f"Addon{index}", template_file=str(template.path), parameters=parameters)
        for key in declared:
            if key not in shared:
                shared[key] = include.get_parameter(key)
                shared[key].default = supplied[key]
        included.includes.append(include)
        _acknowledge(include, entry.acknowledge, list(template.resources))
        for output in template.outputs:
            _use_output(scope, include, f"Addon{index}{output.name}", output, included)
    return included


def _parameter_value(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _use_output(scope: Construct, include: cfn_inc.CfnInclude, construct_id: str, output: Output, into: IncludedAddons) -> None:
    value = cdk.Token.as_string(include.get_output(output.name).value)
    if output.kind is OutputKind.ENVIRONMENT:
        # An output whose condition is false does not exist; its variable is then empty.
        into.environment[output.variable] = (
            value if output.condition is None else cdk.Fn.condition_if(output.condition, value, "").to_string()
        )
        return
    if output.condition is not None:
        value = cdk.Fn.condition_if(output.condition, value, cdk.Aws.NO_VALUE).to_string()
    if output.kind is OutputKind.MANAGED_POLICY:
        into.managed_policies.append(iam.ManagedPolicy.from_managed_policy_arn(scope, construct_id, value))
    elif output.kind is OutputKind.SECURITY_GROUP:
        into.security_groups.append(ec2.SecurityGroup.from_security_group_id(scope, construct_id, value, mutable=False))
    else:
        secret = secretsmanager.Secret.from_secret_complete_arn(scope, construct_id, value)
        into.secrets[output.variable] = ecs.Secret.from_secrets_manager(secret)


def _acknowledge(include: cfn_inc.CfnInclude, acknowledgements: list[AddonAcknowledgementConfig], resources: list[str]) -> None:
    """The manifest's acknowledgements of the addon's findings: on the named resources, else on the whole addon
    (cdk-nag rules); checkov checks are skipped in the named resources' metadata (every resource by default)."""
    for acknowledgement in acknowledgements:
        logical_ids = acknowledgement.resources or resources
        if acknowledgement.rule.startswith(CHECKOV_PREFIX):
            for logical_id in logical_ids:
                skip_checkov(include.get_resource(logical_id), acknowledgement.rule, acknowledgement.reason)
            continue
        targets: list[Construct] = (
            [include.get_resource(logical_id) for logical_id in acknowledgement.resources]
            if acknowledgement.resources
            else [include]
        )
        for target in targets:
            for rule_id in _granular_ids(target, acknowledgement.rule):
                acknowledge(target, rule_id, acknowledgement.reason)


WILDCARD_RULE = "AwsSolutions-IAM5"
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def _granular_ids(target: Construct, rule: str) -> list[str]:
    """The ids cdk-nag reports for a bare ``AwsSolutions-IAM5`` on the policies under ``target``: one per wildcard
    action or resource, rendered as cdk-nag renders them (``<Table.Arn>/index/*``); any other rule as written."""
    if rule != WILDCARD_RULE:
        return [rule]
    ids: list[str] = []
    for construct in target.node.find_all():
        if not isinstance(construct, cdk.CfnResource):
            continue
        # An included resource's properties hold its policy documents as the template writes them.
        properties = cdk.Stack.of(construct).resolve(construct._cfn_properties)
        for statement in _statements(properties):
            if statement.get("Effect") != "Allow":
                continue
            ids += [f"{rule}[Action::{a}]" for a in _listed(statement.get("Action")) if "*" in str(a)]
            rendered = [_nag_text(r) for r in _listed(statement.get("Resource"))]
            ids += [f"{rule}[Resource::{r}]" for r in rendered if "*" in r]
    return list(dict.fromkeys(ids)) or [rule]


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statements(value: Any) -> list[dict[str, Any]]:
    """Every IAM statement in a resource's properties (a policy's document, a role's inline policies)."""
    if isinstance(value, dict):
        found = [s for s in _listed(value.get("Statement")) if isinstance(s, dict)] if "Statement" in value else []
        return found + [s for key, item in value.items() if key != "Statement" for s in _statements(item)]
    if isinstance(value, list):
        return [s for item in value for s in _statements(item)]
    return []


def _nag_text(value: Any) -> str:
    """A resource as cdk-nag writes it in a granular IAM5 id: ``Ref`` as ``<Id>``, ``GetAtt`` as ``<Id.Attr>``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), *_ = value.items()
        if function == "Ref":
            return f"<{argument}>"
        if function == "Fn::GetAtt":
            parts = argument if isinstance(argument, list) else str(argument).split(".", 1)
            return f"<{'.'.join(str(p) for p in parts)}>"
        if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            return str(argument[0]).join(_nag_text(part) for part in argument[1])
        if function == "Fn::Sub":
            text = argument[0] if isinstance(argument, list) else argument
            return _SUB_VARIABLE.sub(lambda match: f"<{match[1]}>", str(text))
    return str(value)
