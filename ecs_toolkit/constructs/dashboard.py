"""One CloudWatch dashboard per environment, built from metric search expressions.

Services live in their own stacks and CloudFormation names them, so the dashboard (in the platform
stack) does not list them: each graph searches the cluster's (or the load balancer's) metrics and
draws one line per service, target group or capacity provider, including services added later.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

PERIOD = Duration.minutes(1)
WIDTH = 12
HEIGHT = 6


def _dim(name: str) -> str:
    """A dynamic label: each line of a search is named by its own dimension value."""
    return "${PROP('Dim." + name + "')}"


def _search(
    namespace: str, dimensions: Sequence[str], filters: str, metric: str, statistic: str, label: str
) -> cloudwatch.IMetric:
    schema = ",".join([namespace, *dimensions])
    return cloudwatch.MathExpression(
        expression=f"SEARCH('{{{schema}}} MetricName=\"{metric}\" {filters}', '{statistic}', 60)",
        using_metrics={},
        label=label,
        period=PERIOD,
    )


class EnvironmentDashboard(Construct):
    """Per service CPU, memory, running vs desired tasks; per target group requests, 5xx, latency and health;
    per capacity provider the reservation; the cluster's instances; the environment's queues."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        dashboard_name: str,
        cluster_name: str,
        load_balancer_full_name: str | None = None,
        ec2_capacity: bool = False,
        queue_name_term: str | None = None,
    ) -> None:
        """``queue_name_term``: the queues shown are those whose names hold it as a word (CloudFormation names a
        stack's queues ``<environment>-<service>-<id>-<suffix>``, and search splits names at hyphens)."""
        super().__init__(scope, construct_id)
        cluster = f'ClusterName="{cluster_name}"'
        service_dims = ("ClusterName", "ServiceName")

        def service_graph(title: str, namespace: str, metrics: Sequence[tuple[str, str]]) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(
                title=title,
                left=[
                    _search(namespace, service_dims, cluster, metric, statistic, f"{_dim('ServiceName')} {metric}")
                    for metric, statistic in metrics
                ],
                width=WIDTH,
                height=HEIGHT,
            )

        widgets: list[cloudwatch.IWidget] = [
            service_graph("CPU utilization per service (%)", "AWS/ECS", [("CPUUtilization", "Average")]),
            service_graph("Memory utilization per service (%)", "AWS/ECS", [("MemoryUtilization", "Average")]),
            service_graph(
                "Running vs desired tasks per service",
                "ECS/ContainerInsights",
                [("RunningTaskCount", "Average"), ("DesiredTaskCount", "Average")],
            ),
        ]
        if load_balancer_full_name is not None:
            balancer = f'LoadBalancer="{load_balancer_full_name}"'
            group_dims = ("LoadBalancer", "TargetGroup")

            def group_graph(title: str, metrics: Sequence[tuple[str, str]]) -> cloudwatch.GraphWidget:
                return cloudwatch.GraphWidget(
                    title=title,
                    left=[
                        _search(
                            "AWS/ApplicationELB",
                            group_dims,
                            balancer,
                            metric,
                            statistic,
                            f"{_dim('TargetGroup')} {metric} {statistic}",
                        )
                        for metric, statistic in metrics
                    ],
                    width=WIDTH,
                    height=HEIGHT,
                )

            widgets += [
                group_graph("Requests per target group", [("RequestCount", "Sum")]),
                group_graph("5xx from targets per target group", [("HTTPCode_Target_5XX_Count", "Sum")]),
                group_graph(
                    "Target response time per target group (s)", [("TargetResponseTime", "p95"), ("TargetResponseTime", "p99")]
                ),
                group_graph(
                    "Target health per target group", [("HealthyHostCount", "Minimum"), ("UnHealthyHostCount", "Maximum")]
                ),
            ]
        if ec2_capacity:
            widgets += [
                cloudwatch.GraphWidget(
                    title="EC2 capacity: reservation per capacity provider (%)",
                    left=[
                        _search(
                            "AWS/ECS/ManagedScaling",
                            ("CapacityProviderName", "ClusterName"),
                            cluster,
                            "CapacityProviderReservation",
                            "Average",
                            _dim("CapacityProviderName"),
                        )
                    ],
                    width=WIDTH,
                    height=HEIGHT,
                ),
                cloudwatch.GraphWidget(
                    title="EC2 capacity: container instances in the cluster",
                    left=[
                        _search(
                            "ECS/ContainerInsights", ("ClusterName",), cluster, "ContainerInstanceCount", "Average", "instances"
                        )
                    ],
                    width=WIDTH,
                    height=HEIGHT,
                ),
            ]
        if queue_name_term is not None:
            widgets.append(
                cloudwatch.GraphWidget(
                    title="Queue depth (visible messages)",
                    left=[
                        _search(
                            "AWS/SQS",
                            ("QueueName",),
                            queue_name_term,
                            "ApproximateNumberOfMessagesVisible",
                            "Maximum",
                            _dim("QueueName"),
                        )
                    ],
                    width=WIDTH,
                    height=HEIGHT,
                )
            )
        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=dashboard_name, default_interval=Duration.hours(3)
        )
        for index in range(0, len(widgets), 2):
            self.dashboard.add_widgets(*widgets[index : index + 2])
