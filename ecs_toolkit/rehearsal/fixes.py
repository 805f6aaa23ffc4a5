"""Work-arounds for emulator bugs that stop correct templates from deploying.

Each fix patches one moto CloudFormation model in this process (the one that runs the emulator);
the templates themselves are deployed unchanged. Each names the moto behaviour it works around,
so it can be dropped when moto is upgraded, and the report lists the fixes a deploy relied on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from moto.cloudformation.models import ChangeSet, Stack
from moto.ecs.models import TaskDefinition, ecs_backends
from moto.elbv2.models import ELBv2Backend, FakeLoadBalancer, FakeTargetGroup, elbv2_backends
from moto.iam.models import Role, iam_backends
from moto.kms.models import Key
from moto.utilities.utils import get_partition

from ecs_toolkit.rehearsal.spelling import api_spelling

STACK = "AWS::CloudFormation::Stack"


@dataclass(frozen=True)
class Fix:
    resource_type: str
    """The type whose model is patched; ``STACK`` for CloudFormation itself (every deploy relies on it)."""
    reason: str
    install: Callable[[], None]
    needed: Callable[[Mapping[str, Any]], bool] | None = None
    """For a ``STACK`` fix that only some templates rely on: whether a template does."""


def _deleted_stacks_stay_deleted() -> None:
    original_delete = Stack.delete
    outputs: property = vars(Stack)["outputs"]
    resources: property = vars(Stack)["stack_resources"]

    def delete(self: Stack) -> None:
        try:
            original_delete(self)
        finally:
            self.rehearsal_deleted = True  # type: ignore[attr-defined]

    def deleted(stack: Stack) -> bool:
        return bool(getattr(stack, "rehearsal_deleted", False))

    def outputs_while_alive(self: Stack) -> Any:
        return None if deleted(self) else outputs.__get__(self, Stack)

    def resources_while_alive(self: Stack) -> Any:
        return [] if deleted(self) else resources.__get__(self, Stack)

    Stack.delete = delete  # type: ignore[method-assign]
    setattr(Stack, "outputs", property(outputs_while_alive))  # noqa: B010 (replacing a property)
    setattr(Stack, "stack_resources", property(resources_while_alive))  # noqa: B010


def _listed_get_att(value: Any) -> Any:
    """``value`` with every ``{"Fn::GetAtt": "Resource.Attribute"}`` written as ``["Resource", "Attribute"]``."""
    if isinstance(value, list):
        return [_listed_get_att(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1 and isinstance(value.get("Fn::GetAtt"), str) and "." in value["Fn::GetAtt"]:
        return {"Fn::GetAtt": value["Fn::GetAtt"].split(".", 1)}
    return {key: _listed_get_att(item) for key, item in value.items()}


def has_dotted_get_att(template: Any) -> bool:
    """Whether a template writes ``Fn::GetAtt`` as one dotted string (as CloudFormation's YAML short form does)."""
    return bool(_listed_get_att(template) != template)


def _dotted_get_att() -> None:
    """CloudFormation reads ``Fn::GetAtt`` as ``[resource, attribute]`` or ``"resource.attribute"``; moto indexes
    the value as a list, so the string form names a resource of one letter."""
    original_parse = Stack.parse_template
    original_change_set = ChangeSet._parse_template

    def parse(template: str) -> dict[str, Any]:
        parsed: dict[str, Any] = _listed_get_att(original_parse(template))
        return parsed

    def parse_change_set(self: ChangeSet) -> None:
        original_change_set(self)
        self.template_dict = _listed_get_att(self.template_dict)

    Stack.parse_template = staticmethod(parse)  # type: ignore[method-assign]
    ChangeSet._parse_template = parse_change_set  # type: ignore[method-assign]


def _kms_key_properties() -> None:
    original = Key.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(
        cls: type[Key], /, name: str, cloudformation_json: dict[str, Any], account_id: str, region: str, **kwargs: Any
    ) -> Any:
        properties = dict(cloudformation_json.get("Properties", {}))
        properties["Tags"] = [{"TagKey": tag["Key"], "TagValue": tag["Value"]} for tag in properties.get("Tags", [])]
        if not isinstance(properties.get("KeyPolicy"), str):
            properties["KeyPolicy"] = json.dumps(properties.get("KeyPolicy"))
        return original(cls, name, {**cloudformation_json, "Properties": properties}, account_id, region, **kwargs)

    Key.create_from_cloudformation_json = classmethod(create)  # type: ignore[assignment]


def _target_group_attributes() -> None:
    def get_cfn_attribute(self: FakeTargetGroup, attribute_name: str) -> Any:
        values = {
            "TargetGroupArn": self.arn,
            "TargetGroupName": self.name,
            "TargetGroupFullName": self.arn.split(":")[-1],  # targetgroup/<name>/<id>
            "LoadBalancerArns": list(self.load_balancer_arns),
        }
        if attribute_name not in values:
            raise NotImplementedError(f'"Fn::GetAtt" : [ "{{0}}" , "{attribute_name}" ]"')
        return values[attribute_name]

    FakeTargetGroup.get_cfn_attribute = get_cfn_attribute  # type: ignore[attr-defined]


def _load_balancer_type_and_attributes() -> None:
    def create(
        cls: type[FakeLoadBalancer], /, name: str, cloudformation_json: dict[str, Any], account_id: str, region: str, **_: Any
    ) -> Any:
        properties = cloudformation_json["Properties"]
        return elbv2_backends[account_id][region].create_load_balancer(
            name,
            properties.get("SecurityGroups", []),
            properties.get("Subnets", []),
            subnet_mappings=properties.get("SubnetMappings"),
            scheme=properties.get("Scheme", "internet-facing"),
            loadbalancer_type=properties.get("Type", "application"),
            ip_address_type=properties.get("IpAddressType", "ipv4"),
        )

    FakeLoadBalancer.create_from_cloudformation_json = classmethod(create)  # type: ignore[assignment]
    original = FakeLoadBalancer.get_cfn_attribute

    def get_cfn_attribute(self: FakeLoadBalancer, attribute_name: str) -> Any:
        if attribute_name == "LoadBalancerFullName":
            return self.arn.split(":loadbalancer/", 1)[-1]  # app/<name>/<id>
        if attribute_name == "SecurityGroups":
            return list(self.security_groups)
        return original(self, attribute_name)

    FakeLoadBalancer.get_cfn_attribute = get_cfn_attribute  # type: ignore[method-assign]


def _weighted_listener_actions() -> None:
    """A listener's default forward action with ``ForwardConfig`` (weighted target groups) instead of one
    ``TargetGroupArn``: moto's CloudFormation conversion reads only the latter, as its API does not."""
    original = ELBv2Backend.convert_and_validate_properties

    def convert(self: ELBv2Backend, properties: dict[str, Any]) -> list[dict[str, Any]]:
        weighted = [
            action
            for action in properties.get("DefaultActions", [])
            if action.get("Type") == "forward" and "TargetGroupArn" not in action and "ForwardConfig" in action
        ]
        if not weighted:
            return original(self, properties)
        plain = {**properties, "DefaultActions": [a for a in properties["DefaultActions"] if a not in weighted]}
        return [*(original(self, plain) if plain["DefaultActions"] else []), *weighted]

    ELBv2Backend.convert_and_validate_properties = convert  # type: ignore[method-assign]


def register_task_definition(properties: Mapping[str, Any], name: str, account_id: str, region: str) -> TaskDefinition:
    """Register a task definition from its (resolved) CloudFormation properties, every one in the ECS API's spelling."""
    spelled = api_spelling(dict(properties))
    return ecs_backends[account_id][region].register_task_definition(
        family=spelled.get("family") or name,
        container_definitions=spelled.get("containerDefinitions", []),
        volumes=spelled.get("volumes", []),
        network_mode=spelled.get("networkMode"),
        tags=spelled.get("tags", []),
        placement_constraints=spelled.get("placementConstraints"),
        requires_compatibilities=spelled.get("requiresCompatibilities"),
        cpu=spelled.get("cpu"),
        memory=spelled.get("memory"),
        task_role_arn=spelled.get("taskRoleArn"),
        execution_role_arn=spelled.get("executionRoleArn"),
        proxy_configuration=spelled.get("proxyConfiguration"),
        inference_accelerators=spelled.get("inferenceAccelerators"),
        runtime_platform=spelled.get("runtimePlatform"),
        ipc_mode=spelled.get("ipcMode"),
        pid_mode=spelled.get("pidMode"),
        ephemeral_storage=spelled.get("ephemeralStorage"),
    )


def _task_definition_properties() -> None:
    def create(
        cls: type[TaskDefinition], /, name: str, cloudformation_json: dict[str, Any], account_id: str, region: str, **_: Any
    ) -> Any:
        return register_task_definition(cloudformation_json["Properties"], name, account_id, region)

    TaskDefinition.create_from_cloudformation_json = classmethod(create)  # type: ignore[assignment]


def _role_managed_policies() -> None:
    """Attach a role's ``ManagedPolicyArns`` after moto creates it, and detach them before it deletes it."""
    original_create = Role.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
    original_delete = Role.delete_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(
        cls: type[Role], /, name: str, cloudformation_json: dict[str, Any], account_id: str, region: str, **kwargs: Any
    ) -> Any:
        role = original(cls, name, cloudformation_json, account_id, region, **kwargs)
        backend = iam_backends[account_id][get_partition(region)]
        for arn in cloudformation_json.get("Properties", {}).get("ManagedPolicyArns", []):
            backend.attach_role_policy(arn, role.name)
        return role

    def delete(cls: type[Role], /, name: str, cloudformation_json: dict[str, Any], account_id: str, region: str) -> None:
        backend = iam_backends[account_id][get_partition(region)]
        for role in list(backend.roles.values()):
            if role.name == name:
                for arn in list(role.managed_policies):
                    backend.detach_role_policy(arn, name)
        original_delete(cls, name, cloudformation_json, account_id, region)

    original = original_create
    Role.create_from_cloudformation_json = classmethod(create)  # type: ignore[assignment]
    Role.delete_from_cloudformation_json = classmethod(delete)  # type: ignore[assignment]


FIXES = (
    Fix(
        STACK,
        "moto resolves a deleted stack's outputs and resources lazily, so describing it after a delete "
        "creates its resources again, outside any stack (the VPC then cannot be deleted)",
        _deleted_stacks_stay_deleted,
    ),
    Fix(
        STACK,
        "moto reads Fn::GetAtt only as a list, so the dotted string form that an included template keeps "
        "(!GetAtt Table.Arn in an addon) fails the stack",
        _dotted_get_att,
        needed=has_dotted_get_att,
    ),
    Fix(
        "AWS::KMS::Key",
        "moto passes CloudFormation's Key/Value tags to KMS, which wants TagKey/TagValue (the stack fails)",
        _kms_key_properties,
    ),
    Fix(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        "moto's target group answers no Fn::GetAtt (TargetGroupFullName for request-count scaling fails the stack)",
        _target_group_attributes,
    ),
    Fix(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "moto creates every load balancer as an ALB (a network load balancer's TCP listener fails the stack) "
        "and answers no Fn::GetAtt LoadBalancerFullName or SecurityGroups",
        _load_balancer_type_and_attributes,
    ),
    Fix(
        "AWS::ElasticLoadBalancingV2::Listener",
        "moto's CloudFormation reads a listener's forward action only as one TargetGroupArn, so a weighted "
        "ForwardConfig (an NLB listener of a blue-green, canary or linear service) fails the stack",
        _weighted_listener_actions,
    ),
    Fix(
        "AWS::ECS::TaskDefinition",
        "moto's CloudFormation keeps only a task definition's family, containers, volumes and memory (network mode, "
        "compatibilities, cpu, roles, runtime platform, ephemeral storage, pid and ipc modes, placement constraints "
        "and tags are dropped) and lower-cases the keys of log options, Docker labels and driver options, so none "
        "of them could be checked",
        _task_definition_properties,
    ),
    Fix(
        "AWS::IAM::Role",
        "moto's CloudFormation ignores a role's ManagedPolicyArns (CDK's Lambda roles get AWSLambdaBasicExecutionRole), "
        "so the attachment could not be checked",
        _role_managed_policies,
    ),
)
_INSTALLED: set[str] = set()


def install() -> None:
    """Apply every fix once per process."""
    for fix in FIXES:
        if fix.install.__name__ not in _INSTALLED:
            fix.install()
            _INSTALLED.add(fix.install.__name__)


def relevant(templates: Iterable[tuple[Iterable[str], Mapping[str, Any]]]) -> list[Fix]:
    """The fixes that these templates (each as its resource types and its body) rely on."""
    present = {STACK}
    bodies: list[Mapping[str, Any]] = []
    for resource_types, body in templates:
        present.update(resource_types)
        bodies.append(body)
    return [
        fix for fix in FIXES if fix.resource_type in present and (fix.needed is None or any(fix.needed(body) for body in bodies))
    ]
