#!/usr/bin/env python3
"""An ECS environment written by hand from ecs_toolkit.constructs: no manifest, no ecs_toolkit.stacks.

One stack: a VPC over two zones, a cluster with Fargate and a Spot EC2 group, the shared ALB, a
web service on EC2 (bridge networking, dynamic host ports) routed from the ALB, and an api service
on Fargate that only the web service may call, which mounts a shared EFS file system and may send
to a queue; and a nightly job on Fargate. `make test` synthesizes it and runs cdk-nag,
cfn-lint and verify on it (tests/examples/test_hand_written.py).

    cdk synth --app "python3 examples/hand_written/app.py"
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import Fn, RemovalPolicy
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from ecs_toolkit.compliance import attach_compliance
from ecs_toolkit.constructs import (
    AlbRoute,
    ContainerSpec,
    Ec2Capacity,
    EcsCluster,
    EcsService,
    EfsMount,
    Network,
    PortRange,
    ScheduledJob,
    ServiceScaling,
    SharedFileSystem,
    SharedLoadBalancer,
    StrategyItem,
    TaskGrant,
    admit,
    apply_grants,
)

IMAGE = "public.ecr.aws/nginx/nginx:stable"


@dataclass(frozen=True)
class HandWritten:
    """What the app built, for tests and for readers."""

    stack: cdk.Stack
    network: Network
    cluster: EcsCluster
    spot: Ec2Capacity
    alb: SharedLoadBalancer
    web: EcsService
    api: EcsService
    route: AlbRoute
    scaling: ServiceScaling
    files: SharedFileSystem
    mount: EfsMount
    job: ScheduledJob


def _capacity_events(stack: cdk.Stack) -> sns.Topic:
    """Auto Scaling notifications (cdk-nag AS3), on a key the Auto Scaling service role may use."""
    key = kms.Key(stack, "CapacityEventsKey", enable_key_rotation=True, removal_policy=RemovalPolicy.DESTROY)
    role = stack.format_arn(
        service="iam",
        region="",
        resource="role",
        resource_name="aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
    )
    key.grant(iam.ArnPrincipal(role), "kms:Decrypt", "kms:GenerateDataKey*")
    return sns.Topic(stack, "CapacityEvents", master_key=key, enforce_ssl=True)


def build(app: cdk.App) -> HandWritten:
    stack = cdk.Stack(app, "HandWritten")
    # Environment-agnostic: the zones are resolved by CloudFormation, no lookup at synth.
    zones = [Fn.select(index, Fn.get_azs()) for index in range(2)]
    network = Network(stack, "Network", availability_zones=zones, removal_policy=RemovalPolicy.DESTROY)
    vpc = network.vpc
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="shop.internal", removal_policy=RemovalPolicy.DESTROY)
    spot = Ec2Capacity(
        stack,
        "Spot",
        vpc=vpc,
        vpc_subnets=network.private_subnets,
        instance_types=["t3.medium", "t3a.medium"],
        spot=True,
        max_capacity=4,
        notification_topic=_capacity_events(stack),
    )
    cluster.add_ec2_capacity("spot", spot)
    cluster.set_default_strategy([StrategyItem("FARGATE")])
    alb = SharedLoadBalancer(stack, "Alb", vpc=vpc, removal_policy=RemovalPolicy.DESTROY)
    spot.allow_host_ports_from(alb.security_group)  # exactly the pinned host-port range, only from the ALB

    web = EcsService(
        stack,
        "Web",
        cluster=cluster.cluster,
        vpc=vpc,
        fargate=False,
        network_mode="bridge",
        cpu=256,
        memory_mib=256,
        containers=[ContainerSpec(name="web", image=ecs.ContainerImage.from_registry(IMAGE), memory_limit_mib=256, port=80)],
        capacity_provider_strategies=cluster.strategy([StrategyItem("spot")]),
        desired_count=None,  # ServiceScaling owns the count
        removal_policy=RemovalPolicy.DESTROY,
    )
    route = AlbRoute(
        stack,
        "WebRoute",
        service=web,
        vpc=vpc,
        listener=alb.listener,
        load_balancer_security_group=alb.security_group,
        priority=100,
        path="/*",
    )
    scaling = ServiceScaling(stack, "WebScaling", service=web, min_capacity=1, max_capacity=4, cpu_percent=60)

    api = EcsService(
        stack,
        "Api",
        cluster=cluster.cluster,
        vpc=vpc,
        fargate=True,
        cpu=256,
        memory_mib=512,
        containers=[ContainerSpec(name="api", image=ecs.ContainerImage.from_registry(IMAGE), memory_limit_mib=512, port=8080)],
        capacity_provider_strategies=cluster.strategy([StrategyItem("FARGATE", base=1), StrategyItem("FARGATE_SPOT", weight=3)]),
        subnets=network.private_subnets,
        removal_policy=RemovalPolicy.DESTROY,
    )
    assert api.security_group is not None  # awsvpc: the tasks' own group, with no ingress until a caller is admitted
    # web runs in bridge mode, so its calls leave from the instances' group.
    admit(
        stack,
        "WebCallsApi",
        group=api.security_group,
        source=spot.security_group,
        ports=PortRange.single(8080),
        description="web calls api",
    )
    files = SharedFileSystem(stack, "Files", vpc=vpc, subnets=network.private_subnets, removal_policy=RemovalPolicy.DESTROY)
    mount = EfsMount(
        stack,
        "ApiFiles",
        service=api,
        file_system=files.file_system,
        file_system_arn=files.arn,
        file_system_security_group=files.security_group,
        container_path="/data",
        root_directory="/api",
        volume_name="files",
    )
    orders = stack.format_arn(service="sqs", resource="orders")
    apply_grants(api.task_definition.task_role, [TaskGrant(intent="sqs-send", resource=orders)], scope=api)

    job = ScheduledJob(
        stack,
        "Nightly",
        cluster=cluster.cluster,
        vpc=vpc,
        fargate=True,
        cpu=256,
        memory_mib=512,
        containers=[ContainerSpec(name="report", image=ecs.ContainerImage.from_registry(IMAGE), memory_limit_mib=512)],
        schedule="cron(0 3 * * ? *)",
        time_zone="Europe/Paris",
        subnets=network.private_subnets,
        removal_policy=RemovalPolicy.DESTROY,
    )
    return HandWritten(stack, network, cluster, spot, alb, web, api, route, scaling, files, mount, job)


def main() -> None:
    app = cdk.App()
    build(app)
    attach_compliance(app)
    app.synth()


if __name__ == "__main__":
    main()
