"""One check per resource type: does the deployed resource exist with the template's key properties?

A check asks the service's own API (never CloudFormation) for the physical resource and compares
the properties that the emulator keeps; it raises ``Missing`` when the resource is not there and
returns the mismatches otherwise. Properties the emulator drops on the floor (a task definition's
fault injection, a service's load balancers, ALB attributes, ...) are not compared: ``NOT_KEPT`` names
them in the report, and docs/tools/rehearsal.md lists them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from ecs_toolkit.rehearsal.assembly import Resource
from ecs_toolkit.rehearsal.spelling import api_spelling
from ecs_toolkit.rehearsal.values import UNRESOLVED, StackValues

EMULATOR_ERRORS = (ClientError, BotoCoreError, ResponseParserError)
"""What a call to the emulator may raise; a crash inside moto arrives as an unparsable HTTP 500."""


class Missing(Exception):
    """The resource does not exist in the emulator."""


@dataclass
class Context:
    """What a check may use: service clients on the emulator and the stack's resolved values."""

    client: Callable[[str], Any]
    values: StackValues
    problems: list[str] = field(default_factory=list)

    def expect(self, label: str, actual: Any, template_value: Any) -> None:
        """Record a mismatch unless the template value is absent or cannot be resolved."""
        expected = self.values.resolve(template_value)
        if expected is None or expected is UNRESOLVED:
            return
        if not same(actual, expected):
            self.problems.append(f"{label} is {actual!r}, the template says {expected!r}")

    def expect_each(self, label: str, actual: Any, template_value: Any, *, unordered: bool = False) -> None:
        """Like ``expect``, one problem per differing setting inside the value, each named by its path under ``label``.

        Only the settings the template gives are compared (the API adds defaults); a list must have the
        template's length, and its items are named by their name (a variable, a container, a volume) where they have one.
        """
        expected = self.values.resolve(template_value)
        if expected is None or expected is UNRESOLVED:
            return
        if unordered and isinstance(expected, list) and isinstance(actual, list):
            actual, expected = sorted(actual, key=repr), sorted(expected, key=repr)
        for where, got, wanted in differences(actual, expected, label):
            self.problems.append(f"{where} is {got!r}, the template says {wanted!r}")

    def expect_set(self, label: str, actual: Iterable[Any], template_values: Any) -> None:
        """Like ``expect`` for lists whose order does not matter."""
        expected = self.values.resolve(template_values)
        if not isinstance(expected, list) or any(item is UNRESOLVED for item in expected):
            return
        if sorted(str(item) for item in actual) != sorted(str(item) for item in expected):
            self.problems.append(f"{label} are {sorted(map(str, actual))}, the template says {sorted(map(str, expected))}")


SERVICES = ("autoscaling", "ec2", "ecs", "efs", "elbv2", "iam", "kms", "lambda", "logs", "s3", "sns", "sqs", "stepfunctions")
"""The APIs the checks read (their clients are created while the app synthesizes)."""

Check = Callable[[Context, Resource, str], None]
CHECKS: dict[str, Check] = {}
INVISIBLE = {
    "AWS::EC2::SubnetRouteTableAssociation": "created, but moto keeps it out of DescribeRouteTables",
}
"""Types the emulator creates but does not show through its service's API: nothing to check against."""
NOT_KEPT = {
    "AWS::ECS::Service": (
        "DeploymentConfiguration (strategy, bake time, canary and linear steps, lifecycle hooks, alarms) and "
        "LoadBalancers (target groups, AdvancedConfiguration): moto keeps neither, and implements no "
        "ListServiceDeployments; the template tests and verify prove them instead"
    ),
    "AWS::ECS::TaskDefinition": (
        "EnableFaultInjection (moto's task definitions have no such setting) and an EFS volume's access point "
        "(moto gives access points no physical id, so a Ref to one resolves to nothing comparable): neither is "
        "compared; every other setting of the task, its containers and its volumes is"
    ),
}
"""Properties of modelled types that the emulator drops: the report names them instead of checking them."""
TASK_DEFINITION_NOT_KEPT = frozenset({"enableFaultInjection"})
"""Task definition settings (ECS API spelling) that moto's RegisterTaskDefinition does not take: not compared."""


def check(resource_type: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[resource_type] = function
        return function

    return register


def same(actual: Any, expected: Any) -> bool:
    """Equal as CloudFormation means it: numbers and booleans may be written as strings; dicts by their expected keys."""
    if expected is UNRESOLVED:
        return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(same(actual.get(key), value) for key, value in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(same, actual, expected))
    return str(actual).lower() == str(expected).lower()


def differences(actual: Any, expected: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """``(path, actual, expected)`` for each setting of ``expected`` that ``actual`` does not match (as ``same`` means it)."""
    if expected is None or expected is UNRESOLVED:
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            yield path, actual, expected
            return
        for key, value in expected.items():
            yield from differences(actual.get(key), value, f"{path}.{key}")
    elif isinstance(expected, list):
        scalars = not any(isinstance(item, dict | list) for item in expected)
        if not isinstance(actual, list) or len(actual) != len(expected) or (scalars and not same(actual, expected)):
            yield path, actual, expected
            return
        for index, (got, wanted) in enumerate(zip(actual, expected, strict=True)):
            yield from differences(got, wanted, f"{path}[{_item_name(wanted, index)}]")
    elif not same(actual, expected):
        yield path, actual, expected


def _item_name(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in ("name", "containerName", "sourceVolume", "sourceContainer", "containerPath", "type"):
            if isinstance(item.get(key), str):
                return str(item[key])
    return str(index)


def only(items: list[Any], what: str, physical_id: str) -> Any:
    if not items:
        raise Missing(f"no {what} {physical_id}")
    return items[0]


def call(function: Callable[..., Any], **arguments: Any) -> Any:
    """A describe call; the emulator's not-found errors become ``Missing``."""
    try:
        return function(**arguments)
    except ClientError as error:
        raise Missing(error.response.get("Error", {}).get("Message") or str(error)) from None


# --- network ---------------------------------------------------------------------------------


@check("AWS::EC2::VPC")
def _vpc(context: Context, resource: Resource, physical_id: str) -> None:
    vpc = only(call(context.client("ec2").describe_vpcs, VpcIds=[physical_id])["Vpcs"], "VPC", physical_id)
    context.expect("CIDR block", vpc["CidrBlock"], resource.properties.get("CidrBlock"))


@check("AWS::EC2::Subnet")
def _subnet(context: Context, resource: Resource, physical_id: str) -> None:
    subnet = only(call(context.client("ec2").describe_subnets, SubnetIds=[physical_id])["Subnets"], "subnet", physical_id)
    context.expect("VPC", subnet["VpcId"], resource.properties.get("VpcId"))
    context.expect("CIDR block", subnet["CidrBlock"], resource.properties.get("CidrBlock"))


@check("AWS::EC2::RouteTable")
def _route_table(context: Context, resource: Resource, physical_id: str) -> None:
    table = _route_table_by_id(context, physical_id)
    context.expect("VPC", table["VpcId"], resource.properties.get("VpcId"))


@check("AWS::EC2::Route")
def _route(context: Context, resource: Resource, physical_id: str) -> None:
    properties = resource.properties
    table = _route_table_by_id(context, context.values.resolve(properties.get("RouteTableId")))
    destination = context.values.resolve(properties.get("DestinationCidrBlock"))
    routes = [route for route in table["Routes"] if route.get("DestinationCidrBlock") == destination]
    route = only(routes, f"route to {destination} in", table["RouteTableId"])
    context.expect("gateway", route.get("GatewayId"), properties.get("GatewayId"))
    context.expect("NAT gateway", route.get("NatGatewayId"), properties.get("NatGatewayId"))


def _route_table_by_id(context: Context, route_table_id: Any) -> Any:
    if not isinstance(route_table_id, str):
        raise Missing(f"route table {route_table_id!r} cannot be resolved")
    tables = call(context.client("ec2").describe_route_tables, RouteTableIds=[route_table_id])["RouteTables"]
    return only(tables, "route table", route_table_id)


@check("AWS::EC2::InternetGateway")
def _internet_gateway(context: Context, resource: Resource, physical_id: str) -> None:
    gateways = call(context.client("ec2").describe_internet_gateways, InternetGatewayIds=[physical_id])["InternetGateways"]
    only(gateways, "internet gateway", physical_id)


@check("AWS::EC2::VPCGatewayAttachment")
def _gateway_attachment(context: Context, resource: Resource, physical_id: str) -> None:
    gateway_id = context.values.resolve(resource.properties.get("InternetGatewayId"))
    vpc_id = context.values.resolve(resource.properties.get("VpcId"))
    gateway = only(
        call(context.client("ec2").describe_internet_gateways, InternetGatewayIds=[gateway_id])["InternetGateways"],
        "internet gateway",
        str(gateway_id),
    )
    only([item for item in gateway["Attachments"] if item["VpcId"] == vpc_id], f"attachment to {vpc_id} of", str(gateway_id))


@check("AWS::EC2::EIP")
def _elastic_ip(context: Context, resource: Resource, physical_id: str) -> None:
    only(call(context.client("ec2").describe_addresses, PublicIps=[physical_id])["Addresses"], "elastic IP", physical_id)


@check("AWS::EC2::NatGateway")
def _nat_gateway(context: Context, resource: Resource, physical_id: str) -> None:
    gateways = call(context.client("ec2").describe_nat_gateways, NatGatewayIds=[physical_id])["NatGateways"]
    gateway = only(gateways, "NAT gateway", physical_id)
    context.expect("subnet", gateway["SubnetId"], resource.properties.get("SubnetId"))


@check("AWS::EC2::FlowLog")
def _flow_log(context: Context, resource: Resource, physical_id: str) -> None:
    flow_log = only(call(context.client("ec2").describe_flow_logs, FlowLogIds=[physical_id])["FlowLogs"], "flow log", physical_id)
    context.expect("resource", flow_log["ResourceId"], resource.properties.get("ResourceId"))
    context.expect("traffic type", flow_log["TrafficType"], resource.properties.get("TrafficType"))


@check("AWS::EC2::VPCEndpoint")
def _vpc_endpoint(context: Context, resource: Resource, physical_id: str) -> None:
    endpoints = call(context.client("ec2").describe_vpc_endpoints, VpcEndpointIds=[physical_id])["VpcEndpoints"]
    endpoint = only(endpoints, "VPC endpoint", physical_id)
    properties = resource.properties
    context.expect("VPC", endpoint["VpcId"], properties.get("VpcId"))
    context.expect("service", endpoint["ServiceName"], properties.get("ServiceName"))
    context.expect("type", endpoint["VpcEndpointType"], properties.get("VpcEndpointType", "Gateway"))
    context.expect("private DNS", endpoint.get("PrivateDnsEnabled"), properties.get("PrivateDnsEnabled"))
    context.expect_set("subnets", endpoint.get("SubnetIds", []), properties.get("SubnetIds"))
    context.expect_set("security groups", [g["GroupId"] for g in endpoint.get("Groups", [])], properties.get("SecurityGroupIds"))
    context.expect_set("route tables", endpoint.get("RouteTableIds", []), properties.get("RouteTableIds"))


@check("AWS::EC2::SecurityGroup")
def _security_group(context: Context, resource: Resource, physical_id: str) -> None:
    groups = call(context.client("ec2").describe_security_groups, GroupIds=[physical_id])["SecurityGroups"]
    group = only(groups, "security group", physical_id)
    context.expect("VPC", group.get("VpcId"), resource.properties.get("VpcId"))
    context.expect("description", group["Description"], resource.properties.get("GroupDescription"))
    for rule in resource.properties.get("SecurityGroupIngress", []):
        _expect_permission(context, group, rule, f"inbound {_describe_rule(rule)}")


@check("AWS::EC2::SecurityGroupIngress")
def _security_group_ingress(context: Context, resource: Resource, physical_id: str) -> None:
    group_id = context.values.resolve(resource.properties.get("GroupId"))
    if not isinstance(group_id, str):
        raise Missing("its security group cannot be resolved")
    group = only(
        call(context.client("ec2").describe_security_groups, GroupIds=[group_id])["SecurityGroups"], "security group", group_id
    )
    _expect_permission(context, group, resource.properties, f"inbound {_describe_rule(resource.properties)}")


def _expect_permission(context: Context, group: Any, rule: Mapping[str, Any], label: str) -> None:
    protocol = str(context.values.resolve(rule.get("IpProtocol")))
    source_group = context.values.resolve(rule.get("SourceSecurityGroupId"))
    cidr = context.values.resolve(rule.get("CidrIp"))
    for permission in group["IpPermissions"]:
        if str(permission.get("IpProtocol")) != protocol:
            continue
        if protocol != "-1" and not same(permission.get("FromPort"), rule.get("FromPort")):
            continue
        if protocol != "-1" and not same(permission.get("ToPort"), rule.get("ToPort")):
            continue
        if UNRESOLVED in (cidr, source_group):
            return  # the source cannot be known here: the protocol and ports are what can be checked
        if cidr is not None and any(item.get("CidrIp") == cidr for item in permission.get("IpRanges", [])):
            return
        if source_group is not None and any(
            item.get("GroupId") == source_group for item in permission.get("UserIdGroupPairs", [])
        ):
            return
    context.problems.append(f"{label}: no such rule on {group['GroupId']}")


def _describe_rule(rule: Mapping[str, Any]) -> str:
    ports = (
        f"{rule.get('FromPort')}-{rule.get('ToPort')}"
        if rule.get("FromPort") != rule.get("ToPort")
        else f"{rule.get('FromPort')}"
    )
    return f"{rule.get('IpProtocol')} {ports}"


# --- compute and capacity --------------------------------------------------------------------


@check("AWS::EC2::LaunchTemplate")
def _launch_template(context: Context, resource: Resource, physical_id: str) -> None:
    versions = call(context.client("ec2").describe_launch_template_versions, LaunchTemplateId=physical_id, Versions=["$Latest"])[
        "LaunchTemplateVersions"
    ]
    data = only(versions, "launch template", physical_id)["LaunchTemplateData"]
    expected = resource.properties.get("LaunchTemplateData", {})
    context.expect("instance type", data.get("InstanceType"), expected.get("InstanceType"))
    context.expect("metadata options", data.get("MetadataOptions"), expected.get("MetadataOptions"))
    context.expect("block devices", data.get("BlockDeviceMappings"), expected.get("BlockDeviceMappings"))
    if expected.get("UserData") and not data.get("UserData"):
        context.problems.append("user data is missing")


@check("AWS::AutoScaling::AutoScalingGroup")
def _auto_scaling_group(context: Context, resource: Resource, physical_id: str) -> None:
    groups = call(context.client("autoscaling").describe_auto_scaling_groups, AutoScalingGroupNames=[physical_id])
    group = only(groups["AutoScalingGroups"], "Auto Scaling group", physical_id)
    properties = resource.properties
    context.expect("minimum size", group["MinSize"], properties.get("MinSize"))
    context.expect("maximum size", group["MaxSize"], properties.get("MaxSize"))
    context.expect_set(
        "subnets", [s for s in group.get("VPCZoneIdentifier", "").split(",") if s], properties.get("VPCZoneIdentifier")
    )
    mixed = properties.get("MixedInstancesPolicy")
    if mixed:
        actual = group.get("MixedInstancesPolicy", {}).get("LaunchTemplate", {})
        wanted = mixed.get("LaunchTemplate", {})
        context.expect(
            "launch template",
            actual.get("LaunchTemplateSpecification", {}).get("LaunchTemplateId"),
            wanted.get("LaunchTemplateSpecification", {}).get("LaunchTemplateId"),
        )
        context.expect_set(
            "instance types",
            [item.get("InstanceType") for item in actual.get("Overrides", [])],
            [item.get("InstanceType") for item in wanted.get("Overrides", [])],
        )
    elif properties.get("LaunchTemplate"):
        context.expect(
            "launch template",
            group.get("LaunchTemplate", {}).get("LaunchTemplateId"),
            properties["LaunchTemplate"].get("LaunchTemplateId"),
        )


@check("AWS::ECS::Cluster")
def _cluster(context: Context, resource: Resource, physical_id: str) -> None:
    clusters = call(context.client("ecs").describe_clusters, clusters=[physical_id])["clusters"]
    cluster = only([item for item in clusters if item.get("status") == "ACTIVE"], "active cluster", physical_id)
    context.expect("name", cluster["clusterName"], resource.properties.get("ClusterName"))


@check("AWS::ECS::TaskDefinition")
def _task_definition(context: Context, resource: Resource, physical_id: str) -> None:
    """Every setting the template gives, in the ECS API's spelling, against what DescribeTaskDefinition returns."""
    answer = call(context.client("ecs").describe_task_definition, taskDefinition=physical_id, include=["TAGS"])
    task = answer["taskDefinition"]
    if task.get("status") != "ACTIVE":
        raise Missing(f"task definition {physical_id} is {task.get('status')}")
    properties = api_spelling(resource.properties)
    for key, value in properties.items():
        if key in ("containerDefinitions", "volumes") or key in TASK_DEFINITION_NOT_KEPT:
            continue
        actual = answer.get("tags", []) if key == "tags" else task.get(key)
        context.expect_each(key, actual, value, unordered=key == "tags")
    containers = {container["name"]: container for container in task.get("containerDefinitions", [])}
    for wanted in properties.get("containerDefinitions", []):
        container = containers.get(wanted["name"])
        if container is None:
            context.problems.append(f"container {wanted['name']} is missing")
            continue
        for key, value in wanted.items():
            if key != "name":
                context.expect_each(f"container {wanted['name']} {key}", container.get(key), value)
    volumes = {volume["name"]: volume for volume in task.get("volumes", [])}
    for wanted in properties.get("volumes", []):
        volume = volumes.get(wanted["name"])
        if volume is None:
            context.problems.append(f"volume {wanted['name']} is missing")
            continue
        for key, value in wanted.items():
            if key != "name":
                context.expect_each(f"volume {wanted['name']} {key}", volume.get(key), value)


@check("AWS::ECS::Service")
def _service(context: Context, resource: Resource, physical_id: str) -> None:
    properties = resource.properties
    cluster = context.values.resolve(properties.get("Cluster"))
    if not isinstance(cluster, str):
        raise Missing("its cluster cannot be resolved")
    services = call(context.client("ecs").describe_services, cluster=cluster, services=[physical_id])["services"]
    service = only([item for item in services if item.get("status") == "ACTIVE"], "active service", physical_id)
    context.expect("task definition", service.get("taskDefinition"), properties.get("TaskDefinition"))
    context.expect("desired count", service.get("desiredCount"), properties.get("DesiredCount"))


# --- load balancing --------------------------------------------------------------------------


@check("AWS::ElasticLoadBalancingV2::LoadBalancer")
def _load_balancer(context: Context, resource: Resource, physical_id: str) -> None:
    balancers = call(context.client("elbv2").describe_load_balancers, LoadBalancerArns=[physical_id])["LoadBalancers"]
    balancer = only(balancers, "load balancer", physical_id)
    properties = resource.properties
    context.expect("scheme", balancer.get("Scheme"), properties.get("Scheme"))
    context.expect("type", balancer.get("Type"), properties.get("Type", "application"))
    context.expect_set("security groups", balancer.get("SecurityGroups", []), properties.get("SecurityGroups"))
    context.expect_set("subnets", [zone["SubnetId"] for zone in balancer.get("AvailabilityZones", [])], properties.get("Subnets"))


@check("AWS::ElasticLoadBalancingV2::Listener")
def _listener(context: Context, resource: Resource, physical_id: str) -> None:
    listener = only(
        call(context.client("elbv2").describe_listeners, ListenerArns=[physical_id])["Listeners"], "listener", physical_id
    )
    properties = resource.properties
    context.expect("load balancer", listener["LoadBalancerArn"], properties.get("LoadBalancerArn"))
    context.expect("port", listener["Port"], properties.get("Port"))
    context.expect("protocol", listener["Protocol"], properties.get("Protocol"))
    context.expect(
        "default actions",
        [_action(item) for item in listener["DefaultActions"]],
        [_action(item) for item in properties.get("DefaultActions", [])],
    )
    if properties.get("Certificates"):
        context.expect(
            "certificates",
            sorted(item.get("CertificateArn") for item in listener.get("Certificates", [])),
            sorted(item.get("CertificateArn") for item in properties["Certificates"]),
        )


@check("AWS::ElasticLoadBalancingV2::ListenerRule")
def _listener_rule(context: Context, resource: Resource, physical_id: str) -> None:
    rule = only(call(context.client("elbv2").describe_rules, RuleArns=[physical_id])["Rules"], "listener rule", physical_id)
    properties = resource.properties
    context.expect("priority", rule["Priority"], properties.get("Priority"))
    context.expect(
        "actions", [_action(item) for item in rule["Actions"]], [_action(item) for item in properties.get("Actions", [])]
    )
    context.expect(
        "conditions",
        [
            (item.get("Field"), sorted(item.get("Values") or item.get("PathPatternConfig", {}).get("Values", [])))
            for item in rule["Conditions"]
        ],
        [
            (item.get("Field"), sorted(item.get("Values") or item.get("PathPatternConfig", {}).get("Values", [])))
            for item in properties.get("Conditions", [])
        ],
    )


def _action(action: dict[str, Any]) -> dict[str, Any]:
    """The parts of a listener action that matter here (the API and the template spell them alike)."""
    fixed = action.get("FixedResponseConfig", {})
    redirect = action.get("RedirectConfig", {})
    return {
        "type": action.get("Type"),
        "target": action.get("TargetGroupArn"),
        "status": fixed.get("StatusCode"),
        "redirect": [str(redirect.get(key)) for key in ("Protocol", "Port", "StatusCode")] if redirect else None,
    }


@check("AWS::ElasticLoadBalancingV2::TargetGroup")
def _target_group(context: Context, resource: Resource, physical_id: str) -> None:
    groups = call(context.client("elbv2").describe_target_groups, TargetGroupArns=[physical_id])["TargetGroups"]
    group = only(groups, "target group", physical_id)
    properties = resource.properties
    for label, key in (
        ("port", "Port"),
        ("protocol", "Protocol"),
        ("target type", "TargetType"),
        ("VPC", "VpcId"),
        ("health check path", "HealthCheckPath"),
        ("health check port", "HealthCheckPort"),
        ("health check protocol", "HealthCheckProtocol"),
        ("health check interval", "HealthCheckIntervalSeconds"),
        ("health check timeout", "HealthCheckTimeoutSeconds"),
        ("healthy threshold", "HealthyThresholdCount"),
        ("unhealthy threshold", "UnhealthyThresholdCount"),
    ):
        context.expect(label, group.get(key), properties.get(key))
    context.expect(
        "health check success codes", group.get("Matcher", {}).get("HttpCode"), properties.get("Matcher", {}).get("HttpCode")
    )


# --- storage ---------------------------------------------------------------------------------


@check("AWS::EFS::FileSystem")
def _file_system(context: Context, resource: Resource, physical_id: str) -> None:
    systems = call(context.client("efs").describe_file_systems, FileSystemId=physical_id)["FileSystems"]
    system = only(systems, "file system", physical_id)
    context.expect("encrypted", system.get("Encrypted"), resource.properties.get("Encrypted"))
    context.expect("performance mode", system.get("PerformanceMode"), resource.properties.get("PerformanceMode"))
    context.expect("throughput mode", system.get("ThroughputMode"), resource.properties.get("ThroughputMode"))


@check("AWS::EFS::MountTarget")
def _mount_target(context: Context, resource: Resource, physical_id: str) -> None:
    targets = call(context.client("efs").describe_mount_targets, MountTargetId=physical_id)["MountTargets"]
    target = only(targets, "mount target", physical_id)
    context.expect("file system", target["FileSystemId"], resource.properties.get("FileSystemId"))
    context.expect("subnet", target["SubnetId"], resource.properties.get("SubnetId"))


@check("AWS::EFS::AccessPoint")
def _access_point(context: Context, resource: Resource, physical_id: str) -> None:
    """The emulator gives access points no physical id: find the one on the file system with this root and user."""
    properties = resource.properties
    file_system = context.values.resolve(properties.get("FileSystemId"))
    if not isinstance(file_system, str):
        raise Missing("its file system cannot be resolved")
    points = call(context.client("efs").describe_access_points, FileSystemId=file_system)["AccessPoints"]
    wanted_path = context.values.resolve(properties.get("RootDirectory", {}).get("Path", "/"))
    wanted_user = context.values.resolve(properties.get("PosixUser"))
    for point in points:
        if point.get("RootDirectory", {}).get("Path", "/") == wanted_path and (
            wanted_user is None or same(point.get("PosixUser"), wanted_user)
        ):
            return
    raise Missing(f"no access point on {file_system} with root {wanted_path} and user {wanted_user}")


@check("AWS::S3::Bucket")
def _bucket(context: Context, resource: Resource, physical_id: str) -> None:
    call(context.client("s3").head_bucket, Bucket=physical_id)


# --- identity, keys, logs, messaging ---------------------------------------------------------


@check("AWS::IAM::Role")
def _role(context: Context, resource: Resource, physical_id: str) -> None:
    role = call(context.client("iam").get_role, RoleName=physical_id)["Role"]
    document = role["AssumeRolePolicyDocument"]
    actual = json.loads(document) if isinstance(document, str) else document
    context.expect_set(
        "trusted services", _principals(actual), _principals(resource.properties.get("AssumeRolePolicyDocument", {}))
    )
    wanted_managed = context.values.resolve(resource.properties.get("ManagedPolicyArns"))
    if isinstance(wanted_managed, list):
        attached = call(context.client("iam").list_attached_role_policies, RoleName=physical_id)["AttachedPolicies"]
        context.expect_set("managed policies", [item["PolicyArn"] for item in attached], wanted_managed)


def _principals(document: dict[str, Any]) -> list[str]:
    services: list[str] = []
    for statement in document.get("Statement", []):
        service = statement.get("Principal", {}).get("Service", [])
        services.extend(service if isinstance(service, list) else [service])
    return services


@check("AWS::IAM::Policy")
def _policy(context: Context, resource: Resource, physical_id: str) -> None:
    name = resource.properties.get("PolicyName")
    roles = context.values.resolve(resource.properties.get("Roles", []))
    if not isinstance(roles, list):
        raise Missing("its roles cannot be resolved")
    wanted = _actions(resource.properties.get("PolicyDocument", {}))
    for role in roles:
        document = call(context.client("iam").get_role_policy, RoleName=role, PolicyName=name)["PolicyDocument"]
        actual = json.loads(document) if isinstance(document, str) else document
        context.expect_set(f"actions on {role}", _actions(actual), wanted)


def _actions(document: dict[str, Any]) -> list[str]:
    actions: list[str] = []
    for statement in document.get("Statement", []):
        action = statement.get("Action", [])
        actions.extend(action if isinstance(action, list) else [action])
    return actions


@check("AWS::IAM::InstanceProfile")
def _instance_profile(context: Context, resource: Resource, physical_id: str) -> None:
    profile = call(context.client("iam").get_instance_profile, InstanceProfileName=physical_id)["InstanceProfile"]
    context.expect_set("roles", [role["RoleName"] for role in profile["Roles"]], resource.properties.get("Roles"))


@check("AWS::Logs::LogGroup")
def _log_group(context: Context, resource: Resource, physical_id: str) -> None:
    groups = call(context.client("logs").describe_log_groups, logGroupNamePrefix=physical_id)["logGroups"]
    group = only([item for item in groups if item["logGroupName"] == physical_id], "log group", physical_id)
    context.expect("retention in days", group.get("retentionInDays"), resource.properties.get("RetentionInDays"))


@check("AWS::KMS::Key")
def _key(context: Context, resource: Resource, physical_id: str) -> None:
    key = call(context.client("kms").describe_key, KeyId=physical_id)["KeyMetadata"]
    context.expect("enabled", key.get("Enabled"), resource.properties.get("Enabled", True))
    rotation = call(context.client("kms").get_key_rotation_status, KeyId=physical_id)["KeyRotationEnabled"]
    context.expect("rotation", rotation, resource.properties.get("EnableKeyRotation"))


@check("AWS::SNS::Topic")
def _topic(context: Context, resource: Resource, physical_id: str) -> None:
    attributes = call(context.client("sns").get_topic_attributes, TopicArn=physical_id)["Attributes"]
    context.expect("encryption key", bool(attributes.get("KmsMasterKeyId")), bool(resource.properties.get("KmsMasterKeyId")))
    context.expect("FIFO", attributes.get("FifoTopic", "false") == "true", resource.properties.get("FifoTopic", False))


@check("AWS::SQS::Queue")
def _queue(context: Context, resource: Resource, physical_id: str) -> None:
    attributes = call(context.client("sqs").get_queue_attributes, QueueUrl=physical_id, AttributeNames=["All"])["Attributes"]
    context.expect(
        "message retention", attributes.get("MessageRetentionPeriod"), resource.properties.get("MessageRetentionPeriod")
    )
    context.expect("visibility timeout", attributes.get("VisibilityTimeout"), resource.properties.get("VisibilityTimeout"))


@check("AWS::Lambda::Function")
def _function(context: Context, resource: Resource, physical_id: str) -> None:
    configuration = call(context.client("lambda").get_function, FunctionName=physical_id)["Configuration"]
    context.expect("runtime", configuration.get("Runtime"), resource.properties.get("Runtime"))
    context.expect("handler", configuration.get("Handler"), resource.properties.get("Handler"))


@check("AWS::StepFunctions::StateMachine")
def _state_machine(context: Context, resource: Resource, physical_id: str) -> None:
    machine = call(context.client("stepfunctions").describe_state_machine, stateMachineArn=physical_id)
    context.expect("type", machine.get("type"), resource.properties.get("StateMachineType"))
