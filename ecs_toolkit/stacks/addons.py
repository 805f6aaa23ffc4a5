"""A service's or job's addons: CloudFormation templates included in its stack, and what their outputs become.

Each template is included with ``CfnInclude`` (read from the local file at synth, so synth stays hermetic),
keeping its logical ids, conditions, mappings and metadata, with ``App``, ``Env`` and ``Name`` supplied
when it declares them. Its outputs stay outputs of the service's stack and, by kind: a managed policy
goes on the task role, a security group on the tasks, a Secrets Manager secret becomes a container secret,
anything else a plain environment variable of the main container.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
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
from ecs_toolkit.config.rules.addons import addon_entries

CHECKOV_PREFIX = "CKV"


@dataclass
class IncludedAddons:
    """The addons of one service, and what their outputs give the task."""

    includes: list[cfn_inc.CfnInclude] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, ecs.Secret] = field(default_factory=dict)
    managed_policies: list[iam.IManagedPolicy] = field(default_factory=list)
    security_groups: list[ec2.ISecurityGroup] = field(default_factory=list)

    def attach(self, task_definition: ecs.TaskDefinition, service: ecs.BaseService | None = None) -> None:
        """Managed policies on the task role; security groups on the service's tasks (awsvpc)."""
        for policy in self.managed_policies:
            task_definition.task_role.add_managed_policy(policy)
        if service is not None:
            for group in self.security_groups:
                service.connections.add_security_group(group)


def supplied_parameters(config: EnvironmentConfig, name: str) -> dict[str, str]:
    """``App`` and ``Env`` are the environment's name (the toolkit has no application above environments), ``Name``
    the service's."""
    return {"App": config.name, "Env": config.name, "Name": name}


def include_addons(scope: cdk.Stack, config: EnvironmentConfig, name: str) -> IncludedAddons:
    """Include every addon of ``name`` in ``scope`` (its stack); the manifest's rules have checked them."""
    included = IncludedAddons()
    supplied = supplied_parameters(config, name)
    for index, entry in enumerate(addon_entries(config.services[name])):
        template = read_template(Path(entry.template))
        parameters: dict[str, Any] = {
            key: value for key, value in supplied.items() if key in template.parameters and key in SUPPLIED_PARAMETERS
        }
        parameters.update({key: _parameter_value(value) for key, value in entry.parameters.items()})
        include = cfn_inc.CfnInclude(scope, f"Addon{index}", template_file=str(template.path), parameters=parameters)
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
        into.environment[output.variable] = value if output.condition is None else cdk.Fn.condition_if(output.condition, value, "").to_string()
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
            [include.get_resource(logical_id) for logical_id in acknowledgement.resources] if acknowledgement.resources else [include]
        )
        for target in targets:
            acknowledge(target, acknowledgement.rule, acknowledgement.reason)
