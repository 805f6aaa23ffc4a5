"""One stack per service: the manifest's service section translated into construct arguments."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import Duration, Fn
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_servicediscovery as servicediscovery
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ecs_toolkit import outputs
from ecs_toolkit.compliance import SQS_ENCRYPTED_BY_SERVICE, skip_checkov
from ecs_toolkit.config import derived
from ecs_toolkit.config.models import (
    CanaryConfig,
    EnvironmentConfig,
    LinearConfig,
    QueueConfig,
    ServiceConfig,
    VolumeConfig,
)
from ecs_toolkit.constructs.alarms import DeploymentAlarms, RollbackThresholds, ServiceAlarms
from ecs_toolkit.constructs.file_system import EfsMount
from ecs_toolkit.constructs.routing import AlbRoute, HealthCheckSpec, NlbEndpoint
from ecs_toolkit.constructs.scaling import (
    CustomMetricTarget,
    PredictivePolicy,
    QueueBacklogTarget,
    ScheduledCapacity,
    ServiceScaling,
    StepInterval,
    StepPolicy,
)
from ecs_toolkit.constructs.service import DeploymentSpec, EcsService
from ecs_toolkit.stacks.common import removal_policy
from ecs_toolkit.stacks.messaging import published_topics
from ecs_toolkit.stacks.platform import PlatformStack
from ecs_toolkit.stacks.tasks import apply_task_permissions, plan_task, publish_task_outputs


class ServiceStack(cdk.Stack):
    """A web, backend or worker service, depending only on the platform stack."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        name: str,
        platform: PlatformStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        service_config = config.services[name]
        self.config = config
        self.service_name = name
        self.platform = platform
        self.queue = self._work_queue(service_config)
        self.topics, topic_variables = published_topics(self, config, name)
        queue_variables = {"QUEUE_URL": self.queue.queue_url} if self.queue is not None else {}
        plan = plan_task(self, config, name, platform, {**queue_variables, **topic_variables} or None)
        mode = plan.network_mode
        self.service = EcsService(
            self,
            "Service",
            # With autoscaling the template leaves the count alone, so a deploy never resets it.
            desired_count=None if service_config.scaling else service_config.count,
            placement=service_config.placement,
            deployment=_deployment_spec(service_config, derived.az_rebalancing(service_config, plan.launch)),
            enable_execute_command=service_config.exec,
            cloud_map=self._cloud_map(name, service_config, mode),
            service_connect=self._service_connect(name, service_config),
            **plan.arguments,
        )
        header = service_config.deployment.test_traffic_header
        if header is not None and derived.uses_service_connect(service_config):
            self.service.add_test_traffic_header(header.name, header.value)
        self.route: AlbRoute | None = None
        self.nlb: NlbEndpoint | None = None
        self._routes(service_config, mode)
        self._rollback_alarms(service_config)
        self._volumes(name, service_config)
        self._grants(service_config)
        if self.queue is not None:
            self.queue.grant_consume_messages(self.service.task_definition.task_role)
        if self.topics is not None:
            self.topics.grant_publish(self.service.task_definition.task_role)
        self._scaling(service_config)
        publish_task_outputs(self, self.service.task, plan)
        self._outputs()

    @property
    def task_security_group(self) -> ec2.ISecurityGroup | None:
        """The awsvpc tasks' own group (None in bridge and host mode, where tasks use their instances')."""
        return self.service.security_group

    # --- discovery and traffic ------------------------------------------------------------

    def _cloud_map(self, name: str, service: ServiceConfig, mode: str) -> ecs.CloudMapOptions | None:
        """A records for awsvpc tasks; SRV records (host port included) for bridge and host mode."""
        discovery_name = derived.discovery_name_of(name, service)
        if discovery_name is None or service.port is None:
            return None
        return ecs.CloudMapOptions(
            name=discovery_name,
            cloud_map_namespace=self.platform.cluster.default_cloud_map_namespace,
            dns_record_type=servicediscovery.DnsRecordType.A if mode == "awsvpc" else servicediscovery.DnsRecordType.SRV,
            dns_ttl=Duration.seconds(10),
            container_port=service.port,
        )

    def _service_connect(self, name: str, service: ServiceConfig) -> ecs.ServiceConnectProps | None:
        """A Service Connect endpoint when asked for; a client of the namespace when it calls one."""
        if service.discovery is None or not service.discovery.service_connect or service.port is None:
            callees = [self.config.services[c] for c in service.connects_to if c in self.config.services]
            if any(derived.uses_service_connect(callee) for callee in callees):
                return ecs.ServiceConnectProps(namespace=derived.namespace_of(self.config))
            return None
        return ecs.ServiceConnectProps(
            namespace=derived.namespace_of(self.config),
            services=[
                ecs.ServiceConnectService(
                    port_mapping_name=f"{name}-{service.port}",
                    discovery_name=derived.discovery_name_of(name, service),
                    port=service.port,
                )
            ],
        )

    def _routes(self, service: ServiceConfig, mode: str) -> None:
        load_balancer = self.platform.load_balancer
        deregistration = Duration.seconds(service.deployment.deregistration_delay_seconds)
        if service.route is not None and load_balancer is not None:
            check = service.health_check
            target = service.target
            route = self.route = AlbRoute(
                self,
                "Route",
                service=self.service,
                vpc=self.platform.vpc,
                listener=load_balancer.listener,
                load_balancer_security_group=load_balancer.security_group,
                priority=derived.listener_priority(service.route),
                path=_one_or_many(derived.listener_paths(service.route)),
                host=_one_or_many(derived.route_hosts(service.route)),
                health_check=HealthCheckSpec(
                    path=check.path,
                    interval=Duration.seconds(check.interval_seconds),
                    timeout=Duration.seconds(check.timeout_seconds),
                    healthy_threshold=check.healthy_threshold,
                    unhealthy_threshold=check.unhealthy_threshold,
                    success_codes=check.success_codes,
                    port=derived.health_check_port(self.service_name, service),
                ),
                deregistration_delay=deregistration,
                grace_period=Duration.seconds(derived.grace_period_seconds(service)),
                test_listener=load_balancer.test_listener,
                target_container=derived.target_container(self.service_name, service),
                target_port=derived.target_port(self.service_name, service),
                protocol=derived.target_protocol(service),
                stickiness=Duration.seconds(target.stickiness_seconds)
                if target is not None and target.stickiness_seconds is not None
                else None,
            )
            for index, extra in enumerate(service.additional_routes):
                container, port = derived.additional_target(self.service_name, service, extra)
                route.add_route(
                    f"Additional{index}",
                    priority=derived.listener_priority(extra),
                    path=_one_or_many(derived.listener_paths(extra)),
                    host=_one_or_many(derived.route_hosts(extra)),
                    container=container,
                    port=port,
                    protocol=extra.protocol,
                )
        if service.nlb is not None:
            groups = [
                self.platform.ecs.ec2_capacity[item.provider]
                for item in derived.service_strategy(self.config, service)
                if item.provider in self.platform.ecs.ec2_capacity
            ]
            nlb = self.nlb = NlbEndpoint(
                self,
                "Nlb",
                service=self.service,
                vpc=self.platform.vpc,
                port=service.nlb.port,
                protocol=service.nlb.protocol,
                certificate_arn=service.nlb.certificate_arn,
                public=service.nlb.public,
                instance_security_groups=[group.security_group for group in groups],
                host_ports=groups[0].host_ports if groups else None,
                # The container's own port is the traffic port: "traffic-port" also suits dynamic host ports.
                health_check_port=None if service.nlb.health_check_port == service.port else service.nlb.health_check_port,
                deregistration_delay=deregistration,
                access_log_retention=Duration.days(
                    self.config.load_balancer.access_log_retention_days if self.config.load_balancer else 90
                ),
                removal_policy=removal_policy(self.config),
                test_port=service.nlb.test_listener.port if derived.shifts_traffic(service) else None,
                test_clients=service.nlb.test_listener.allow_from,
            )
            cdk.CfnOutput(self, "NlbDnsName", value=nlb.load_balancer.load_balancer_dns_name)

    def _rollback_alarms(self, service: ServiceConfig) -> None:
        """The alarms every deployment of the service watches, with rollback on alarm."""
        settings = service.deployment.alarms
        groups = []
        if self.route is not None:
            groups.append(self.route.target_group)
            if self.route.alternate_target_group is not None:
                groups.append(self.route.alternate_target_group)
            groups.extend(self.route.additional_target_groups)
        self.deployment_alarms = DeploymentAlarms(
            self,
            "DeploymentAlarms",
            service=self.service,
            application_target_groups=groups,
            network_target_groups=[
                group for group in (self.nlb.target_group, self.nlb.alternate_target_group) if group is not None
            ]
            if self.nlb is not None
            else [],
            thresholds=RollbackThresholds(
                error_rate_percent=settings.error_rate_percent,
                p95_ms=settings.p95_ms,
                p99_ms=settings.p99_ms,
                unhealthy_targets=settings.unhealthy_targets,
                evaluation_periods=settings.evaluation_periods,
            ),
            extra_alarm_names=settings.extra,
            actions=[self.platform.alarm_topic.action],
        )
        health = service.alarms
        insights = self.config.cluster.container_insights != "disabled"
        self.service_alarms = ServiceAlarms(
            self,
            "Alarms",
            service=self.service,
            actions=[self.platform.alarm_topic.action],
            cpu_percent=health.cpu_percent,
            memory_percent=health.memory_percent,
            running_below_desired=health.running_below_desired and insights,
            queue=self.queue,
            queue_age=Duration.seconds(health.queue_age_seconds) if health.queue_age_seconds is not None else None,
            periods=health.periods,
        )

    # --- storage and permissions ----------------------------------------------------------

    def _volumes(self, name: str, service: ServiceConfig) -> None:
        for fs_name, volume in service.volumes.items():
            spec = volume if isinstance(volume, VolumeConfig) else VolumeConfig(path=volume)
            shared = self.platform.file_systems[fs_name]  # created, or existing (its group, if given, gets the rule)
            uid, gid = derived.volume_owner(service, spec)
            EfsMount(
                self,
                f"Volume-{fs_name}",
                service=self.service,
                file_system=shared.file_system,
                file_system_arn=shared.arn,
                file_system_security_group=shared.security_group,
                container_path=spec.path,
                root_directory=spec.sub_path or f"/{name}",
                uid=uid,
                gid=gid,
                permissions=spec.permissions,
                read_only=spec.read_only,
                volume_name=fs_name,
            )

    def _grants(self, service: ServiceConfig) -> None:
        apply_task_permissions(self.service, self.service.task_definition, service)

    # --- scaling --------------------------------------------------------------------------

    def _work_queue(self, service: ServiceConfig) -> sqs.IQueue | None:
        """The worker's queue: referenced by ARN, or created with an encrypted dead-letter queue (for queue
        scaling, or for the topics it subscribes to; FIFO when those topics are)."""
        if not derived.has_work_queue(service):
            return None
        settings = service.scaling.queue if service.scaling and service.scaling.queue else QueueConfig()
        if settings.arn is not None:
            return sqs.Queue.from_queue_arn(self, "Queue", settings.arn)
        # SSE-SQS: SNS delivers into it with no key policy to manage (a customer key would need one).
        fifo = derived.fifo_work_queue(self.config, service) or None
        dead_letters = sqs.Queue(
            self,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            fifo=fifo,
            retention_period=Duration.days(14),
            removal_policy=removal_policy(self.config),
        )
        skip_checkov(dead_letters, "CKV_AWS_27", SQS_ENCRYPTED_BY_SERVICE)
        queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            fifo=fifo,
            visibility_timeout=Duration.seconds(settings.visibility_timeout_seconds),
            dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=settings.max_receive_count),
            removal_policy=removal_policy(self.config),
        )
        skip_checkov(queue, "CKV_AWS_27", SQS_ENCRYPTED_BY_SERVICE)
        return queue

    def _scaling(self, service: ServiceConfig) -> None:
        scaling = service.scaling
        if scaling is None:
            return
        ServiceScaling(
            self,
            "Scaling",
            service=self.service,
            min_capacity=scaling.min,
            max_capacity=scaling.max,
            cpu_percent=scaling.cpu_percent,
            memory_percent=scaling.memory_percent,
            requests_per_target=scaling.requests_per_target,
            target_group=self.route.target_group if self.route else None,
            custom_metric=CustomMetricTarget(
                namespace=scaling.custom_metric.namespace,
                metric_name=scaling.custom_metric.name,
                target=scaling.custom_metric.target,
                dimensions=scaling.custom_metric.dimensions,
                statistic=scaling.custom_metric.statistic,
            )
            if scaling.custom_metric
            else None,
            scale_out_cooldown=Duration.seconds(scaling.scale_out_cooldown_seconds),
            scale_in_cooldown=Duration.seconds(scaling.scale_in_cooldown_seconds),
            steps=StepPolicy(
                metric=scaling.steps.metric,
                intervals=[StepInterval(change=s.change, lower=s.lower, upper=s.upper) for s in scaling.steps.steps],
                evaluation_periods=scaling.steps.evaluation_periods,
                cooldown=Duration.seconds(scaling.steps.cooldown_seconds),
            )
            if scaling.steps
            else None,
            schedule=[
                ScheduledCapacity(expression=a.schedule, time_zone=a.time_zone, min_capacity=a.min, max_capacity=a.max)
                for a in scaling.schedule
            ],
            queue_backlog=QueueBacklogTarget(
                queue=self.queue, backlog_per_task=scaling.queue.backlog_per_task, cluster_name=self.platform.cluster.cluster_name
            )
            if scaling.queue and self.queue
            else None,
            predictive=PredictivePolicy(
                metric=scaling.predictive.metric,
                target_percent=scaling.predictive.target_percent,
                forecast_only=scaling.predictive.mode == "forecast_only",
                scheduling_buffer=Duration.seconds(scaling.predictive.scheduling_buffer_seconds),
                max_capacity_buffer_percent=scaling.predictive.max_capacity_buffer_percent,
            )
            if scaling.predictive
            else None,
        )

    # --- outputs for the helpers ----------------------------------------------------------

    def _outputs(self) -> None:
        service = self.service
        cdk.CfnOutput(self, outputs.SERVICE_NAME, value=service.service.service_name)
        target_groups = [str(entry["TargetGroupArn"]) for entry in service.load_balancers]
        cdk.CfnOutput(
            self,
            outputs.TARGET_GROUP_ARNS,
            value=Fn.join(outputs.LIST_SEPARATOR, target_groups) if target_groups else outputs.EMPTY_LIST,
        )


def _one_or_many(values: list[str]) -> str | list[str] | None:
    """A single value as a string (as the construct always took it), several as a list, none as None."""
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _deployment_spec(service: ServiceConfig, az_rebalancing: bool) -> DeploymentSpec:
    """The manifest's deployment section; canary and linear settings default to ECS's own defaults."""
    settings = service.deployment
    canary = settings.canary or CanaryConfig()
    linear = settings.linear or LinearConfig()
    return DeploymentSpec(
        min_healthy_percent=settings.min_healthy_percent,
        max_healthy_percent=settings.max_percent,
        strategy=settings.strategy,
        bake_time=Duration.minutes(settings.bake_time_minutes),
        canary_percent=canary.percent,
        canary_interval=Duration.minutes(canary.interval_minutes),
        linear_step_percent=linear.step_percent,
        linear_interval=Duration.minutes(linear.interval_minutes),
        hooks={stage.upper(): arn for stage, arn in settings.hooks.items()},
        az_rebalancing=az_rebalancing,
    )
