"""Task-count autoscaling for an ECS service: target tracking, steps, schedules and queue backlog."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aws_cdk import Duration, TimeZone
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ecs_toolkit.constructs.service import EcsService

Policy = appscaling.CfnScalingPolicy


@dataclass(frozen=True)
class CustomMetricTarget:
    namespace: str
    metric_name: str
    target: float
    dimensions: Mapping[str, str] = field(default_factory=dict)
    statistic: str = "Average"


@dataclass(frozen=True)
class StepInterval:
    """Metric in [lower, upper) changes the task count by ``change``."""

    change: int
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class StepPolicy:
    metric: str  # "cpu" or "memory"
    intervals: Sequence[StepInterval]
    evaluation_periods: int = 1
    cooldown: Duration = Duration.seconds(60)


@dataclass(frozen=True)
class ScheduledCapacity:
    expression: str
    time_zone: str | None = None
    min_capacity: int | None = None
    max_capacity: int | None = None


@dataclass(frozen=True)
class PredictivePolicy:
    """Predictive scaling on ECS's CPU or memory metric pair (``cpu`` or ``memory``)."""

    metric: str
    target_percent: int
    forecast_only: bool = False
    scheduling_buffer: Duration = Duration.seconds(300)
    max_capacity_buffer_percent: int | None = None
    """Let the forecast raise the maximum by this much; None keeps the maximum."""


PREDICTIVE_METRICS = {"cpu": "ECSServiceCPUUtilization", "memory": "ECSServiceMemoryUtilization"}
"""Application Auto Scaling's predefined metric pairs for ECS services (load and scaling metric)."""


@dataclass(frozen=True)
class QueueBacklogTarget:
    """Visible messages per running task, read through metric math (no Lambda)."""

    queue: sqs.IQueue
    backlog_per_task: int
    cluster_name: str


class ServiceScaling(Construct):
    """A scalable target on the service's desired count and the policies the caller asks for.

    The service should be created without a desired count: CloudFormation then leaves the
    running count to Application Auto Scaling on every later deploy.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service: EcsService,
        min_capacity: int,
        max_capacity: int,
        cpu_percent: int | None = None,
        memory_percent: int | None = None,
        requests_per_target: int | None = None,
        target_group: elbv2.ApplicationTargetGroup | None = None,
        custom_metric: CustomMetricTarget | None = None,
        scale_out_cooldown: Duration = Duration.seconds(60),
        scale_in_cooldown: Duration = Duration.seconds(300),
        steps: StepPolicy | None = None,
        schedule: Sequence[ScheduledCapacity] = (),
        queue_backlog: QueueBacklogTarget | None = None,
        predictive: PredictivePolicy | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if max_capacity < min_capacity:
            raise ValueError(f"ServiceScaling: max_capacity {max_capacity} is less than min_capacity {min_capacity}")
        for name, percent in (("cpu_percent", cpu_percent), ("memory_percent", memory_percent)):
            if percent is not None and not 1 <= percent <= 100:
                raise ValueError(f"ServiceScaling: {name} must be 1-100, got {percent}")
        if requests_per_target is not None and target_group is None:
            raise ValueError("ServiceScaling: requests_per_target needs the target group")
        if predictive is not None and (predictive.metric not in PREDICTIVE_METRICS or not 1 <= predictive.target_percent <= 100):
            raise ValueError("ServiceScaling: predictive scaling needs metric cpu or memory and a target of 1-100")
        self.service = service
        self.target = appscaling.ScalableTarget(
            self,
            "Target",
            service_namespace=appscaling.ServiceNamespace.ECS,
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=f"service/{service.service.cluster.cluster_name}/{service.service.service_name}",
            min_capacity=min_capacity,
            max_capacity=max_capacity,
        )
        predefined = (
            ("Cpu", cpu_percent, appscaling.PredefinedMetric.ECS_SERVICE_AVERAGE_CPU_UTILIZATION),
            ("Memory", memory_percent, appscaling.PredefinedMetric.ECS_SERVICE_AVERAGE_MEMORY_UTILIZATION),
        )
        for policy_id, percent, metric in predefined:
            if percent is not None:
                self.target.scale_to_track_metric(
                    policy_id,
                    target_value=percent,
                    predefined_metric=metric,
                    scale_in_cooldown=scale_in_cooldown,
                    scale_out_cooldown=scale_out_cooldown,
                )
        if requests_per_target is not None and target_group is not None:
            self.target.scale_to_track_metric(
                "Requests",
                target_value=requests_per_target,
                predefined_metric=appscaling.PredefinedMetric.ALB_REQUEST_COUNT_PER_TARGET,
                resource_label=f"{target_group.first_load_balancer_full_name}/{target_group.target_group_full_name}",
                scale_in_cooldown=scale_in_cooldown,
                scale_out_cooldown=scale_out_cooldown,
            )
        if custom_metric is not None:
            self.target.scale_to_track_metric(
                "Custom",
                target_value=custom_metric.target,
                custom_metric=cloudwatch.Metric(
                    namespace=custom_metric.namespace,
                    metric_name=custom_metric.metric_name,
                    dimensions_map=dict(custom_metric.dimensions),
                    statistic=custom_metric.statistic,
                ),
                scale_in_cooldown=scale_in_cooldown,
                scale_out_cooldown=scale_out_cooldown,
            )
        if steps is not None:
            self._steps(steps)
        for index, action in enumerate(schedule):
            self.target.scale_on_schedule(
                f"Schedule{index}",
                schedule=appscaling.Schedule.expression(action.expression),
                time_zone=TimeZone.of(action.time_zone) if action.time_zone else None,
                min_capacity=action.min_capacity,
                max_capacity=action.max_capacity,
            )
        if queue_backlog is not None:
            self._queue_backlog(queue_backlog, scale_in_cooldown, scale_out_cooldown)
        if predictive is not None:
            self._predictive(predictive)

    def _predictive(self, policy: PredictivePolicy) -> None:
        increase = policy.max_capacity_buffer_percent is not None
        Policy(
            self,
            "Predictive",
            policy_name=f"{self.node.path.replace('/', '-')}-predictive",
            policy_type="PredictiveScaling",
            scaling_target_id=self.target.scalable_target_id,
            predictive_scaling_policy_configuration=Policy.PredictiveScalingPolicyConfigurationProperty(
                metric_specifications=[
                    Policy.PredictiveScalingMetricSpecificationProperty(
                        target_value=policy.target_percent,
                        predefined_metric_pair_specification=Policy.PredictiveScalingPredefinedMetricPairProperty(
                            predefined_metric_type=PREDICTIVE_METRICS[policy.metric]
                        ),
                    )
                ],
                mode="ForecastOnly" if policy.forecast_only else "ForecastAndScale",
                scheduling_buffer_time=int(policy.scheduling_buffer.to_seconds()),
                max_capacity_breach_behavior="IncreaseMaxCapacity" if increase else "HonorMaxCapacity",
                max_capacity_buffer=policy.max_capacity_buffer_percent,
            ),
        )

    def _steps(self, policy: StepPolicy) -> None:
        metric = (
            self.service.service.metric_cpu_utilization(period=Duration.minutes(1))
            if policy.metric == "cpu"
            else self.service.service.metric_memory_utilization(period=Duration.minutes(1))
        )
        self.target.scale_on_metric(
            "Steps",
            metric=metric,
            scaling_steps=[appscaling.ScalingInterval(change=i.change, lower=i.lower, upper=i.upper) for i in policy.intervals],
            adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
            cooldown=policy.cooldown,
            evaluation_periods=policy.evaluation_periods,
        )

    def _queue_backlog(self, backlog: QueueBacklogTarget, scale_in: Duration, scale_out: Duration) -> None:
        """Target tracking on ``visible / running`` (CloudFormation supports it; the L2 does not)."""

        def query(
            query_id: str, namespace: str, metric_name: str, dimensions: dict[str, str], stat: str
        ) -> Policy.TargetTrackingMetricDataQueryProperty:
            return Policy.TargetTrackingMetricDataQueryProperty(
                id=query_id,
                return_data=False,
                metric_stat=Policy.TargetTrackingMetricStatProperty(
                    stat=stat,
                    metric=Policy.TargetTrackingMetricProperty(
                        namespace=namespace,
                        metric_name=metric_name,
                        dimensions=[Policy.TargetTrackingMetricDimensionProperty(name=k, value=v) for k, v in dimensions.items()],
                    ),
                ),
            )

        Policy(
            self,
            "QueueBacklog",
            policy_name=f"{self.node.path.replace('/', '-')}-backlog",
            policy_type="TargetTrackingScaling",
            scaling_target_id=self.target.scalable_target_id,
            target_tracking_scaling_policy_configuration=Policy.TargetTrackingScalingPolicyConfigurationProperty(
                target_value=backlog.backlog_per_task,
                scale_in_cooldown=int(scale_in.to_seconds()),
                scale_out_cooldown=int(scale_out.to_seconds()),
                customized_metric_specification=Policy.CustomizedMetricSpecificationProperty(
                    metrics=[
                        query(
                            "visible",
                            "AWS/SQS",
                            "ApproximateNumberOfMessagesVisible",
                            {"QueueName": backlog.queue.queue_name},
                            "Sum",
                        ),
                        query(
                            "running",
                            "ECS/ContainerInsights",
                            "RunningTaskCount",
                            {"ClusterName": backlog.cluster_name, "ServiceName": self.service.service.service_name},
                            "Average",
                        ),
                        Policy.TargetTrackingMetricDataQueryProperty(
                            id="backlog",
                            expression="visible / IF(running > 0, running, 1)",
                            label="Backlog per task",
                            return_data=True,
                        ),
                    ]
                ),
            ),
        )
