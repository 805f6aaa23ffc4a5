"""Deployment strategies in the shipped manifests: what reaches each service's template.

web (EC2 bridge) is blue/green and api (Fargate) canary in the demo; the shop's storefront is linear
with a lifecycle hook; orders (a backend) stays rolling. The shared apps are synthesized once.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from tests.conftest import ROOT, Synthesized, synthesize


@pytest.fixture(scope="module")
def shop() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "fargate-only.yaml")


def _resources(env: Synthesized, stack_name: str, kind: str) -> dict[str, dict[str, Any]]:
    template = env.template_json(stack_name)
    resources: dict[str, dict[str, Any]] = template["Resources"]  # type: ignore[assignment]
    return {logical_id: r for logical_id, r in resources.items() if r["Type"] == kind}


def _service(env: Synthesized, stack_name: str) -> dict[str, Any]:
    (service,) = _resources(env, stack_name, "AWS::ECS::Service").values()
    return service


def test_blue_green_service_gets_strategy_bake_time_and_keeps_the_circuit_breaker(default_env: Synthesized) -> None:
    configuration = _service(default_env, "demo-web")["Properties"]["DeploymentConfiguration"]

    assert configuration["Strategy"] == "BLUE_GREEN"
    assert configuration["BakeTimeInMinutes"] == 5
    assert configuration["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert "CanaryConfiguration" not in configuration and "LinearConfiguration" not in configuration


def test_canary_service_gets_its_percent_and_interval(default_env: Synthesized) -> None:
    configuration = _service(default_env, "demo-api")["Properties"]["DeploymentConfiguration"]

    assert configuration["Strategy"] == "CANARY"
    assert configuration["CanaryConfiguration"] == {"CanaryPercent": 10, "CanaryBakeTimeInMinutes": 5}


def test_linear_service_gets_its_step_interval_and_lifecycle_hook(shop: Synthesized) -> None:
    service = _service(shop, "shop-storefront")
    configuration = service["Properties"]["DeploymentConfiguration"]
    (role_id,) = [k for k in _resources(shop, "shop-storefront", "AWS::IAM::Role") if "InfrastructureRole" in k]

    assert configuration["Strategy"] == "LINEAR"
    assert configuration["BakeTimeInMinutes"] == 10
    assert configuration["LinearConfiguration"] == {"StepPercent": 20, "StepBakeTimeInMinutes": 3}
    assert configuration["LifecycleHooks"] == [
        {
            "HookTargetArn": "arn:aws:lambda:eu-west-1:111122223333:function:shop-smoke-test",
            "RoleArn": {"Fn::GetAtt": [role_id, "Arn"]},
            "LifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"],
        }
    ]


def test_rolling_services_say_so_and_get_no_traffic_shifting_resources(default_env: Synthesized) -> None:
    for stack_name in ("demo-orders", "demo-mqtt", "demo-queue"):
        configuration = _service(default_env, stack_name)["Properties"]["DeploymentConfiguration"]

        assert configuration["Strategy"] == "ROLLING"
        assert "BakeTimeInMinutes" not in configuration
        assert not [k for k in _resources(default_env, stack_name, "AWS::IAM::Role") if "InfrastructureRole" in k]


@pytest.mark.parametrize("stack_name", ["demo-web", "demo-api"])
def test_traffic_shifting_service_wires_alternate_group_rules_and_role(default_env: Synthesized, stack_name: str) -> None:
    """One LoadBalancers entry: production group plus AdvancedConfiguration naming what ECS shifts between."""
    (entry,) = _service(default_env, stack_name)["Properties"]["LoadBalancers"]
    groups = _resources(default_env, stack_name, "AWS::ElasticLoadBalancingV2::TargetGroup")
    rules = _resources(default_env, stack_name, "AWS::ElasticLoadBalancingV2::ListenerRule")
    advanced = entry["AdvancedConfiguration"]
    primary, alternate = entry["TargetGroupArn"]["Ref"], advanced["AlternateTargetGroupArn"]["Ref"]
    production, test = advanced["ProductionListenerRule"]["Ref"], advanced["TestListenerRule"]["Ref"]

    assert set(groups) == {primary, alternate}
    assert groups[primary]["Properties"] == groups[alternate]["Properties"]
    assert set(rules) == {production, test}
    weighted = [{"TargetGroupArn": {"Ref": primary}, "Weight": 100}, {"TargetGroupArn": {"Ref": alternate}, "Weight": 0}]
    for rule in (production, test):
        assert rules[rule]["Properties"]["Actions"] == [{"Type": "forward", "ForwardConfig": {"TargetGroups": weighted}}]
    # The production rule sits on the production listener, the test rule on the test listener, same conditions.
    assert rules[production]["Properties"]["ListenerArn"] != rules[test]["Properties"]["ListenerArn"]
    assert rules[production]["Properties"]["Conditions"] == rules[test]["Properties"]["Conditions"]
    assert advanced["RoleArn"]["Fn::GetAtt"][0] in _resources(default_env, stack_name, "AWS::IAM::Role")


def test_infrastructure_role_may_only_shift_this_services_traffic(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["web"])
    (entry,) = _service(default_env, "demo-web")["Properties"]["LoadBalancers"]
    advanced = entry["AdvancedConfiguration"]
    role_id = advanced["RoleArn"]["Fn::GetAtt"][0]
    roles = _resources(default_env, "demo-web", "AWS::IAM::Role")
    (policy,) = [
        p
        for p in _resources(default_env, "demo-web", "AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": role_id}]
    ]

    assert roles[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}}
    ]
    statements = [
        {**statement, "Resource": sorted(statement["Resource"], key=json.dumps)}
        if isinstance(statement["Resource"], list)
        else statement
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert statements == [
        {
            "Action": [
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetHealth",
            ],
            "Effect": "Allow",
            "Resource": "*",
        },
        {
            "Action": ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"],
            "Effect": "Allow",
            "Resource": sorted([entry["TargetGroupArn"], advanced["AlternateTargetGroupArn"]], key=json.dumps),
        },
        {
            "Action": "elasticloadbalancing:ModifyRule",
            "Effect": "Allow",
            "Resource": sorted([advanced["ProductionListenerRule"], advanced["TestListenerRule"]], key=json.dumps),
        },
    ]
    # ECS uses the role as the service is created: the service waits for the role's policy.
    template.has_resource("AWS::ECS::Service", {"DependsOn": Match.array_with([next(iter(_policy_ids(default_env, role_id)))])})


def _policy_ids(env: Synthesized, role_id: str) -> list[str]:
    return [
        k for k, p in _resources(env, "demo-web", "AWS::IAM::Policy").items() if p["Properties"]["Roles"] == [{"Ref": role_id}]
    ]


def test_hook_role_may_invoke_exactly_the_hook_functions(shop: Synthesized) -> None:
    statements = [
        s
        for p in _resources(shop, "shop-storefront", "AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if "lambda:InvokeFunction" in s["Action"]
    ]

    assert statements == [
        {
            "Action": "lambda:InvokeFunction",
            "Effect": "Allow",
            "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:shop-smoke-test",
        }
    ]


def test_test_listener_is_closed_to_the_internet_and_open_to_the_vpc(default_env: Synthesized) -> None:
    listeners = _resources(default_env, "demo-platform", "AWS::ElasticLoadBalancingV2::Listener")
    groups = _resources(default_env, "demo-platform", "AWS::EC2::SecurityGroup")
    (balancer_group,) = [g for k, g in groups.items() if k.startswith("LoadBalancerSecurityGroup")]
    on_test_port = [r for r in balancer_group["Properties"]["SecurityGroupIngress"] if r["FromPort"] == 8080]

    assert sorted(r["Properties"]["Port"] for r in listeners.values()) == [80, 8080]
    assert len(on_test_port) == 1
    assert on_test_port[0]["ToPort"] == 8080
    assert "Fn::ImportValue" in on_test_port[0]["CidrIp"]  # the VPC's CIDR, not 0.0.0.0/0


def test_https_environment_gets_an_https_test_listener(shop: Synthesized) -> None:
    by_port = {
        r["Properties"]["Port"]: r["Properties"]
        for r in _resources(shop, "shop-platform", "AWS::ElasticLoadBalancingV2::Listener").values()
    }

    assert by_port[8080]["Protocol"] == "HTTPS"
    assert by_port[8080]["SslPolicy"] == by_port[443]["SslPolicy"]
    assert by_port[8080]["Certificates"] == by_port[443]["Certificates"]


# --- rollback alarms ---------------------------------------------------------------------------


def _alarm_thresholds(env: Synthesized, stack_name: str) -> dict[str, float]:
    """Deployment alarms of a stack by the last part of their construct path, with their thresholds."""
    named = _service(env, stack_name)["Properties"]["DeploymentConfiguration"].get("Alarms", {}).get("AlarmNames", [])
    alarms = _resources(env, stack_name, "AWS::CloudWatch::Alarm")
    found = {}
    for name in named:
        logical_id = name["Ref"]
        found[logical_id.removeprefix("DeploymentAlarms")[:-8]] = alarms[logical_id]["Properties"]["Threshold"]
    return found


def test_every_strategy_rolls_back_on_its_load_balancer_alarms(default_env: Synthesized, shop: Synthesized) -> None:
    assert _alarm_thresholds(default_env, "demo-web") == {
        "ErrorRate": 5,
        "P95Latency": 1,
        "P99Latency": 2.5,
        "UnhealthyTargets": 1,
    }
    assert _alarm_thresholds(default_env, "demo-api") == {
        "ErrorRate": 5,
        "P95Latency": 0.8,
        "P99Latency": 2.5,
        "UnhealthyTargets": 1,
    }
    assert _alarm_thresholds(shop, "shop-storefront") == {"ErrorRate": 2, "P95Latency": 1, "P99Latency": 2, "UnhealthyTargets": 1}
    assert _alarm_thresholds(default_env, "demo-mqtt") == {"UnhealthyTargets": 1}  # rolling, behind an NLB
    for stack_name in ("demo-web", "demo-api", "demo-mqtt"):
        alarms = _service(default_env, stack_name)["Properties"]["DeploymentConfiguration"]["Alarms"]
        assert (alarms["Enable"], alarms["Rollback"]) == (True, True)


def test_a_service_without_a_load_balancer_gets_no_rollback_alarms(default_env: Synthesized) -> None:
    for stack_name in ("demo-orders", "demo-queue"):
        assert "Alarms" not in _service(default_env, stack_name)["Properties"]["DeploymentConfiguration"]


# --- the alarm topic and the services' health alarms ----------------------------------------------


def _topic_ref(env: Synthesized, platform: str) -> str:
    (topic_id,) = _resources(env, platform, "AWS::SNS::Topic").keys() - {
        k for k in _resources(env, platform, "AWS::SNS::Topic") if k.startswith("CapacityEvents")
    }
    return topic_id


def test_one_encrypted_topic_per_environment_with_the_manifests_subscribers(default_env: Synthesized, shop: Synthesized) -> None:
    for env, platform, subscriber in (
        (default_env, "demo-platform", ("email", "ops@example.com")),
        (shop, "shop-platform", ("https", "https://hooks.example.com/ecs-alarms")),
    ):
        topic_id = _topic_ref(env, platform)
        topic = _resources(env, platform, "AWS::SNS::Topic")[topic_id]["Properties"]
        (subscription,) = _resources(env, platform, "AWS::SNS::Subscription").values()
        key_id = topic["KmsMasterKeyId"]["Fn::GetAtt"][0]
        key = _resources(env, platform, "AWS::KMS::Key")[key_id]["Properties"]
        cloudwatch = [s for s in key["KeyPolicy"]["Statement"] if s.get("Sid") == "CloudWatchAlarmsPublish"]

        assert (subscription["Properties"]["Protocol"], subscription["Properties"]["Endpoint"]) == subscriber
        assert subscription["Properties"]["TopicArn"] == {"Ref": topic_id}
        assert key["EnableKeyRotation"] is True
        assert cloudwatch[0]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}


def test_every_alarm_of_every_stack_has_an_action(default_env: Synthesized, shop: Synthesized) -> None:
    checked = 0
    for env in (default_env, shop):
        for stack in env.environment.stacks:
            for logical_id, alarm in _resources(env, stack.stack_name, "AWS::CloudWatch::Alarm").items():
                assert alarm["Properties"].get("AlarmActions"), f"{stack.stack_name}/{logical_id} has no action"
                checked += 1
    assert checked >= 30


def test_services_get_cpu_memory_running_and_queue_alarms_on_the_topic(default_env: Synthesized) -> None:
    topic = f"demo-platform:ExportsOutputRef{_topic_ref(default_env, 'demo-platform')}"

    def health(stack_name: str) -> dict[str, float]:
        alarms = _resources(default_env, stack_name, "AWS::CloudWatch::Alarm")
        found = {}
        for logical_id, alarm in alarms.items():
            if logical_id.startswith("Alarms"):
                assert json.dumps(alarm["Properties"]["AlarmActions"]).count(topic) == 1
                assert alarm["Properties"]["EvaluationPeriods"] == 5
                found[logical_id.removeprefix("Alarms")[:-8]] = alarm["Properties"]["Threshold"]
        return found

    assert health("demo-orders") == {"CpuHigh": 90, "MemoryHigh": 90, "RunningBelowDesired": 1}
    assert health("demo-queue") == {"CpuHigh": 90, "MemoryHigh": 80, "RunningBelowDesired": 1, "QueueAge": 600}
    web = _resources(default_env, "demo-web", "AWS::CloudWatch::Alarm")
    rollback = [a for k, a in web.items() if k.startswith("DeploymentAlarms")]
    assert rollback and all(topic in json.dumps(a["Properties"]["AlarmActions"]) for a in rollback)


def test_a_jobs_failure_alarms_notify_the_topic(default_env: Synthesized) -> None:
    alarms = _resources(default_env, "demo-nightly-report", "AWS::CloudWatch::Alarm")

    assert len(alarms) == 2
    assert all("demo-platform:ExportsOutputRefAlarms" in json.dumps(a["Properties"]["AlarmActions"]) for a in alarms.values())


# --- the environment's dashboard ------------------------------------------------------------------


def _reference(part: dict[str, Any]) -> str:
    if "Ref" in part:
        return f"Ref:{part['Ref']}"
    if "Fn::GetAtt" in part:
        return "GetAtt:" + ".".join(part["Fn::GetAtt"])
    return next(iter(part))


def _dashboard(env: Synthesized, platform: str) -> tuple[str, dict[str, Any]]:
    """The dashboard's name and its body, with every CloudFormation reference written as <Ref:logical id>."""
    (dashboard,) = _resources(env, platform, "AWS::CloudWatch::Dashboard").values()
    parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    text = "".join(part if isinstance(part, str) else f"<{_reference(part)}>" for part in parts)
    return dashboard["Properties"]["DashboardName"], json.loads(text)


def test_one_dashboard_per_environment_draws_every_service_group_and_queue(default_env: Synthesized, shop: Synthesized) -> None:
    name, body = _dashboard(default_env, "demo-platform")
    titles = [w["properties"]["title"] for w in body["widgets"]]
    expressions = [m[0]["expression"] for w in body["widgets"] for m in w["properties"]["metrics"]]

    assert name == "demo-ecs"
    assert titles == [
        "CPU utilization per service (%)",
        "Memory utilization per service (%)",
        "Running vs desired tasks per service",
        "Requests per target group",
        "5xx from targets per target group",
        "Target response time per target group (s)",
        "Target health per target group",
        "EC2 capacity: reservation per capacity provider (%)",
        "EC2 capacity: container instances in the cluster",
        "Queue depth (visible messages)",
    ]
    cluster = 'ClusterName="<Ref:ClusterC2E21B66>"'
    assert all(cluster in e for e in expressions if "ClusterName" in e.split("}")[0])
    assert sum("ApplicationELB" in e and "LoadBalancerFullName" in e for e in expressions) == 6
    assert any("DesiredTaskCount" in e for e in expressions) and any("RunningTaskCount" in e for e in expressions)

    _, shop_body = _dashboard(shop, "shop-platform")
    shop_titles = [w["properties"]["title"] for w in shop_body["widgets"]]
    assert not [t for t in shop_titles if t.startswith("EC2 capacity") or t.startswith("Queue")]  # Fargate only, no queue
