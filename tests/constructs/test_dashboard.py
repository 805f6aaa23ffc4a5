"""EnvironmentDashboard: graphs are metric searches, so services the dashboard never names still show."""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import assertions

from ecs_toolkit.constructs import EnvironmentDashboard
from tests.conftest import new_app


def _body(stack: cdk.Stack) -> dict[str, object]:
    (dashboard,) = assertions.Template.from_stack(stack).find_resources("AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]
    text = body if isinstance(body, str) else "".join(p if isinstance(p, str) else "REF" for p in body["Fn::Join"][1])
    loaded: dict[str, object] = json.loads(text)
    return loaded


def test_a_fargate_environment_without_a_load_balancer_gets_the_service_graphs_only() -> None:
    stack = cdk.Stack(new_app(), "Bare")
    EnvironmentDashboard(stack, "Dashboard", dashboard_name="bare-ecs", cluster_name="bare-cluster")

    widgets = _body(stack)["widgets"]
    assert isinstance(widgets, list)
    titles = [w["properties"]["title"] for w in widgets]
    assert titles == [
        "CPU utilization per service (%)",
        "Memory utilization per service (%)",
        "Running vs desired tasks per service",
    ]
    expression = widgets[0]["properties"]["metrics"][0][0]
    assert expression["expression"] == (
        "SEARCH('{AWS/ECS,ClusterName,ServiceName} MetricName=\"CPUUtilization\" ClusterName=\"bare-cluster\"', 'Average', 60)"
    )
    assert expression["label"] == "${PROP('Dim.ServiceName')} CPUUtilization"  # one line per service, named by it


def test_groups_capacity_and_queues_add_their_graphs() -> None:
    stack = cdk.Stack(new_app(), "Full")
    EnvironmentDashboard(
        stack,
        "Dashboard",
        dashboard_name="full-ecs",
        cluster_name="c",
        load_balancer_full_name="app/full/123",
        ec2_capacity=True,
        queue_name_term="full",
    )

    widgets = _body(stack)["widgets"]
    assert isinstance(widgets, list)
    assert len(widgets) == 10
    queue = widgets[-1]["properties"]["metrics"][0][0]["expression"]
    assert queue == "SEARCH('{AWS/SQS,QueueName} MetricName=\"ApproximateNumberOfMessagesVisible\" full', 'Maximum', 60)"
