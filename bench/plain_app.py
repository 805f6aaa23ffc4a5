#!/usr/bin/env python3
"""The default manifest's topology written by hand in plain CDK, with no ecs_toolkit code: the benchmark's baseline.

Stacks as the toolkit splits them (network, platform, one per service or job): a VPC with flow logs and one
NAT gateway; a cluster with Container Insights, ECS Exec logging and a Cloud Map namespace; two EC2 groups
(launch templates, Auto Scaling groups, capacity providers; one on-demand, one Spot over three types)
with encrypted notifications; Fargate providers; an ALB with an access-log bucket; an EFS file system;
services web (EC2 bridge, ALB, EFS, autoscaling with steps and schedules), api (Fargate, ALB, EFS, grants),
orders (Cloud Map), queue (SQS with a dead-letter queue, backlog-per-task scaling), mqtt (EC2 behind an
NLB) and nightly-report (EventBridge Scheduler -> Step Functions runTask.sync with a timeout).

With the context value ``bench:nag=true`` it also runs cdk-nag's AwsSolutions pack over the app
(``validate_scope``, which reports instead of failing) so the cost of the checks can be seen apart.
"""

from __future__ import annotations

import sys
from typing import Any

import aws_cdk as cdk
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_efs as efs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_servicediscovery as servicediscovery
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

NAME = "demo"
DESTROY = RemovalPolicy.DESTROY


class Network(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        log_group = logs.LogGroup(self, "FlowLogs", retention=logs.RetentionDays.THREE_MONTHS, removal_policy=DESTROY)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr("10.0.0.0/16"),
            max_azs=2,
            nat_gateways=1,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=20),
            ],
            flow_logs={"All": ec2.FlowLogOptions(destination=ec2.FlowLogDestination.to_cloud_watch_logs(log_group))},
        )


class Platform(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, vpc: ec2.IVpc) -> None:
        super().__init__(scope, construct_id)
        exec_logs = logs.LogGroup(self, "ExecLogs", retention=logs.RetentionDays.THREE_MONTHS, removal_policy=DESTROY)
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=vpc,
            container_insights_v2=ecs.ContainerInsights.ENHANCED,
            enable_fargate_capacity_providers=True,
            execute_command_configuration=ecs.ExecuteCommandConfiguration(
                logging=ecs.ExecuteCommandLogging.OVERRIDE,
                log_configuration=ecs.ExecuteCommandLogConfiguration(cloud_watch_log_group=exec_logs),
            ),
            default_cloud_map_namespace=ecs.CloudMapNamespaceOptions(
                name=f"{NAME}.internal", vpc=vpc, type=servicediscovery.NamespaceType.DNS_PRIVATE, use_for_service_connect=True
            ),
        )
        key = kms.Key(self, "CapacityEventsKey", enable_key_rotation=True, removal_policy=DESTROY)
        topic = sns.Topic(self, "CapacityEvents", master_key=key, enforce_ssl=True)
        self.groups: dict[str, tuple[ec2.SecurityGroup, ecs.AsgCapacityProvider]] = {}
        for name, types, spot, low, high, target in (
            ("ondemand", ["t3.medium"], False, 1, 4, 100),
            ("spot", ["t3.medium", "t3a.medium", "m5.large"], True, 0, 6, 90),
        ):
            self.groups[name] = self._group(vpc, name, types, spot, low, high, target, topic)
            self.cluster.add_asg_capacity_provider(self.groups[name][1])
        self.cluster.add_default_capacity_provider_strategy(
            [
                ecs.CapacityProviderStrategy(capacity_provider="FARGATE", base=1, weight=1),
                ecs.CapacityProviderStrategy(capacity_provider="FARGATE_SPOT", weight=3),
            ]
        )
        self.file_system = efs.FileSystem(
            self,
            "FileSystem",
            vpc=vpc,
            encrypted=True,
            lifecycle_policy=efs.LifecyclePolicy.AFTER_30_DAYS,
            throughput_mode=efs.ThroughputMode.ELASTIC,
            enable_automatic_backups=True,
            removal_policy=DESTROY,
        )
        for group, _ in self.groups.values():
            self.file_system.connections.allow_default_port_from(group)
        self.alb_security_group = ec2.SecurityGroup(self, "AlbSecurityGroup", vpc=vpc, allow_all_outbound=False)
        self.alb_security_group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(80))
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            versioned=True,
            removal_policy=DESTROY,
            auto_delete_objects=True,
        )
        self.alb = elbv2.ApplicationLoadBalancer(
            self, "LoadBalancer", vpc=vpc, internet_facing=True, security_group=self.alb_security_group
        )
        # log_access_logs() needs a region; an environment-agnostic stack grants the log delivery service itself.
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("logdelivery.elasticloadbalancing.amazonaws.com")],
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects(f"alb/AWSLogs/{self.account}/*")],
            )
        )
        self.alb.set_attribute("access_logs.s3.enabled", "true")
        self.alb.set_attribute("access_logs.s3.bucket", bucket.bucket_name)
        self.alb.set_attribute("access_logs.s3.prefix", "alb")
        self.listener = self.alb.add_listener(
            "Http", port=80, open=False, default_action=elbv2.ListenerAction.fixed_response(404, message_body="not found")
        )
        for group, _ in self.groups.values():
            group.connections.allow_from(self.alb_security_group, ec2.Port.tcp_range(32768, 65535))

    def _group(
        self,
        vpc: ec2.IVpc,
        name: str,
        types: list[str],
        spot: bool,
        low: int,
        high: int,
        target: int,
        topic: sns.ITopic,
    ) -> tuple[ec2.SecurityGroup, ecs.AsgCapacityProvider]:
        security_group = ec2.SecurityGroup(self, f"{name}SecurityGroup", vpc=vpc)
        role = iam.Role(self, f"{name}InstanceRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
        role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSSMManagedInstanceCore"))
        template = ec2.LaunchTemplate(
            self,
            f"{name}LaunchTemplate",
            machine_image=ecs.EcsOptimizedImage.amazon_linux2023(),
            instance_type=ec2.InstanceType(types[0]),
            role=role,
            security_group=security_group,
            user_data=ec2.UserData.for_linux(),
            require_imdsv2=True,
            block_devices=[
                ec2.BlockDevice(device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(30, encrypted=True)),
            ],
        )
        mixed = autoscaling.MixedInstancesPolicy(
            launch_template=template,
            launch_template_overrides=[autoscaling.LaunchTemplateOverrides(instance_type=ec2.InstanceType(t)) for t in types],
            instances_distribution=autoscaling.InstancesDistribution(
                on_demand_percentage_above_base_capacity=0,
                spot_allocation_strategy=autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
            ),
        )
        group = autoscaling.AutoScalingGroup(
            self,
            f"{name}AutoScalingGroup",
            vpc=vpc,
            min_capacity=low,
            max_capacity=high,
            launch_template=None if spot else template,
            mixed_instances_policy=mixed if spot else None,
            capacity_rebalance=spot or None,
            notifications=[autoscaling.NotificationConfiguration(topic=topic)],
        )
        provider = ecs.AsgCapacityProvider(
            self,
            f"{name}CapacityProvider",
            auto_scaling_group=group,
            target_capacity_percent=target,
            enable_managed_termination_protection=False,
            enable_managed_draining=True,
        )
        return security_group, provider


def _task(
    scope: Construct, name: str, *, fargate: bool, cpu: int, memory: int, port: int | None, **extra: Any
) -> ecs.TaskDefinition:
    logs_group = logs.LogGroup(scope, "Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=DESTROY)
    definition: ecs.TaskDefinition = (
        ecs.FargateTaskDefinition(scope, "TaskDefinition", cpu=cpu, memory_limit_mib=memory)
        if fargate
        else ecs.Ec2TaskDefinition(scope, "TaskDefinition", network_mode=ecs.NetworkMode.BRIDGE)
    )
    container = definition.add_container(
        name,
        image=ecs.ContainerImage.from_registry(str(extra.pop("image"))),
        memory_limit_mib=memory,
        cpu=None if fargate else cpu,
        logging=ecs.LogDrivers.aws_logs(stream_prefix=name, log_group=logs_group),
        stop_timeout=Duration.seconds(30),
        **extra,
    )
    if port is not None:
        container.add_port_mappings(ecs.PortMapping(container_port=port, host_port=port if fargate else 0, name=f"{name}-{port}"))
    return definition


def _route(
    scope: Construct, platform: Platform, service: ecs.BaseService, path: str, priority: int, target_type: elbv2.TargetType
) -> elbv2.ApplicationTargetGroup:
    group = elbv2.ApplicationTargetGroup(
        scope,
        "TargetGroup",
        vpc=platform.cluster.vpc,
        port=80,
        protocol=elbv2.ApplicationProtocol.HTTP,
        target_type=target_type,
        deregistration_delay=Duration.seconds(15),
        health_check=elbv2.HealthCheck(path="/", interval=Duration.seconds(10), healthy_threshold_count=2),
    )
    elbv2.ApplicationListenerRule(
        scope,
        "Rule",
        listener=platform.listener,
        priority=priority,
        conditions=[elbv2.ListenerCondition.path_patterns([path])],
        action=elbv2.ListenerAction.forward([group]),
    )
    cfn = service.node.default_child
    container = service.task_definition.default_container
    assert isinstance(cfn, ecs.CfnService) and container is not None
    target = {"ContainerName": container.container_name, "ContainerPort": 80, "TargetGroupArn": group.target_group_arn}
    cfn.add_property_override("LoadBalancers", [target])
    cfn.add_property_override("HealthCheckGracePeriodSeconds", 30)
    return group


def _mount(scope: Construct, platform: Platform, definition: ecs.TaskDefinition, path: str, read_only: bool) -> None:
    access_point = efs.AccessPoint(
        scope,
        "AccessPoint",
        file_system=platform.file_system,
        path="/site",
        create_acl=efs.Acl(owner_uid="101", owner_gid="101", permissions="750"),
        posix_user=efs.PosixUser(uid="101", gid="101"),
    )
    definition.add_volume(
        name="shared",
        efs_volume_configuration=ecs.EfsVolumeConfiguration(
            file_system_id=platform.file_system.file_system_id,
            transit_encryption="ENABLED",
            authorization_config=ecs.AuthorizationConfig(access_point_id=access_point.access_point_id, iam="ENABLED"),
        ),
    )
    container = definition.default_container
    assert container is not None
    container.add_mount_points(ecs.MountPoint(container_path=path, source_volume="shared", read_only=read_only))
    actions = ["elasticfilesystem:ClientMount"] + ([] if read_only else ["elasticfilesystem:ClientWrite"])
    definition.task_role.add_to_principal_policy(
        iam.PolicyStatement(actions=actions, resources=[platform.file_system.file_system_arn])
    )


def _service(
    scope: cdk.Stack,
    platform: Platform,
    definition: ecs.TaskDefinition,
    *,
    fargate: bool,
    count: int,
    strategy: list[tuple[str, int, int]],
    **extra: Any,
) -> ecs.BaseService:
    providers = {name: provider.capacity_provider_name for name, (_, provider) in platform.groups.items()}
    strategies = [ecs.CapacityProviderStrategy(capacity_provider=providers.get(p, p), base=b, weight=w) for p, b, w in strategy]
    common: dict[str, Any] = {
        "cluster": platform.cluster,
        "task_definition": definition,
        "desired_count": count,
        "circuit_breaker": ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
        "min_healthy_percent": 100,
        "max_healthy_percent": 200,
        "capacity_provider_strategies": strategies,
        "propagate_tags": ecs.PropagatedTagSource.SERVICE,
        **extra,
    }
    if fargate:
        return ecs.FargateService(
            scope, "Service", vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS), **common
        )
    return ecs.Ec2Service(scope, "Service", **common)


def web(app: cdk.App, platform: Platform) -> None:
    stack = cdk.Stack(app, f"{NAME}-web")
    definition = _task(stack, "web", fargate=False, cpu=256, memory=256, port=80, image="public.ecr.aws/nginx/nginx:stable")
    service = _service(stack, platform, definition, fargate=False, count=2, strategy=[("ondemand", 1, 1), ("spot", 0, 3)])
    group = _route(stack, platform, service, "/*", 49000, elbv2.TargetType.INSTANCE)
    _mount(stack, platform, definition, "/usr/share/nginx/html", read_only=True)
    scaling = service.auto_scale_task_count(min_capacity=2, max_capacity=10)
    scaling.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    scaling.scale_on_request_count("Requests", requests_per_target=1000, target_group=group)
    scaling.scale_on_metric(
        "Steps",
        metric=service.metric_cpu_utilization(period=Duration.minutes(1)),
        scaling_steps=[appscaling.ScalingInterval(upper=20, change=-1), appscaling.ScalingInterval(lower=85, change=3)],
    )
    for index, (hour, low) in enumerate(((8, 4), (20, 2))):
        scaling.scale_on_schedule(
            f"Schedule{index}",
            schedule=appscaling.Schedule.cron(hour=str(hour), minute="0", week_day="MON-FRI"),
            time_zone=cdk.TimeZone.EUROPE_BERLIN,
            min_capacity=low,
        )


def api(app: cdk.App, platform: Platform) -> None:
    stack = cdk.Stack(app, f"{NAME}-api")
    definition = _task(stack, "api", fargate=True, cpu=256, memory=512, port=80, image="public.ecr.aws/docker/library/httpd:2.4")
    service = _service(stack, platform, definition, fargate=True, count=2, strategy=[("FARGATE", 1, 1), ("FARGATE_SPOT", 0, 3)])
    _route(stack, platform, service, "/api/*", 47000, elbv2.TargetType.IP)
    service.connections.allow_from(platform.alb_security_group, ec2.Port.tcp(80))
    _mount(stack, platform, definition, "/usr/local/apache2/htdocs/site", read_only=False)
    # In this stack: the file system's group lives in the platform stack, which must not depend on a service.
    ec2.CfnSecurityGroupIngress(
        stack,
        "NfsFromTasks",
        group_id=platform.file_system.connections.security_groups[0].security_group_id,
        source_security_group_id=service.connections.security_groups[0].security_group_id,
        ip_protocol="tcp",
        from_port=2049,
        to_port=2049,
    )
    definition.task_role.attach_inline_policy(
        iam.Policy(
            stack,
            "Grants",
            statements=[
                iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject"], resources=["arn:aws:s3:::demo-uploads/api/*"]),
                iam.PolicyStatement(
                    actions=["ssm:GetParametersByPath"],
                    resources=[stack.format_arn(service="ssm", resource="parameter", resource_name="demo/api")],
                ),
            ],
        )
    )


def orders(app: cdk.App, platform: Platform) -> None:
    stack = cdk.Stack(app, f"{NAME}-orders")
    definition = _task(
        stack, "orders", fargate=True, cpu=256, memory=512, port=6379, image="public.ecr.aws/docker/library/redis:7"
    )
    _service(
        stack,
        platform,
        definition,
        fargate=True,
        count=1,
        strategy=[("FARGATE", 1, 1), ("FARGATE_SPOT", 0, 3)],
        cloud_map_options=ecs.CloudMapOptions(name="orders", dns_record_type=servicediscovery.DnsRecordType.A),
    )


def queue(app: cdk.App, platform: Platform) -> None:
    stack = cdk.Stack(app, f"{NAME}-queue")
    dead_letters = sqs.Queue(stack, "DeadLetterQueue", enforce_ssl=True, retention_period=Duration.days(14))
    work = sqs.Queue(
        stack,
        "Queue",
        enforce_ssl=True,
        visibility_timeout=Duration.seconds(300),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=5),
    )
    definition = _task(
        stack,
        "queue",
        fargate=True,
        cpu=256,
        memory=512,
        port=None,
        image="public.ecr.aws/docker/library/busybox:stable",
        command=["sh", "-c", "while true; do sleep 60; done"],
        environment={"QUEUE_URL": work.queue_url},
    )
    work.grant_consume_messages(definition.task_role)
    service = _service(stack, platform, definition, fargate=True, count=1, strategy=[("FARGATE", 1, 1), ("FARGATE_SPOT", 0, 3)])
    scaling = service.auto_scale_task_count(min_capacity=1, max_capacity=20)
    scaling.scale_to_track_custom_metric(
        "QueueBacklog", metric=work.metric_approximate_number_of_messages_visible(period=Duration.minutes(1)), target_value=50
    )


def mqtt(app: cdk.App, platform: Platform) -> None:
    stack = cdk.Stack(app, f"{NAME}-mqtt")
    definition = _task(
        stack, "mqtt", fargate=False, cpu=128, memory=128, port=1883, image="public.ecr.aws/docker/library/eclipse-mosquitto:2"
    )
    service = _service(stack, platform, definition, fargate=False, count=1, strategy=[("ondemand", 0, 1)])
    security_group = ec2.SecurityGroup(stack, "NlbSecurityGroup", vpc=platform.cluster.vpc, allow_all_outbound=False)
    security_group.add_ingress_rule(ec2.Peer.ipv4(platform.cluster.vpc.vpc_cidr_block), ec2.Port.tcp(1883))
    nlb = elbv2.NetworkLoadBalancer(
        stack, "Nlb", vpc=platform.cluster.vpc, security_groups=[security_group], cross_zone_enabled=True
    )
    listener = nlb.add_listener("Listener", port=1883)
    instances = platform.groups["ondemand"][0]
    dynamic_ports: dict[str, Any] = {"ip_protocol": "tcp", "from_port": 32768, "to_port": 65535}
    ec2.CfnSecurityGroupEgress(
        stack,
        "NlbToInstances",
        group_id=security_group.security_group_id,
        destination_security_group_id=instances.security_group_id,
        **dynamic_ports,
    )
    ec2.CfnSecurityGroupIngress(
        stack,
        "InstancesFromNlb",
        group_id=instances.security_group_id,
        source_security_group_id=security_group.security_group_id,
        **dynamic_ports,
    )
    listener.add_targets(
        "Targets",
        port=1883,
        targets=[service.load_balancer_target(container_name="mqtt", container_port=1883)],
        deregistration_delay=Duration.seconds(15),
        health_check=elbv2.HealthCheck(interval=Duration.seconds(10), healthy_threshold_count=2, unhealthy_threshold_count=2),
    )


def nightly_report(app: cdk.App, platform: Platform) -> None:
    stack = cdk.Stack(app, f"{NAME}-nightly-report")
    definition = _task(
        stack,
        "nightly-report",
        fargate=True,
        cpu=256,
        memory=512,
        port=None,
        image="public.ecr.aws/docker/library/busybox:stable",
        command=["sh", "-c", "echo report"],
    )
    run = tasks.EcsRunTask(
        stack,
        "Run",
        cluster=platform.cluster,
        task_definition=definition,
        launch_target=tasks.EcsFargateLaunchTarget(platform_version=ecs.FargatePlatformVersion.LATEST),
        integration_pattern=sfn.IntegrationPattern.RUN_JOB,
        task_timeout=sfn.Timeout.duration(Duration.minutes(30)),
    )
    machine = sfn.StateMachine(
        stack,
        "StateMachine",
        definition_body=sfn.DefinitionBody.from_chainable(run),
        logs=sfn.LogOptions(destination=logs.LogGroup(stack, "ExecutionLogs", removal_policy=DESTROY), level=sfn.LogLevel.ERROR),
        tracing_enabled=False,
    )
    dead_letters = sqs.Queue(stack, "DeadLetterQueue", enforce_ssl=True)
    scheduler.Schedule(
        stack,
        "Schedule",
        schedule=scheduler.ScheduleExpression.cron(minute="0", hour="3", time_zone=cdk.TimeZone.EUROPE_BERLIN),
        target=scheduler_targets.StepFunctionsStartExecution(machine, dead_letter_queue=dead_letters, retry_attempts=2),
    )
    cloudwatch.Alarm(stack, "FailureAlarm", metric=machine.metric_failed(), threshold=1, evaluation_periods=1)
    cloudwatch.Alarm(
        stack,
        "DeadLetterAlarm",
        metric=dead_letters.metric_approximate_number_of_messages_visible(),
        threshold=1,
        evaluation_periods=1,
    )


def main() -> int:
    app = cdk.App()
    network = Network(app, f"{NAME}-network")
    platform = Platform(app, f"{NAME}-platform", vpc=network.vpc)
    for build in (web, api, orders, queue, mqtt, nightly_report):
        build(app, platform)
    cdk.Tags.of(app).add("environment", NAME)
    if str(app.node.try_get_context("bench:nag")).lower() == "true":
        from cdk_nag import AwsSolutionsChecks

        report = AwsSolutionsChecks().validate_scope(app)
        findings = sum(len(violation.violating_resources) for violation in report.violations)
        print(f"cdk-nag AwsSolutions findings: {findings}", file=sys.stderr)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
