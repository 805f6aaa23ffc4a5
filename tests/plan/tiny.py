"""Tiny hand-written templates and manifests with known answers: no synth, so the plan tests run in milliseconds."""

from __future__ import annotations

from typing import Any

from ecs_toolkit import outputs
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.plan.prices import FargateRate, InstanceType, Prices
from ecs_toolkit.plan.templates import TaskFacts

ENV = "tiny"
PLATFORM = outputs.platform_stack_name(ENV)
NETWORK = outputs.network_stack_name(ENV)


def prices(**overrides: Any) -> Prices:
    """Round numbers, so the expected costs can be worked out by hand."""
    values: dict[str, Any] = {
        "source": "test",
        "checked": "2026-01-01",
        "checked_how": "made up",
        "hours_per_month": 730,
        "fargate": {"x86_64": FargateRate(0.04, 0.004), "arm64": FargateRate(0.032, 0.0032)},
        "fargate_spot_discount": 0.7,
        "ec2_spot_discount": 0.5,
        "nat_gateway_hourly": 0.05,
        "interface_endpoint_az_hourly": 0.01,
        "alb_hourly": 0.02,
        "nlb_hourly": 0.03,
        "efs_standard_gb_month": 0.3,
        "efs_assumed_gb": 10,
        "ebs_gp3_gb_month": 0.1,
        "instance_types": {
            "small.large": InstanceType("small.large", vcpu=2, memory_gib=4, max_enis=3, on_demand_hourly=0.04),
            "big.large": InstanceType("big.large", vcpu=2, memory_gib=8, max_enis=3, on_demand_hourly=0.10),
        },
        "region_multipliers": {"us-east-1": 1.0, "eu-west-1": 1.1},
        "not_included": ("data transfer",),
        "notes": {},
    }
    values.update(overrides)
    return Prices(**values)


def manifest(services: dict[str, dict[str, Any]], groups: list[dict[str, Any]] | None = None) -> EnvironmentConfig:
    return EnvironmentConfig.model_validate(
        {
            "name": ENV,
            "cluster": {"capacity": {"ec2": groups or [], "fargate": True}},
            "services": {name: {"kind": "web", "image": "nginx", **spec} for name, spec in services.items()},
        }
    )


def container(name: str = "app", **props: Any) -> dict[str, Any]:
    return {"Name": name, "Essential": True, **props}


def task_definition(*containers: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": list(containers), **props}}


def target_group(**props: Any) -> dict[str, Any]:
    return {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": props}


def service_template(
    task: dict[str, Any],
    *,
    desired: int | None = 2,
    deployment: dict[str, Any] | None = None,
    target_groups: dict[str, dict[str, Any]] | None = None,
    strategy: list[dict[str, Any]] | None = None,
    extra: dict[str, dict[str, Any]] | None = None,
    **props: Any,
) -> dict[str, Any]:
    """A service stack: ``Service`` with task definition ``Task`` and target groups by logical id."""
    service: dict[str, Any] = {"TaskDefinition": {"Ref": "Task"}, **props}
    if desired is not None:
        service["DesiredCount"] = desired
    if deployment is not None:
        service["DeploymentConfiguration"] = deployment
    if strategy is not None:
        service["CapacityProviderStrategy"] = strategy
    if target_groups:
        service["LoadBalancers"] = [
            {"ContainerName": "app", "ContainerPort": 80, "TargetGroupArn": {"Ref": group}} for group in target_groups
        ]
    return {
        "Resources": {
            "Task": task,
            "Service": {"Type": "AWS::ECS::Service", "Properties": service},
            **(target_groups or {}),
            **(extra or {}),
        }
    }


def scalable_target(low: int, high: int, *scheduled: dict[str, int]) -> dict[str, Any]:
    return {
        "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
        "Properties": {
            "MinCapacity": low,
            "MaxCapacity": high,
            "ScalableDimension": "ecs:service:DesiredCount",
            "ResourceId": {"Fn::Join": ["", ["service/", "cluster", "/", {"Fn::GetAtt": ["Service", "Name"]}]]},
            "ScheduledActions": [{"ScalableTargetAction": limits, "Schedule": "cron(0 8 * * ? *)"} for limits in scheduled],
        },
    }


def imported(group: str) -> dict[str, str]:
    """A strategy's capacity provider as a service stack imports it from the platform."""
    return {"Fn::ImportValue": f"{PLATFORM}:ExportsOutputRef{group}Provider"}


def platform_template(
    groups: dict[str, dict[str, Any]], *, default_strategy: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """EC2 groups (launch template, ASG, capacity provider, published outputs and exports) by manifest name.

    Each group spec: ``types`` (first = launch template's), ``min``, ``max``, and optionally ``spot``
    (on-demand percentage 0), ``base``, ``target``, ``volume_gib``, ``ports`` (``(start, end)``).
    """
    resources: dict[str, Any] = {}
    template_outputs: dict[str, Any] = {}
    for name, spec in groups.items():
        user_data = "#!/bin/bash\n"
        if "ports" in spec:
            user_data += f"echo ECS_DYNAMIC_HOST_PORT_RANGE={spec['ports'][0]}-{spec['ports'][1]} >> /etc/ecs/ecs.config\n"
        resources[f"{name}Template"] = {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {
                "LaunchTemplateData": {
                    "InstanceType": spec["types"][0],
                    "UserData": {"Fn::Base64": {"Fn::Join": ["", [user_data]]}},
                    "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": spec.get("volume_gib", 30)}}],
                }
            },
        }
        asg: dict[str, Any] = {"MinSize": str(spec["min"]), "MaxSize": str(spec["max"])}
        template_ref = {"LaunchTemplateId": {"Ref": f"{name}Template"}, "Version": "1"}
        if len(spec["types"]) > 1 or spec.get("spot"):
            asg["MixedInstancesPolicy"] = {
                "InstancesDistribution": {
                    "OnDemandBaseCapacity": spec.get("base", 0),
                    "OnDemandPercentageAboveBaseCapacity": 0 if spec.get("spot") else 100,
                },
                "LaunchTemplate": {
                    "LaunchTemplateSpecification": template_ref,
                    "Overrides": [{"InstanceType": t} for t in spec["types"]],
                },
            }
        else:
            asg["LaunchTemplate"] = template_ref
        resources[f"{name}Asg"] = {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": asg}
        resources[f"{name}Provider"] = {
            "Type": "AWS::ECS::CapacityProvider",
            "Properties": {
                "AutoScalingGroupProvider": {
                    "AutoScalingGroupArn": {"Ref": f"{name}Asg"},
                    "ManagedScaling": {"TargetCapacity": spec.get("target", 100)},
                }
            },
        }
        template_outputs[outputs.ec2_group_provider_key(name)] = {"Value": {"Ref": f"{name}Provider"}}
        template_outputs[f"Export{name}"] = {
            "Value": {"Ref": f"{name}Provider"},
            "Export": {"Name": f"{PLATFORM}:ExportsOutputRef{name}Provider"},
        }
    resources["Cluster"] = {
        "Type": "AWS::ECS::ClusterCapacityProviderAssociations",
        "Properties": {"DefaultCapacityProviderStrategy": default_strategy or [{"CapacityProvider": "FARGATE", "Weight": 1}]},
    }
    return {"Resources": resources, "Outputs": template_outputs}


def network_template(nat_gateways: int = 1, interface_endpoints: int = 0, zones: int = 2) -> dict[str, Any]:
    """NAT gateways, interface endpoints over ``zones`` subnets each, and one (free) S3 gateway endpoint."""
    resources: dict[str, Any] = {f"Nat{i}": {"Type": "AWS::EC2::NatGateway", "Properties": {}} for i in range(nat_gateways)}
    subnets = [{"Ref": f"Subnet{z}"} for z in range(zones)]
    for i in range(interface_endpoints):
        resources[f"Endpoint{i}"] = {
            "Type": "AWS::EC2::VPCEndpoint",
            "Properties": {"VpcEndpointType": "Interface", "SubnetIds": subnets},
        }
    resources["S3"] = {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Gateway", "RouteTableIds": []}}
    return {"Resources": resources}


def resources(count: int, kind: str = "AWS::SNS::Topic") -> dict[str, Any]:
    return {f"Filler{i}": {"Type": kind, "Properties": {}} for i in range(count)}


def task(
    cpu: int = 0, memory: int = 256, mode: str = "bridge", static: tuple[int, ...] = (), dynamic: int = 1, gpus: int = 0
) -> TaskFacts:
    return TaskFacts(
        cpu_units=cpu,
        memory_mib=memory,
        network_mode=mode,
        architecture="x86_64",
        stop_timeout_seconds=30,
        static_host_ports=static,
        dynamic_host_ports=dynamic if mode == "bridge" and not static else 0,
        container_check=None,
        gpus=gpus,
    )
