"""Alarms ECS watches during a deployment: one in ALARM stops the deployment and rolls it back.

``DeploymentConfiguration.Alarms`` is written through the L1 property, not CDK's
``enable_deployment_alarms``, which silently drops alarms added after the first call
(aws-cdk#36308): every name given here reaches the template.

The metrics of a traffic-shifting service are read over both of its target groups (primary and
alternate), since ECS moves the new revision between them from one deployment to the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ecs_toolkit.constructs.service import EcsService

PERIOD = Duration.minutes(1)


@dataclass(frozen=True)
class RollbackThresholds:
    """What counts as a bad deployment; ``None`` turns one alarm off. Defaults suit a typical web API."""

    error_rate_percent: float | None = 5.0
    """Targets' 5xx responses, in percent of requests."""
    p95_ms: int | None = 1000
    """95th percentile of the targets' response time."""
    p99_ms: int | None = 2500
    """99th percentile of the targets' response time."""
    unhealthy_targets: int | None = 1
    """Unhealthy targets in either target group."""
    evaluation_periods: int = 3
    """One-minute periods a threshold must be crossed in a row."""

    def validate(self) -> None:
        if self.error_rate_percent is not None and not 0 < self.error_rate_percent <= 100:
            raise ValueError("DeploymentAlarms: error_rate_percent must be above 0 and at most 100")
        for latency in (self.p95_ms, self.p99_ms):
            if latency is not None and latency < 1:
                raise ValueError("DeploymentAlarms: latency thresholds must be at least 1 ms")
        if self.unhealthy_targets is not None and self.unhealthy_targets < 1:
            raise ValueError("DeploymentAlarms: unhealthy_targets must be at least 1")
        if not 1 <= self.evaluation_periods <= 30:
            raise ValueError("DeploymentAlarms: evaluation_periods must be 1-30")


class DeploymentAlarms(Construct):
    """The service's rollback alarms, and ``DeploymentConfiguration.Alarms`` naming them with rollback on.

    ``application_target_groups`` (an ALB route's groups) give the 5xx rate, p95/p99 response time and
    unhealthy-target alarms; ``network_target_groups`` (an NLB) the unhealthy-target alarm. Alarms
    created elsewhere join by name through ``extra_alarm_names``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service: EcsService,
        application_target_groups: Sequence[elbv2.ApplicationTargetGroup] = (),
        network_target_groups: Sequence[elbv2.NetworkTargetGroup] = (),
        thresholds: RollbackThresholds = RollbackThresholds(),
        extra_alarm_names: Sequence[str] = (),
        actions: Sequence[cloudwatch.IAlarmAction] = (),
    ) -> None:
        """``actions`` (the alarm topic) also learn of every alarm, besides the rollback it causes."""
        super().__init__(scope, construct_id)
        thresholds.validate()
        self.thresholds = thresholds
        self.actions = list(actions)
        self.alarms: list[cloudwatch.Alarm] = []
        """Every alarm created here (the service's deployment watches them all)."""
        if application_target_groups:
            self._application(list(application_target_groups))
        if network_target_groups and thresholds.unhealthy_targets is not None:
            unhealthy = [
                group.metrics.un_healthy_host_count(period=PERIOD, statistic="Maximum") for group in network_target_groups
            ]
            # A service behind an ALB route and an NLB has both alarms; an NLB-only service keeps the plain id.
            construct_id = "NlbUnhealthyTargets" if application_target_groups else "UnhealthyTargets"
            self._alarm(construct_id, _max(unhealthy), thresholds.unhealthy_targets, "unhealthy targets behind the NLB")
        names = [alarm.alarm_name for alarm in self.alarms] + list(extra_alarm_names)
        if names:
            service.cfn_service.add_property_override(
                "DeploymentConfiguration.Alarms", {"AlarmNames": names, "Enable": True, "Rollback": True}
            )

    def _application(self, groups: list[elbv2.ApplicationTargetGroup]) -> None:
        t = self.thresholds
        if t.error_rate_percent is not None:
            errors = {
                f"e{i}": g.metrics.http_code_target(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=PERIOD, statistic="Sum")
                for i, g in enumerate(groups)
            }
            requests = {f"r{i}": g.metrics.request_count(period=PERIOD, statistic="Sum") for i, g in enumerate(groups)}
            error_sum = " + ".join(f"FILL({key}, 0)" for key in errors)
            request_sum = " + ".join(f"FILL({key}, 0)" for key in requests)
            rate = cloudwatch.MathExpression(
                expression=f"IF(({request_sum}) > 0, 100 * ({error_sum}) / ({request_sum}), 0)",
                using_metrics={**errors, **requests},
                label="5xx from targets, % of requests",
                period=PERIOD,
            )
            self._alarm("ErrorRate", rate, t.error_rate_percent, "percent of requests answered 5xx by the service's tasks")
        for name, statistic, threshold in (("P95Latency", "p95", t.p95_ms), ("P99Latency", "p99", t.p99_ms)):
            if threshold is None:
                continue
            latency = [g.metrics.target_response_time(period=PERIOD, statistic=statistic) for g in groups]
            self._alarm(name, _max(latency), threshold / 1000, f"{statistic} target response time in seconds")
        if t.unhealthy_targets is not None:
            unhealthy = [g.metrics.unhealthy_host_count(period=PERIOD, statistic="Maximum") for g in groups]
            self._alarm(
                "UnhealthyTargets", _max(unhealthy), t.unhealthy_targets, "unhealthy targets in the service's target groups"
            )

    def _alarm(self, construct_id: str, metric: cloudwatch.IMetric, threshold: float, what: str) -> None:
        periods = self.thresholds.evaluation_periods
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods,
            datapoints_to_alarm=periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"Rolls a deployment back: {what} at or above {threshold:g} for {periods} minute(s)",
        )
        for action in self.actions:
            alarm.add_alarm_action(action)
        self.alarms.append(alarm)


def _max(metrics: Sequence[cloudwatch.IMetric]) -> cloudwatch.IMetric:
    """One metric as it is; several as the per-minute maximum over them (missing data counts as 0)."""
    if len(metrics) == 1:
        return metrics[0]
    using = {f"m{i}": metric for i, metric in enumerate(metrics)}
    return cloudwatch.MathExpression(
        expression="MAX([" + ", ".join(f"FILL({key}, 0)" for key in using) + "])", using_metrics=using, period=PERIOD
    )


class AlarmTopic(Construct):
    """The environment's alarm topic: SNS encrypted with its own rotating KMS key, SSL-only, with email and
    HTTPS subscribers. CloudWatch may use the key, so alarms can publish to the encrypted topic."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        emails: Sequence[str] = (),
        https_endpoints: Sequence[str] = (),
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        bad = [url for url in https_endpoints if not url.startswith("https://")]
        if bad:
            raise ValueError(f"AlarmTopic: HTTPS endpoints must start with https://, got {bad}")
        self.key = kms.Key(
            self,
            "Key",
            description="Encrypts the environment's alarm topic",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            )
        )
        self.topic = sns.Topic(self, "Topic", master_key=self.key, enforce_ssl=True, display_name="ECS environment alarms")
        for address in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(address))
        for url in https_endpoints:
            self.topic.add_subscription(subscriptions.UrlSubscription(url, protocol=sns.SubscriptionProtocol.HTTPS))
        self.action = cloudwatch_actions.SnsAction(self.topic)
        """The action every alarm of the environment takes."""


class ServiceAlarms(Construct):
    """A running service's health: CPU and memory high, fewer tasks running than desired, a worker's queue aging.

    Every alarm takes ``actions``; ``None`` turns one off.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service: EcsService,
        actions: Sequence[cloudwatch.IAlarmAction],
        cpu_percent: int | None = 90,
        memory_percent: int | None = 90,
        running_below_desired: bool = True,
        queue: sqs.IQueue | None = None,
        queue_age: Duration | None = Duration.minutes(15),
        periods: int = 5,
    ) -> None:
        super().__init__(scope, construct_id)
        if not 1 <= periods <= 30:
            raise ValueError("ServiceAlarms: periods must be 1-30")
        for percent in (cpu_percent, memory_percent):
            if percent is not None and not 1 <= percent <= 100:
                raise ValueError("ServiceAlarms: cpu_percent and memory_percent must be 1-100")
        self.periods = periods
        self.actions = list(actions)
        self.alarms: list[cloudwatch.Alarm] = []
        ecs_service = service.service
        if cpu_percent is not None:
            cpu = ecs_service.metric_cpu_utilization(period=PERIOD, statistic="Average")
            self._alarm("CpuHigh", cpu, cpu_percent, "average CPU utilization of the tasks, percent")
        if memory_percent is not None:
            memory = ecs_service.metric_memory_utilization(period=PERIOD, statistic="Average")
            self._alarm("MemoryHigh", memory, memory_percent, "average memory utilization of the tasks, percent")
        if running_below_desired:
            dimensions = {"ClusterName": ecs_service.cluster.cluster_name, "ServiceName": ecs_service.service_name}

            def insights(name: str) -> cloudwatch.Metric:
                return cloudwatch.Metric(
                    namespace="ECS/ContainerInsights",
                    metric_name=name,
                    dimensions_map=dimensions,
                    period=PERIOD,
                    statistic="Average",
                )

            missing = cloudwatch.MathExpression(
                expression="FILL(desired, 0) - FILL(running, 0)",
                using_metrics={"desired": insights("DesiredTaskCount"), "running": insights("RunningTaskCount")},
                label="tasks desired but not running",
                period=PERIOD,
            )
            self._alarm("RunningBelowDesired", missing, 1, "tasks desired but not running")
        if queue is not None and queue_age is not None:
            age = queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum")
            self._alarm("QueueAge", age, queue_age.to_seconds(), "age of the oldest message in the queue, seconds")

    def _alarm(self, construct_id: str, metric: cloudwatch.IMetric, threshold: float, what: str) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=self.periods,
            datapoints_to_alarm=self.periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{what} at or above {threshold:g} for {self.periods} minute(s)",
        )
        for action in self.actions:
            alarm.add_alarm_action(action)
        self.alarms.append(alarm)
