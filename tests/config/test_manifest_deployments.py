"""Deployment strategies: what each takes, and the combinations ECS (or this toolkit) rejects.

``manifest.service(body)`` puts the body's first line on line 12 under ``services.api``. ``WEB``
takes lines 12-17 (route included), so ``deployment:`` is on line 18 and its first key on line 19.
"""

from __future__ import annotations

import pytest

WEB = "kind: web\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\nroute: {path: /api/*}\n"
BACKEND = "kind: backend\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\n"


def deployment(body: str, base: str = WEB) -> str:
    return base + "deployment:\n" + "".join(f"  {line}\n" for line in body.strip().splitlines())


@pytest.mark.parametrize("strategy", ["rolling", "blue-green", "canary", "linear"])
def test_loads_each_strategy_on_a_routed_web_service(manifest, strategy: str) -> None:
    config = manifest.load(manifest.service(deployment(f"strategy: {strategy}")))

    assert config.services["api"].deployment.strategy == strategy


def test_defaults_follow_ecs_defaults(manifest) -> None:
    config = manifest.load(manifest.service(deployment("strategy: canary\ncanary: {}")))
    settings = config.services["api"].deployment

    assert (settings.bake_time_minutes, settings.canary, settings.linear) == (5, settings.canary, None)
    assert settings.canary is not None
    assert (settings.canary.percent, settings.canary.interval_minutes) == (5.0, 10)


def test_fails_when_a_strategy_is_unknown(manifest) -> None:
    (problem,) = manifest.problems(manifest.service(deployment("strategy: red-black")))

    assert problem.startswith("19: services.api.deployment.strategy: ")
    assert "rolling" in problem and "blue-green" in problem and "canary" in problem and "linear" in problem


@pytest.mark.parametrize("strategy", ["blue-green", "canary", "linear"])
def test_fails_when_a_traffic_shifting_strategy_has_nothing_to_shift(manifest, strategy: str) -> None:
    problems = manifest.problems(manifest.service(deployment(f"strategy: {strategy}", base=BACKEND)))

    assert problems == [
        f"18: services.api.deployment.strategy: {strategy} needs something ECS can move traffic on: a route on the "
        "shared load balancer, an nlb, or discovery.service_connect (without one ECS shifts no traffic; use rolling "
        "otherwise)"
    ]


@pytest.mark.parametrize("strategy", ["blue-green", "canary", "linear"])
def test_loads_each_traffic_shifting_strategy_on_an_nlb(manifest, strategy: str) -> None:
    body = BACKEND.replace("backend", "web") + "nlb: {port: 1883, test_listener: {port: 9883, allow_from: [10.8.0.0/16]}}\n"
    config = manifest.load(manifest.service(deployment(f"strategy: {strategy}", base=body)))
    nlb = config.services["api"].nlb

    assert nlb is not None and (nlb.test_listener.port, nlb.test_listener.allow_from) == (9883, ["10.8.0.0/16"])


@pytest.mark.parametrize("strategy", ["blue-green", "canary", "linear"])
def test_loads_each_traffic_shifting_strategy_on_service_connect(manifest, strategy: str) -> None:
    body = BACKEND + "discovery: {service_connect: true, app_protocol: http}\n"
    text = deployment(f"strategy: {strategy}\ntest_traffic_header: {{name: x-release-test, value: 'yes'}}", base=body)
    header = manifest.load(manifest.service(text)).services["api"].deployment.test_traffic_header

    assert header is not None and (header.name, header.value) == ("x-release-test", "yes")


def test_fails_when_a_traffic_shifting_service_has_a_route_and_an_nlb(manifest) -> None:
    body = WEB + "nlb: {port: 1883}\n" + "deployment:\n  strategy: linear\n"

    assert manifest.problems(manifest.service(body)) == [
        "20: services.api.deployment.strategy: linear shifts one load balancer per service, and this service has "
        "a route and an nlb: use rolling, or move one of them to another service"
    ]


def test_fails_when_the_nlb_test_listener_takes_the_production_port_or_a_bad_cidr(manifest) -> None:
    body = BACKEND.replace("backend", "web") + "nlb:\n  port: 8080\n  test_listener: {allow_from: [10.8.0.1/16, nowhere]}\n"

    assert manifest.problems(manifest.service(deployment("strategy: blue-green", base=body))) == [
        "19: services.api.nlb.test_listener.allow_from.0: '10.8.0.1/16' has host bits set: the network is 10.8.0.0/16",
        "19: services.api.nlb.test_listener.allow_from.1: 'nowhere' is not an IPv4 CIDR (10.8.0.0/16)",
        # The default port (8080) is reported where the test listener is written.
        "19: services.api.nlb.test_listener.port: 8080 is the production listener's port: give the test listener "
        "another one (8080 by default)",
    ]


def test_fails_when_a_rolling_service_sets_a_test_listener_or_header(manifest) -> None:
    body = (
        BACKEND.replace("backend", "web")
        + "nlb: {port: 1883, test_listener: {port: 9883}}\n"
        + "discovery: {service_connect: true, app_protocol: http}\n"
    )

    assert manifest.problems(manifest.service(deployment("test_traffic_header: {name: x-test}", base=body))) == [
        "17: services.api.nlb.test_listener: is created only for strategies blue-green, canary and linear, not rolling",
        "20: services.api.deployment.test_traffic_header: applies only to strategies blue-green, canary and linear, not rolling",
    ]


def test_fails_when_a_test_header_has_no_service_connect_or_no_http(manifest) -> None:
    routed = deployment("strategy: canary\ntest_traffic_header: {name: x-test}")
    connected = deployment(
        "strategy: canary\ntest_traffic_header: {name: x-test}", base=BACKEND + "discovery: {service_connect: true}\n"
    )

    assert manifest.problems(manifest.service(routed)) == [
        "20: services.api.deployment.test_traffic_header: is a Service Connect test traffic rule: it needs "
        "discovery.service_connect on this service"
    ]
    assert manifest.problems(manifest.service(connected)) == [
        "20: services.api.deployment.test_traffic_header: Service Connect matches test headers on HTTP traffic only: "
        "set discovery.app_protocol (http, http2 or grpc)"
    ]


def test_fails_on_a_malformed_header_name_and_an_app_protocol_without_service_connect(manifest) -> None:
    bad_name = deployment(
        "strategy: canary\ntest_traffic_header: {name: 'x test'}",
        base=BACKEND + "discovery: {service_connect: true, app_protocol: http}\n",
    )
    (problem,) = manifest.problems(manifest.service(bad_name))
    assert problem.startswith("20: services.api.deployment.test_traffic_header.name: ")
    assert "an HTTP header name" in problem

    assert manifest.problems(manifest.service(BACKEND + "discovery: {app_protocol: grpc}\n")) == [
        "17: services.api.discovery.app_protocol: applies to Service Connect: set discovery.service_connect and a port"
    ]


@pytest.mark.parametrize(
    ("body", "line", "field", "message"),
    [
        ("strategy: canary\ncanary: {percent: 0}", 20, "canary.percent", "0.1"),
        ("strategy: canary\ncanary: {percent: 100.5}", 20, "canary.percent", "100"),
        ("strategy: linear\nlinear: {step_percent: 2.9}", 20, "linear.step_percent", "3"),
        ("strategy: linear\nlinear: {interval_minutes: 1441}", 20, "linear.interval_minutes", "1440"),
        ("strategy: blue-green\nbake_time_minutes: -1", 20, "bake_time_minutes", "0"),
    ],
    ids=["canary-zero", "canary-over-100", "linear-under-3", "linear-interval", "bake-negative"],
)
def test_fails_on_values_outside_ecs_ranges(manifest, body: str, line: int, field: str, message: str) -> None:
    (problem,) = manifest.problems(manifest.service(deployment(body)))

    assert problem.startswith(f"{line}: services.api.deployment.{field}: ")
    assert message in problem


def test_fails_when_a_percent_is_not_a_multiple_of_a_tenth(manifest) -> None:
    problems = manifest.problems(manifest.service(deployment("strategy: canary\ncanary: {percent: 7.25}")))

    assert problems == [
        "20: services.api.deployment.canary.percent: 7.25 is not a multiple of 0.1 (ECS takes 0.1 to 100 in steps of 0.1)"
    ]


def test_accepts_a_percent_in_tenths(manifest) -> None:
    config = manifest.load(manifest.service(deployment("strategy: linear\nlinear: {step_percent: 12.5}")))

    assert config.services["api"].deployment.linear is not None
    assert config.services["api"].deployment.linear.step_percent == 12.5


def test_fails_when_settings_belong_to_another_strategy(manifest) -> None:
    problems = manifest.problems(manifest.service(deployment("strategy: canary\nlinear: {step_percent: 10}")))

    assert problems == ["20: services.api.deployment.linear: applies only to strategy linear, not canary"]


def test_fails_when_rolling_gets_a_bake_time_or_hooks(manifest) -> None:
    hook = "arn:aws:lambda:eu-west-1:111122223333:function:smoke"
    body = f"bake_time_minutes: 10\nhooks: {{post_scale_up: {hook}}}"

    assert manifest.problems(manifest.service(deployment(body))) == [
        "19: services.api.deployment.bake_time_minutes: applies only to strategies blue-green, canary and linear, not rolling",
        "20: services.api.deployment.hooks: lifecycle hooks run only in blue-green, canary and linear deployments, not rolling",
    ]


def test_fails_when_a_traffic_shifting_strategy_sets_rolling_percents(manifest) -> None:
    problems = manifest.problems(manifest.service(deployment("strategy: blue-green\nmax_percent: 150")))

    assert problems == [
        "18: services.api.deployment: min_healthy_percent and max_percent apply to rolling deployments; "
        "blue-green starts the full new revision beside the old one"
    ]


def test_fails_when_a_canary_outlasts_cloudformation(manifest) -> None:
    body = "strategy: canary\nbake_time_minutes: 1000\ncanary: {interval_minutes: 1000}"

    assert manifest.problems(manifest.service(deployment(body))) == [
        "18: services.api.deployment: bake_time_minutes + canary.interval_minutes is 2000 minutes; "
        "CloudFormation rejects a canary deployment longer than 1980 (33 hours)"
    ]


def test_fails_on_an_unknown_stage_or_a_malformed_function_arn(manifest) -> None:
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:a"
    body = f"strategy: blue-green\nhooks:\n  after_everything: {arn}\n  pre_scale_up: smoke"

    problems = manifest.problems(manifest.service(deployment(body)))

    assert len(problems) == 2
    assert problems[0].startswith("21: services.api.deployment.hooks")
    assert "pre_scale_up" in problems[0] and "post_test_traffic_shift" in problems[0]
    assert problems[1].startswith("22: services.api.deployment.hooks.pre_scale_up: ")


def test_fails_when_the_test_listener_takes_a_production_port_or_a_bad_cidr(manifest) -> None:
    text = manifest.service(deployment("strategy: blue-green")).replace(
        "load_balancer: {}", "load_balancer: {test_listener: {port: 443, allow_from: [10.1.2.3/16, nonsense]}}"
    )

    assert sorted(manifest.problems(text)) == [
        "2: load_balancer.test_listener.allow_from.0: '10.1.2.3/16' has host bits set: the network is 10.1.0.0/16",
        "2: load_balancer.test_listener.allow_from.1: 'nonsense' is not an IPv4 CIDR (10.8.0.0/16)",
        "2: load_balancer.test_listener.port: 443 is a production listener port: pick another (8080 by default)",
    ]


# --- rollback alarms ---------------------------------------------------------------------------


def test_rollback_alarms_default_on_and_each_can_be_turned_off(manifest) -> None:
    body = "alarms:\n  p99_ms: null\n  error_rate_percent: 2.5\n  extra: [payments-errors]"
    alarms = manifest.load(manifest.service(deployment(body))).services["api"].deployment.alarms

    assert (alarms.error_rate_percent, alarms.p95_ms, alarms.p99_ms, alarms.unhealthy_targets) == (2.5, 1000, None, 1)
    assert (alarms.evaluation_periods, alarms.extra) == (3, ["payments-errors"])


def test_fails_when_load_balancer_alarms_are_set_on_a_service_without_one(manifest) -> None:
    body = "alarms:\n  p95_ms: 500\n  unhealthy_targets: 2\n  extra: [queue-age]"

    assert manifest.problems(manifest.service(deployment(body, base=BACKEND))) == [
        "19: services.api.deployment.alarms.p95_ms: reads the shared load balancer's metrics: "
        "only a service with a route has them",
        "20: services.api.deployment.alarms.unhealthy_targets: counts load balancer targets: "
        "only a service with a route or an nlb has them",
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("alarms: {error_rate_percent: 0}", "error_rate_percent"),
        ("alarms: {error_rate_percent: 101}", "error_rate_percent"),
        ("alarms: {p95_ms: 0}", "p95_ms"),
        ("alarms: {evaluation_periods: 31}", "evaluation_periods"),
    ],
)
def test_fails_on_alarm_thresholds_no_alarm_can_use(manifest, body: str, field: str) -> None:
    (problem,) = manifest.problems(manifest.service(deployment(body)))

    assert problem.startswith(f"19: services.api.deployment.alarms.{field}: ")


# --- the alarm topic and the services' health alarms ----------------------------------------------

WORKER = "kind: worker\nimage: app\ncpu: 256\nmemory_mib: 512\n"
JOB = 'kind: job\nimage: app\ncpu: 256\nmemory_mib: 512\nschedule: "rate(1 hour)"\n'


def test_health_alarms_default_on_and_each_can_be_turned_off(manifest) -> None:
    alarms = manifest.load(manifest.service(BACKEND + "alarms: {cpu_percent: null, memory_percent: 75}\n")).services["api"].alarms

    assert (alarms.cpu_percent, alarms.memory_percent, alarms.running_below_desired, alarms.periods) == (None, 75, True, 5)


def test_fails_when_a_service_without_a_queue_watches_queue_age(manifest) -> None:
    problems = manifest.problems(manifest.service(WORKER + "alarms: {queue_age_seconds: 600}\n"))

    assert problems == [
        "16: services.api.alarms.queue_age_seconds: only a worker with scaling.queue or subscribe has a queue to watch"
    ]


def test_fails_when_a_job_sets_service_alarms(manifest) -> None:
    problems = manifest.problems(manifest.service(JOB + "alarms: {cpu_percent: 50}\n"))

    assert problems == [
        "17: services.api.alarms: a job's alarms are its failed and unstarted runs (always on); alarms applies to services"
    ]


def test_fails_when_running_tasks_are_watched_without_container_insights(manifest) -> None:
    text = manifest.service(BACKEND + "alarms: {running_below_desired: true}\n").replace(
        "cluster:\n", "cluster:\n  container_insights: disabled\n"
    )

    (problem,) = manifest.problems(text)
    assert "services.api.alarms.running_below_desired: reads Container Insights' task counts" in problem


def _with_topic(manifest, topic: str) -> str:  # type: ignore[no-untyped-def]
    return manifest.service(BACKEND).replace("name: test\n", f"name: test\nalarms: {topic}\n", 1)


def test_alarm_topic_takes_email_and_https_subscribers(manifest) -> None:
    config = manifest.load(_with_topic(manifest, "{email: [ops@example.com], https: [https://hooks.example.com/x]}"))

    assert (config.alarms.email, config.alarms.https) == (["ops@example.com"], ["https://hooks.example.com/x"])


def test_alarm_topic_rejects_malformed_subscribers(manifest) -> None:
    problems = manifest.problems(_with_topic(manifest, "{email: [nobody], https: [http://x.org]}"))

    assert sorted(problems) == [
        "2: alarms.email.0: must be an email address (name@example.com), at most 254 characters (got 'nobody')",
        "2: alarms.https.0: must be an https:// URL, at most 2048 characters (got 'http://x.org')",
    ]


def test_alarm_topic_rejects_a_repeated_subscriber(manifest) -> None:
    problems = manifest.problems(_with_topic(manifest, "{email: [ops@example.com, ops@example.com]}"))

    assert problems == ["2: alarms.email.1: 'ops@example.com' is listed twice"]
