"""The private example: no NAT gateways, VPC endpoints, an internal load balancer, a /20 VPC in eu-central-1,
a Bottlerocket group beside the Amazon Linux one, and a GPU Spot group for a nightly job."""

from __future__ import annotations

import ipaddress
import json
import tomllib

import pytest

from ecs_toolkit import outputs
from tests.conftest import ROOT, Synthesized, synthesize

ISOLATED = "PrivateSubnet"
"""The isolated subnets keep the group name Private, so their logical ids (and exports) say so."""


@pytest.fixture(scope="module")
def private_env() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "private.yaml")


def _resources(env: Synthesized, stack_name: str, resource_type: str) -> list[dict[str, object]]:
    template = env.template_json(stack_name)
    resources: dict[str, dict[str, object]] = template["Resources"]  # type: ignore[assignment]
    return [r for r in resources.values() if r["Type"] == resource_type]


def _imported_subnets(value: object) -> list[str]:
    return [ref["Fn::ImportValue"] for ref in value]  # type: ignore[attr-defined,index]


def test_the_vpc_has_no_way_in_or_out_but_its_endpoints(private_env: Synthesized) -> None:
    for kind in ("AWS::EC2::NatGateway", "AWS::EC2::InternetGateway", "AWS::EC2::VPCGatewayAttachment", "AWS::EC2::Route"):
        assert not _resources(private_env, "intranet-network", kind), kind
    template = private_env.template_json("intranet-network")
    assert outputs.PUBLIC_SUBNET_IDS not in template["Outputs"]  # type: ignore[operator]


def test_subnets_of_the_20_are_sized_to_fit_it(private_env: Synthesized) -> None:
    subnets = [
        ipaddress.ip_network(r["Properties"]["CidrBlock"])  # type: ignore[index]
        for r in _resources(private_env, "intranet-network", "AWS::EC2::Subnet")
    ]
    assert sorted(s.prefixlen for s in subnets) == [22, 22]
    assert all(s.subnet_of(ipaddress.ip_network("10.40.0.0/20")) for s in subnets)  # type: ignore[arg-type]


def _service(name: object) -> str:
    """``com.amazonaws.eu-central-1.<service>``, or a Fn::Join ending in ``.<service>`` (the S3 gateway)."""
    if isinstance(name, dict):
        return str(name["Fn::Join"][1][-1]).lstrip(".")
    return str(name).removeprefix("com.amazonaws.eu-central-1.")


def test_every_listed_endpoint_exists_with_private_dns_and_s3_as_a_gateway(private_env: Synthesized) -> None:
    endpoints = {
        _service(e["Properties"]["ServiceName"]): e["Properties"]
        for e in _resources(private_env, "intranet-network", "AWS::EC2::VPCEndpoint")
    }  # type: ignore[index]
    assert set(endpoints) == {
        *("ecr.api", "ecr.dkr", "logs", "s3", "secretsmanager"),
        *("ssm", "ssmmessages", "ec2messages", "ecs", "ecs-agent", "ecs-telemetry"),
    }
    assert endpoints.pop("s3")["VpcEndpointType"] == "Gateway"
    assert all(p["VpcEndpointType"] == "Interface" and p["PrivateDnsEnabled"] is True for p in endpoints.values())


def test_load_balancer_instances_and_tasks_use_the_isolated_subnets(private_env: Synthesized) -> None:
    (load_balancer,) = _resources(private_env, "intranet-platform", "AWS::ElasticLoadBalancingV2::LoadBalancer")
    groups = _resources(private_env, "intranet-platform", "AWS::AutoScaling::AutoScalingGroup")
    services = [_resources(private_env, f"intranet-{name}", "AWS::ECS::Service")[0] for name in ("portal", "sync")]
    assert load_balancer["Properties"]["Scheme"] == "internal"  # type: ignore[index]
    awsvpc = [service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"] for service in services]  # type: ignore[index]
    assert [config["AssignPublicIp"] for config in awsvpc] == ["DISABLED", "DISABLED"]
    assert len(groups) == 3
    for subnets in (
        load_balancer["Properties"]["Subnets"],  # type: ignore[index]
        *(group["Properties"]["VPCZoneIdentifier"] for group in groups),  # type: ignore[index]
        *(config["Subnets"] for config in awsvpc),
    ):
        names = _imported_subnets(subnets)
        assert len(names) == 2 and all(ISOLATED in name for name in names), names


def test_publishes_the_isolated_subnets_for_run_task(private_env: Synthesized) -> None:
    template = private_env.template_json("intranet-network")
    value = json.dumps(template["Outputs"][outputs.PRIVATE_SUBNET_IDS]["Value"])  # type: ignore[index]
    assert value.count(ISOLATED) == 2


# --- the Bottlerocket group (rocket) and the worker placed on it (sync) ------------------------


def _launch_templates(env: Synthesized) -> dict[str, dict[str, object]]:
    """Each group's launch template data, by group name (the construct path Ec2Group-<name>)."""
    template = env.template_json("intranet-platform")
    resources: dict[str, dict[str, object]] = template["Resources"]  # type: ignore[assignment]
    return {
        name: resource["Properties"]["LaunchTemplateData"]  # type: ignore[index]
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::EC2::LaunchTemplate"
        for name in ("general", "rocket", "gpu")
        if logical_id.startswith(f"Ec2Group{name}LaunchTemplate")
    }


def test_the_bottlerocket_group_boots_on_one_toml_document_naming_the_cluster(private_env: Synthesized) -> None:
    template = private_env.template_json("intranet-platform")
    resources: dict[str, dict[str, object]] = template["Resources"]  # type: ignore[assignment]
    (cluster,) = [logical_id for logical_id, r in resources.items() if r["Type"] == "AWS::ECS::Cluster"]
    data = _launch_templates(private_env)["rocket"]
    parts = data["UserData"]["Fn::Base64"]["Fn::Join"][1]  # type: ignore[index]
    assert [part for part in parts if isinstance(part, dict)] == [{"Ref": cluster}]

    text = "".join("CLUSTER" if isinstance(part, dict) else part for part in parts)

    assert tomllib.loads(text) == {
        "settings": {
            "ecs": {
                "cluster": "CLUSTER",
                "awsvpc-block-imds": True,
                "enable-spot-instance-draining": True,
                "image-pull-behavior": "once",
            }
        }
    }


def test_each_group_takes_its_image_from_its_own_public_ssm_parameter(private_env: Synthesized) -> None:
    template = private_env.template_json("intranet-platform")
    parameters: dict[str, dict[str, str]] = template["Parameters"]  # type: ignore[assignment]
    images = {name: parameters[data["ImageId"]["Ref"]] for name, data in _launch_templates(private_env).items()}  # type: ignore[index]
    ssm_image = "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"

    assert images == {
        "rocket": {"Type": ssm_image, "Default": "/aws/service/bottlerocket/aws-ecs-2/arm64/latest/image_id"},
        "general": {"Type": ssm_image, "Default": "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"},
        "gpu": {"Type": ssm_image, "Default": "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"},
    }
    assert "ECS_DYNAMIC_HOST_PORT_RANGE=61000-61999" in json.dumps(_launch_templates(private_env)["general"]["UserData"])


def test_the_worker_runs_awsvpc_on_the_bottlerocket_group_whose_instances_admit_nothing(private_env: Synthesized) -> None:
    (service,) = _resources(private_env, "intranet-sync", "AWS::ECS::Service")
    (task,) = _resources(private_env, "intranet-sync", "AWS::ECS::TaskDefinition")
    (strategy,) = service["Properties"]["CapacityProviderStrategy"]  # type: ignore[index]
    assert "Ec2GrouprocketCapacityProvider" in strategy["CapacityProvider"]["Fn::ImportValue"]
    assert (task["Properties"]["NetworkMode"], task["Properties"]["RequiresCompatibilities"]) == ("awsvpc", ["EC2"])  # type: ignore[index]

    to_rocket = [
        rule
        for stack in ("intranet-platform", "intranet-directory", "intranet-portal", "intranet-sync")
        for rule in _resources(private_env, stack, "AWS::EC2::SecurityGroupIngress")
        if "Ec2GrouprocketSecurityGroup" in json.dumps(rule["Properties"]["GroupId"])  # type: ignore[index]
    ]
    (group,) = [
        r["Properties"]
        for logical_id, r in private_env.template_json("intranet-platform")["Resources"].items()  # type: ignore[attr-defined]
        if logical_id.startswith("Ec2GrouprocketSecurityGroup")
    ]
    assert to_rocket == [] and "SecurityGroupIngress" not in group


# --- the GPU group (gpu) and the nightly job placed on it (transcribe) ---------------------------


def test_the_gpu_group_boots_the_gpu_ami_with_gpu_support_and_stays_empty_between_runs(private_env: Synthesized) -> None:
    data = _launch_templates(private_env)["gpu"]
    parameters: dict[str, dict[str, str]] = private_env.template_json("intranet-platform")["Parameters"]  # type: ignore[assignment]
    assert parameters[data["ImageId"]["Ref"]]["Default"] == (  # type: ignore[index]
        "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"
    )
    assert "ECS_ENABLE_GPU_SUPPORT=true" in json.dumps(data["UserData"])
    assert "ECS_ENABLE_GPU_SUPPORT" not in json.dumps(_launch_templates(private_env)["general"]["UserData"])
    (group,) = [
        r["Properties"]
        for logical_id, r in private_env.template_json("intranet-platform")["Resources"].items()  # type: ignore[attr-defined]
        if r["Type"] == "AWS::AutoScaling::AutoScalingGroup" and logical_id.startswith("Ec2Groupgpu")
    ]
    overrides = group["MixedInstancesPolicy"]["LaunchTemplate"]["Overrides"]
    assert (group["MinSize"], group["MaxSize"]) == ("0", "1")
    assert [o["InstanceType"] for o in overrides] == ["g6.xlarge", "g5.xlarge"]
    assert group["MixedInstancesPolicy"]["InstancesDistribution"]["OnDemandPercentageAboveBaseCapacity"] == 0


def test_the_nightly_job_reserves_one_gpu_and_a_large_dev_shm_on_the_gpu_group_only(private_env: Synthesized) -> None:
    (task,) = _resources(private_env, "intranet-transcribe", "AWS::ECS::TaskDefinition")
    (container,) = task["Properties"]["ContainerDefinitions"]  # type: ignore[index]
    assert container["ResourceRequirements"] == [{"Type": "GPU", "Value": "1"}]
    assert container["LinuxParameters"]["SharedMemorySize"] == 2048
    assert task["Properties"]["RequiresCompatibilities"] == ["EC2"]  # type: ignore[index]

    (machine,) = _resources(private_env, "intranet-transcribe", "AWS::StepFunctions::StateMachine")
    definition = machine["Properties"]["DefinitionString"]["Fn::Join"][1]  # type: ignore[index]
    imported = [part["Fn::ImportValue"] for part in definition if isinstance(part, dict) and "Fn::ImportValue" in part]
    providers = [name for name in imported if "CapacityProvider" in name]
    assert len(providers) == 1 and "Ec2GroupgpuCapacityProvider" in providers[0], providers
