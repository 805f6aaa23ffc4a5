"""Service rules: launch type and Fargate sizes, kinds, routes, host mode, containers, secrets, volumes.

``manifest.service(body)`` puts the body's first line on line 12 under ``services.api`` (line 11);
``manifest.services(text)`` puts the text's first line on line 11. The base cluster has Fargate
(the default strategy) and one EC2 group ``general`` with max 4.
"""

from __future__ import annotations

import pytest

from ecs_toolkit.config import derived

RETENTIONS = "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"
SECRET_FORMATS = (
    "ssm:/parameter/name, ssm:<parameter arn>, secretsmanager:<name>[:json-key] or secretsmanager:<secret arn>[:json-key]"
)
CERTIFICATE = "arn:aws:acm:eu-west-1:111122223333:certificate/0b0e1c7e-1111-2222-3333-444455556666"

# Valid bodies (lines 12-16 or 12-15); tests append fields from line 17 (or 16 for WORKER).
BACKEND = "kind: backend\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\n"
WEB = "kind: web\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\n"
WORKER = "kind: worker\nimage: app\ncpu: 256\nmemory_mib: 512\n"
JOB = 'kind: job\nimage: app\ncpu: 256\nmemory_mib: 512\nschedule: "rate(1 hour)"\n'
EC2_BACKEND = "kind: backend\nimage: app\nport: 8080\ncapacity: [{provider: general}]\n"


@pytest.mark.parametrize(
    "body",
    [BACKEND, WEB + "route: {path: /api/*}\n", WEB + "nlb: {port: 443}\n", WORKER, JOB, EC2_BACKEND],
    ids=["backend", "web-route", "web-nlb", "worker", "job", "ec2-backend"],
)
def test_loads_each_valid_service_body_used_below(manifest, body: str) -> None:
    config = manifest.load(manifest.service(body))

    assert list(config.services) == ["api"]


# --- launch type and Fargate --------------------------------------------------------------


def test_fails_when_fargate_uses_bridge_mode(manifest) -> None:
    text = manifest.service(BACKEND + "network_mode: bridge\n")

    assert manifest.problems(text) == ["17: services.api.network_mode: Fargate needs awsvpc, not bridge"]


def test_fails_when_fargate_uses_host_mode(manifest) -> None:
    text = manifest.service(BACKEND + "network_mode: host\n")

    # Host mode also needs one instance per task, and Fargate provides none.
    assert manifest.problems(text) == [
        "11: services.api.count: 1 tasks in host mode need 1 instances (one per port), "
        "but the service's capacity groups have at most 0",
        "17: services.api.network_mode: Fargate needs awsvpc, not host",
    ]


@pytest.mark.parametrize(
    ("cpu", "memory", "valid"),
    [
        (256, 300, "512, 1024 or 2048"),
        (256, 4096, "512, 1024 or 2048"),
        (512, 512, "1024, 2048, 3072 or 4096"),
        (1024, 1024, "2048 to 8192 in steps of 1024"),
        (2048, 2048, "4096 to 16384 in steps of 1024"),
        (4096, 31744, "8192 to 30720 in steps of 1024"),
        (8192, 17408, "16384 to 61440 in steps of 4096"),
        (16384, 36864, "32768 to 122880 in steps of 8192"),
    ],
)
def test_fails_on_a_cpu_memory_pair_fargate_does_not_offer(manifest, cpu: int, memory: int, valid: str) -> None:
    text = manifest.service(f"kind: backend\nimage: app\nport: 8080\ncpu: {cpu}\nmemory_mib: {memory}\n")

    assert manifest.problems(text) == [f"16: services.api.memory_mib: {memory} is not valid for cpu {cpu} (use {valid})"]


@pytest.mark.parametrize(("cpu", "memory"), [(256, 512), (256, 2048), (512, 4096), (4096, 30720), (8192, 61440), (16384, 122880)])
def test_accepts_a_cpu_memory_pair_fargate_offers(manifest, cpu: int, memory: int) -> None:
    config = manifest.load(manifest.service(f"kind: backend\nimage: app\nport: 8080\ncpu: {cpu}\nmemory_mib: {memory}\n"))

    assert (config.services["api"].cpu, config.services["api"].memory_mib) == (cpu, memory)


def test_fails_on_a_cpu_fargate_does_not_offer(manifest) -> None:
    text = manifest.service("kind: backend\nimage: app\nport: 8080\ncpu: 300\nmemory_mib: 512\n")

    assert manifest.problems(text) == [
        "15: services.api.cpu: 300 is not a Fargate cpu (use 256, 512, 1024, 2048, 4096, 8192, 16384)"
    ]


def test_fails_when_cpu_is_missing_on_fargate(manifest) -> None:
    text = manifest.service("kind: backend\nimage: app\nport: 8080\nmemory_mib: 512\n")

    assert manifest.problems(text) == ["11: services.api.cpu: is required on Fargate"]


def test_fails_when_memory_is_missing_on_fargate(manifest) -> None:
    text = manifest.service("kind: backend\nimage: app\nport: 8080\ncpu: 256\n")

    assert manifest.problems(text) == ["11: services.api.memory_mib: is required on Fargate"]


def test_accepts_missing_cpu_and_memory_on_ec2(manifest) -> None:
    config = manifest.load(manifest.service(EC2_BACKEND))

    assert (config.services["api"].cpu, config.services["api"].memory_mib) == (None, None)


def test_fails_when_arm64_runs_on_fargate_spot(manifest) -> None:
    text = manifest.service(BACKEND + "architecture: arm64\ncapacity: [{provider: FARGATE, base: 1}, {provider: FARGATE_SPOT}]\n")

    assert manifest.problems(text) == ["17: services.api.architecture: Fargate Spot runs x86_64 only"]


def test_accepts_arm64_on_fargate(manifest) -> None:
    config = manifest.load(manifest.service(BACKEND + "architecture: arm64\n"))

    assert config.services["api"].architecture == "arm64"


def test_fails_on_a_capacity_provider_the_cluster_does_not_have(manifest) -> None:
    text = manifest.service(BACKEND + "capacity:\n  - {provider: general}\n  - {provider: gpu}\n")

    assert manifest.problems(text) == [
        "19: services.api.capacity.1.provider: "
        "capacity provider 'gpu' is not in the cluster (have: general, FARGATE, FARGATE_SPOT)"
    ]


def test_fails_when_a_service_strategy_mixes_fargate_and_ec2(manifest) -> None:
    text = manifest.service(BACKEND + "capacity: [{provider: general}, {provider: FARGATE}]\n")

    assert manifest.problems(text) == ["17: services.api.capacity: a strategy cannot mix Fargate and EC2 capacity providers"]


@pytest.mark.parametrize(
    ("launch", "provider"),
    [("ec2", "FARGATE"), ("fargate", "general")],
)
def test_fails_when_launch_contradicts_the_capacity_providers(manifest, launch: str, provider: str) -> None:
    text = manifest.service(BACKEND + f"launch: {launch}\ncapacity: [{{provider: {provider}}}]\n")

    assert manifest.problems(text) == [f"17: services.api.launch: launch {launch} does not match the capacity providers"]


def test_fails_when_launch_ec2_falls_back_to_a_fargate_default_strategy(manifest) -> None:
    text = manifest.service(BACKEND + "launch: ec2\n")

    problems = manifest.problems(text)

    assert any(line.startswith("17: services.api.launch: ") for line in problems), problems


def test_fails_when_launch_ec2_has_no_ec2_groups(manifest) -> None:
    text = """\
    name: test
    services:
      api:
        kind: backend
        image: app
        port: 8080
        launch: ec2
    """

    assert manifest.problems(text) == ["7: services.api.launch: runs on EC2 but the cluster has no ec2 capacity groups"]


def test_fails_when_launch_fargate_has_fargate_off(manifest) -> None:
    text = """\
    name: test
    cluster:
      capacity:
        fargate: false
        ec2:
          - {name: general, instance_types: [m5.large], max: 4}
    services:
      api:
        kind: backend
        image: app
        port: 8080
        cpu: 256
        memory_mib: 512
        launch: fargate
    """

    assert manifest.problems(text) == ["14: services.api.launch: runs on Fargate but the cluster's capacity has fargate off"]


# --- kinds ----------------------------------------------------------------------------------


def test_fails_when_a_web_service_has_neither_route_nor_nlb(manifest) -> None:
    assert manifest.problems(manifest.service(WEB)) == ["11: services.api: a web service needs a route (load balancer) or an nlb"]


def test_fails_when_a_web_service_has_no_port(manifest) -> None:
    text = manifest.service("kind: web\nimage: app\ncpu: 256\nmemory_mib: 512\nroute: {path: /api/*}\n")

    assert manifest.problems(text) == ["11: services.api.port: a web service needs the container port"]


def test_fails_when_a_route_has_no_load_balancer_section(manifest) -> None:
    text = """\
    name: test
    services:
      api:
        kind: web
        image: app
        port: 8080
        cpu: 256
        memory_mib: 512
        route: {path: /api/*}
    """

    assert manifest.problems(text) == ["9: services.api.route: needs the environment's load_balancer section"]


def test_accepts_an_nlb_without_a_load_balancer_section(manifest) -> None:
    text = "name: test\nservices:\n  api:\n" + "".join(f"    {line}\n" for line in (WEB + "nlb: {port: 443}\n").splitlines())

    config = manifest.load(text)

    assert config.load_balancer is None


def test_fails_when_a_route_has_neither_path_nor_host(manifest) -> None:
    text = manifest.service(WEB + "route: {priority: 10}\n")

    assert manifest.problems(text) == ["17: services.api.route: give a path, a host, or both"]


@pytest.mark.parametrize(
    ("body", "line", "kind"),
    [(WORKER, 16, "worker"), (BACKEND, 17, "backend"), (JOB, 17, "job")],
)
@pytest.mark.parametrize("field", ["route: {path: /api/*}", "nlb: {port: 443}"])
def test_fails_when_a_non_web_service_has_a_route_or_nlb(manifest, body: str, line: int, kind: str, field: str) -> None:
    text = manifest.service(body + field + "\n")
    name = field.split(":")[0]

    assert manifest.problems(text) == [f"{line}: services.api.{name}: a {kind} has no load balancer: use kind web"]


@pytest.mark.parametrize("field", ["discovery: {name: queue}", "port: 8080"])
def test_fails_when_a_worker_takes_inbound_traffic(manifest, field: str) -> None:
    text = manifest.service(WORKER + field + "\n")
    name = field.split(":")[0]

    assert manifest.problems(text) == [f"16: services.api.{name}: a worker takes no inbound traffic: use kind backend"]


def test_fails_when_a_backend_has_no_port(manifest) -> None:
    text = manifest.service("kind: backend\nimage: app\ncpu: 256\nmemory_mib: 512\n")

    assert manifest.problems(text) == ["11: services.api.port: a backend needs the port it is reached on"]


@pytest.mark.parametrize("schedule", ["", "schedule: none\n"], ids=["omitted", "copilot-none"])
def test_a_job_without_a_schedule_runs_on_demand(manifest, schedule: str) -> None:
    config = manifest.load(manifest.service(WORKER.replace("worker", "job") + schedule))

    assert derived.job_schedule(config.services["api"]) is None


@pytest.mark.parametrize(("field", "line"), [("time_zone: Europe/Berlin", 16), ("retries: 3", 16)])
def test_fails_when_an_on_demand_job_sets_what_only_a_schedule_uses(manifest, field: str, line: int) -> None:
    text = manifest.service(WORKER.replace("worker", "job") + field + "\n")
    name = field.split(":")[0]

    assert manifest.problems(text) == [
        f"{line}: services.api.{name}: applies to a schedule, and this job runs on demand only (it has no schedule)"
    ]


@pytest.mark.parametrize("field", ["discovery: {name: nightly}", "port: 8080"])
def test_fails_when_a_job_takes_inbound_traffic(manifest, field: str) -> None:
    text = manifest.service(JOB + field + "\n")
    name = field.split(":")[0]

    assert manifest.problems(text) == [f"17: services.api.{name}: a job takes no inbound traffic"]


@pytest.mark.parametrize("count", [0, 1, 3])
def test_fails_when_a_job_sets_count_even_to_the_default(manifest, count: int) -> None:
    text = manifest.service(JOB + f"count: {count}\n")

    assert manifest.problems(text) == ["17: services.api.count: a job runs one task per schedule: remove count"]


@pytest.mark.parametrize(("body", "line", "kind"), [(WORKER, 16, "worker"), (BACKEND, 17, "backend")])
def test_fails_when_a_non_job_has_a_schedule(manifest, body: str, line: int, kind: str) -> None:
    text = manifest.service(body + 'schedule: "rate(5 minutes)"\n')

    assert manifest.problems(text) == [f"{line}: services.api.schedule: only jobs have a schedule, this is a {kind}"]


def test_fails_when_network_mode_none_has_a_port(manifest) -> None:
    text = manifest.service(EC2_BACKEND + "network_mode: none\n")

    assert manifest.problems(text) == ["16: services.api.network_mode: network mode none has no ports"]


def test_accepts_network_mode_none_for_a_worker_on_ec2(manifest) -> None:
    config = manifest.load(manifest.service("kind: worker\nimage: app\ncapacity: [{provider: general}]\nnetwork_mode: none\n"))

    assert config.services["api"].network_mode == "none"


def test_fails_when_an_nlb_uses_tls_without_a_certificate(manifest) -> None:
    text = manifest.service(WEB + "nlb:\n  port: 443\n  protocol: tls\n")

    assert manifest.problems(text) == ["17: services.api.nlb.certificate_arn: is required with protocol tls, and only then"]


def test_fails_when_an_nlb_has_a_certificate_on_tcp(manifest) -> None:
    text = manifest.service(WEB + f"nlb:\n  port: 443\n  certificate_arn: {CERTIFICATE}\n")

    assert manifest.problems(text) == ["19: services.api.nlb.certificate_arn: is required with protocol tls, and only then"]


def test_accepts_an_nlb_with_tls_and_a_certificate(manifest) -> None:
    config = manifest.load(manifest.service(WEB + f"nlb:\n  port: 443\n  protocol: tls\n  certificate_arn: {CERTIFICATE}\n"))

    nlb = config.services["api"].nlb
    assert nlb is not None
    assert (nlb.protocol, nlb.certificate_arn) == ("tls", CERTIFICATE)


def test_fails_when_service_connect_has_no_port(manifest) -> None:
    text = manifest.service("kind: backend\nimage: app\ncpu: 256\nmemory_mib: 512\ndiscovery:\n  service_connect: true\n")

    assert manifest.problems(text) == [
        "11: services.api.port: a backend needs the port it is reached on",
        "17: services.api.discovery.service_connect: needs the container port",
    ]


def test_fails_when_a_grace_period_is_set_on_a_service_without_load_balancer(manifest) -> None:
    text = manifest.service(BACKEND + "deployment:\n  grace_period_seconds: 60\n")

    assert manifest.problems(text) == ["18: services.api.deployment.grace_period_seconds: applies to load-balanced services only"]


@pytest.mark.parametrize("balancer", ["route: {path: /api/*}", "nlb: {port: 443}"])
def test_accepts_a_grace_period_on_a_load_balanced_service(manifest, balancer: str) -> None:
    config = manifest.load(manifest.service(WEB + balancer + "\ndeployment: {grace_period_seconds: 60}\n"))

    assert config.services["api"].deployment.grace_period_seconds == 60


def test_fails_when_min_healthy_100_meets_max_100(manifest) -> None:
    text = manifest.service(BACKEND + "deployment: {min_healthy_percent: 100, max_percent: 100}\n")

    assert manifest.problems(text) == [
        "17: services.api.deployment: min_healthy_percent 100 with max_percent 100 leaves no room to replace a task"
    ]


def test_accepts_min_healthy_0_with_max_100(manifest) -> None:
    config = manifest.load(manifest.service(BACKEND + "deployment: {min_healthy_percent: 0, max_percent: 100}\n"))

    assert config.services["api"].deployment.max_percent == 100


def test_fails_on_a_log_retention_cloudwatch_does_not_offer(manifest) -> None:
    text = manifest.service(BACKEND + "log_retention_days: 2\n")

    assert manifest.problems(text) == [
        f"17: services.api.log_retention_days: 2 is not a CloudWatch Logs retention (use one of {RETENTIONS})"
    ]


# --- routes ----------------------------------------------------------------------------------


def two_web_services(route_a: str, route_b: str) -> str:
    """Services ``one`` (route on line 17) and ``two`` (route from line 24)."""
    web = WEB.replace("\n", "\n  ")
    return f"one:\n  {web}{route_a}\ntwo:\n  {web}{route_b}\n"


def test_fails_when_two_services_share_host_and_path(manifest) -> None:
    text = manifest.services(two_web_services("route: {path: /api/*}", "route: {path: /api/*}"))

    problems = manifest.problems(text)

    assert "24: services.two.route: same host and path as service 'one'" in problems
    assert all(line.startswith("24: services.two.route: ") for line in problems), problems


def test_reports_a_shared_host_and_path_once(manifest) -> None:
    text = manifest.services(two_web_services("route: {path: /api/*}", "route: {path: /api/*}"))

    assert manifest.problems(text) == ["24: services.two.route: same host and path as service 'one'"]


def test_fails_when_one_service_routes_slash_and_another_the_whole_site(manifest) -> None:
    text = manifest.services(two_web_services('route: {path: "/*"}', 'route: {path: "/"}'))

    assert manifest.problems(text) == [
        '24: services.two.route: same host and path as service \'one\' ("/" routes the whole site, as "/*" does)'
    ]


def test_accepts_one_path_on_two_hosts(manifest) -> None:
    text = manifest.services(two_web_services("route: {host: a.example.com, path: /*}", "route: {host: b.example.com, path: /*}"))

    assert set(manifest.load(text).services) == {"one", "two"}


def test_fails_when_two_routes_set_the_same_priority(manifest) -> None:
    text = manifest.services(two_web_services("route: {path: /a/*, priority: 10}", "route:\n    path: /b/*\n    priority: 10"))

    assert manifest.problems(text) == [
        "26: services.two.route.priority: listener priority 10 is already used by service 'one': set route.priority explicitly"
    ]


def test_fails_when_two_derived_priorities_collide(manifest) -> None:
    # Same length, same band, and crc32("|/s179/*") % 1000 == crc32("|/s202/*") % 1000 == 446.
    text = manifest.services(two_web_services("route: {path: /s179/*}", "route: {path: /s202/*}"))

    assert manifest.problems(text) == [
        "24: services.two.route: listener priority 43446 is already used by service 'one': set route.priority explicitly"
    ]


def test_accepts_an_explicit_priority_that_resolves_a_derived_collision(manifest) -> None:
    text = manifest.services(two_web_services("route: {path: /s179/*}", "route: {path: /s202/*, priority: 7}"))

    assert set(manifest.load(text).services) == {"one", "two"}


# --- host network mode -------------------------------------------------------------------


HOST_AGENT = "  kind: backend\n  image: app\n  port: 9100\n  network_mode: host\n  capacity: [{provider: general}]\n"


def test_fails_when_two_host_mode_services_use_the_same_port(manifest) -> None:
    text = manifest.services("one:\n" + HOST_AGENT + "two:\n" + HOST_AGENT)

    assert manifest.problems(text) == ["20: services.two.port: host port 9100 is already used by service 'one' in host mode"]


def test_accepts_host_mode_services_on_different_ports(manifest) -> None:
    text = manifest.services("one:\n" + HOST_AGENT + "two:\n" + HOST_AGENT.replace("9100", "9200"))

    assert set(manifest.load(text).services) == {"one", "two"}


def test_fails_when_host_mode_runs_more_tasks_than_instances(manifest) -> None:
    text = manifest.services("api:\n" + HOST_AGENT + "  count: 5\n")

    assert manifest.problems(text) == [
        "17: services.api.count: 5 tasks in host mode need 5 instances (one per port), "
        "but the service's capacity groups have at most 4"
    ]


def test_accepts_host_mode_with_one_task_per_instance(manifest) -> None:
    # Every instance is full, so a deployment must stop an old task first (min_healthy_percent below 100).
    config = manifest.load(manifest.services("api:\n" + HOST_AGENT + "  count: 4\n  deployment: {min_healthy_percent: 75}\n"))

    assert config.services["api"].count == 4


# --- containers: sidecars, environment, secrets --------------------------------------------


def test_fails_when_a_sidecar_is_named_like_the_service(manifest) -> None:
    text = manifest.service(BACKEND + "sidecars:\n  - name: api\n    image: proxy\n")

    assert manifest.problems(text) == ["18: services.api.sidecars.0.name: container name 'api' is already used"]


def test_fails_when_two_sidecars_share_a_name(manifest) -> None:
    text = manifest.service(BACKEND + "sidecars:\n  - name: proxy\n    image: a\n  - name: proxy\n    image: b\n")

    assert manifest.problems(text) == ["20: services.api.sidecars.1.name: container name 'proxy' is already used"]


def test_fails_when_sidecars_take_all_of_the_task_memory(manifest) -> None:
    sidecars = "sidecars:\n  - {name: proxy, image: a, memory_mib: 256}\n  - {name: agent, image: b, memory_mib: 256}\n"

    assert manifest.problems(manifest.service(BACKEND + sidecars)) == [
        "16: services.api.memory_mib: 512 MiB leaves nothing for the main container after 512 MiB of sidecars"
    ]


def test_accepts_sidecars_that_leave_memory_for_the_main_container(manifest) -> None:
    config = manifest.load(manifest.service(BACKEND + "sidecars:\n  - {name: proxy, image: a, memory_mib: 384}\n"))

    assert [sidecar.name for sidecar in config.services["api"].sidecars] == ["proxy"]


def test_fails_when_sidecars_take_all_of_the_default_ec2_task_memory(manifest) -> None:
    sidecars = "sidecars:\n  - {name: proxy, image: a, memory_mib: 256}\n  - {name: agent, image: b, memory_mib: 256}\n"

    assert manifest.problems(manifest.service(EC2_BACKEND + sidecars)) == [
        "11: services.api.memory_mib: 512 MiB leaves nothing for the main container after 512 MiB of sidecars"
    ]


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("vault:db/url", f"'vault:db/url' is not a secret reference (use {SECRET_FORMATS})"),
        ("hunter2", f"'hunter2' is not a secret reference (use {SECRET_FORMATS})"),
        ("SSM:/db/url", f"'SSM:/db/url' is not a secret reference (use {SECRET_FORMATS})"),
        ("ssm:", "'' is not an SSM parameter name or ARN"),
        ("ssm:/db url", "'/db url' is not an SSM parameter name or ARN"),
        (
            "ssm:arn:aws:ssm:eu-west-1:1234:parameter/db",
            "'arn:aws:ssm:eu-west-1:1234:parameter/db' is not an SSM parameter name or ARN",
        ),
        (
            "ssm:arn:aws:secretsmanager:eu-west-1:111122223333:secret:db",
            "'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db' is not an SSM parameter name or ARN",
        ),
        (
            "secretsmanager:arn:aws:secretsmanager:eu-west-1:111122223333:db",
            "'arn:aws:secretsmanager:eu-west-1:111122223333:db' is not a Secrets Manager secret ARN",
        ),
        (
            "secretsmanager:arn:aws:ssm:eu-west-1:111122223333:parameter/db",
            "'arn:aws:ssm:eu-west-1:111122223333:parameter/db' is not a Secrets Manager secret ARN",
        ),
        ("secretsmanager:", "'' is not a Secrets Manager secret name"),
        ("secretsmanager:db:password:extra", "'db:password:extra' is not a Secrets Manager secret name"),
        ("secretsmanager:db creds", "'db creds' is not a Secrets Manager secret name"),
    ],
)
def test_fails_on_a_secret_that_is_not_a_valid_reference(manifest, reference: str, message: str) -> None:
    text = manifest.service(BACKEND + f'secrets:\n  DB_URL: "{reference}"\n')

    assert manifest.problems(text) == [f"18: services.api.secrets.DB_URL: {message}"]


def test_fails_on_a_sidecar_secret_that_is_not_a_reference(manifest) -> None:
    text = manifest.service(BACKEND + "sidecars:\n  - name: proxy\n    image: a\n    secrets:\n      TOKEN: plain\n")

    assert manifest.problems(text) == [
        f"21: services.api.sidecars.0.secrets.TOKEN: 'plain' is not a secret reference (use {SECRET_FORMATS})"
    ]


@pytest.mark.parametrize(
    "variable",
    ["DB_PASSWORD", "API_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "db_passwd", "STRIPE_API_KEY", "TLS_PRIVATE_KEY"],
)
def test_fails_when_a_plain_env_var_looks_like_a_secret(manifest, variable: str) -> None:
    text = manifest.service(BACKEND + f"environment:\n  {variable}: value\n")

    assert manifest.problems(text) == [
        f"18: services.api.environment.{variable}: "
        "looks like a secret: pass it under secrets as an ssm: or secretsmanager: reference"
    ]


def test_flags_token_url_as_a_secret_because_the_name_contains_token(manifest) -> None:
    # The pattern matches TOKEN anywhere in the name, so a URL is flagged too (and MAX_TOKENS would be).
    text = manifest.service(BACKEND + "environment:\n  TOKEN_URL: https://auth.example.com/token\n")

    assert manifest.problems(text) == [
        "18: services.api.environment.TOKEN_URL: "
        "looks like a secret: pass it under secrets as an ssm: or secretsmanager: reference"
    ]


@pytest.mark.parametrize("variable", ["LOG_LEVEL", "DATABASE_HOST", "KEYCLOAK_URL", "AWS_REGION", "PUBLIC_KEY_URL", "MONKEY"])
def test_accepts_a_plain_env_var_that_does_not_look_like_a_secret(manifest, variable: str) -> None:
    config = manifest.load(manifest.service(BACKEND + f"environment:\n  {variable}: value\n"))

    assert config.services["api"].environment == {variable: "value"}


def test_fails_when_a_sidecar_env_var_looks_like_a_secret(manifest) -> None:
    text = manifest.service(BACKEND + "sidecars:\n  - name: proxy\n    image: a\n    environment: {API_TOKEN: abc}\n")

    assert manifest.problems(text) == [
        "20: services.api.sidecars.0.environment.API_TOKEN: looks like a secret: "
        "pass it under secrets as an ssm: or secretsmanager: reference"
    ]


def test_fails_when_an_env_var_is_also_under_secrets(manifest) -> None:
    text = manifest.service(BACKEND + 'environment:\n  DB_URL: postgres://db\nsecrets:\n  DB_URL: "ssm:/app/db-url"\n')

    assert manifest.problems(text) == ["18: services.api.environment.DB_URL: is also under secrets"]


def test_accepts_each_secret_reference_form(manifest) -> None:
    secrets = (
        "secrets:\n"
        '  A: "ssm:/app/a"\n'
        '  B: "ssm:app/b"\n'
        '  C: "ssm:arn:aws:ssm:eu-west-1:111122223333:parameter/app/c"\n'
        '  D: "secretsmanager:app/d"\n'
        '  E: "secretsmanager:app/e:password"\n'
        '  F: "secretsmanager:arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/f-AbCdEf"\n'
        '  G: "secretsmanager:arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/g-AbCdEf:password"\n'
    )

    config = manifest.load(manifest.service(BACKEND + secrets))

    assert sorted(config.services["api"].secrets) == ["A", "B", "C", "D", "E", "F", "G"]


# --- volumes ------------------------------------------------------------------------------


FILE_SYSTEMS = "file_systems:\n  data: {}\n  logs: {}\n"


def with_volumes(manifest, entries: str, file_systems: str = FILE_SYSTEMS) -> str:
    """A worker mounting ``entries`` (from line 17), followed by the file systems."""
    body = WORKER + "volumes:\n" + "".join(f"  {line}\n" for line in entries.splitlines())
    return manifest.service(body) + file_systems


def test_loads_volumes_on_distinct_paths(manifest) -> None:
    config = manifest.load(with_volumes(manifest, "data: /mnt/data\nlogs: {path: /mnt/logs, read_only: true}"))

    assert set(config.services["api"].volumes) == {"data", "logs"}


def test_fails_when_a_volume_names_an_unknown_file_system(manifest) -> None:
    text = with_volumes(manifest, "data: /mnt/data\ncache: /mnt/cache")

    assert manifest.problems(text) == [
        "18: services.api.volumes.cache: file system 'cache' is not defined under file_systems (have: data, logs)"
    ]


def test_fails_when_a_volume_is_mounted_without_any_file_systems(manifest) -> None:
    text = with_volumes(manifest, "data: /mnt/data", file_systems="")

    assert manifest.problems(text) == [
        "17: services.api.volumes.data: file system 'data' is not defined under file_systems (have: none)"
    ]


@pytest.mark.parametrize("entry", ["data: mnt/data", "data: {path: mnt/data}"])
def test_fails_when_a_mount_path_is_relative(manifest, entry: str) -> None:
    assert manifest.problems(with_volumes(manifest, entry)) == [
        "17: services.api.volumes.data: mount path 'mnt/data' is not absolute"
    ]


def test_fails_when_two_volumes_share_a_mount_path(manifest) -> None:
    text = with_volumes(manifest, "data: /mnt/shared\nlogs: {path: /mnt/shared}")

    assert manifest.problems(text) == [
        "18: services.api.volumes.logs: mount path /mnt/shared is already used by file system 'data'"
    ]


# --- task-role grants ---------------------------------------------------------------------

GRANT_ARNS = {
    "s3-read": "arn:aws:s3:::demo-uploads",
    "dynamodb-read-write": "arn:aws:dynamodb:eu-west-1:111122223333:table/orders",
    "sqs-consume": "arn:aws:sqs:eu-west-1:111122223333:jobs.fifo",
    "sns-publish": "arn:aws:sns:eu-west-1:111122223333:events",
    "secret-read": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf",
    "kms-decrypt": "arn:aws:kms:eu-west-1:111122223333:key/0b0e1c7e-1111-2222-3333-444455556666",
}


def with_grants(manifest, grants: str) -> str:
    """A backend whose ``grants:`` is line 17; list items start at line 18."""
    return manifest.service(BACKEND + "grants:\n" + "".join(f"  {line}\n" for line in grants.splitlines()))


def test_loads_a_grant_of_each_resource_kind_and_an_ssm_path(manifest) -> None:
    grants = "".join(f"- {{intent: {intent}, resource: '{arn}'}}\n" for intent, arn in GRANT_ARNS.items())
    grants += (
        "- {intent: s3-write, resource: 'arn:aws:s3:::demo-uploads', prefix: api/}\n- {intent: ssm-read-path, path: /demo/api}\n"
    )

    config = manifest.load(with_grants(manifest, grants))

    assert [grant.intent for grant in config.services["api"].grants] == [*GRANT_ARNS, "s3-write", "ssm-read-path"]


def test_fails_when_a_prefix_is_given_to_a_non_s3_grant(manifest) -> None:
    text = with_grants(manifest, f"- intent: sqs-send\n  resource: {GRANT_ARNS['sqs-consume']}\n  prefix: jobs/")

    assert manifest.problems(text) == ["20: services.api.grants.0.prefix: applies to s3 grants only"]


def test_fails_when_ssm_read_path_has_no_path(manifest) -> None:
    assert manifest.problems(with_grants(manifest, "- intent: ssm-read-path")) == [
        "18: services.api.grants.0.path: ssm-read-path needs the parameter path"
    ]


def test_fails_when_ssm_read_path_names_a_resource(manifest) -> None:
    text = with_grants(
        manifest, "- intent: ssm-read-path\n  path: /demo\n  resource: arn:aws:ssm:eu-west-1:111122223333:parameter/demo"
    )

    assert manifest.problems(text) == ["20: services.api.grants.0.resource: ssm-read-path takes a path, not a resource"]


def test_fails_when_a_path_is_given_to_a_grant_other_than_ssm_read_path(manifest) -> None:
    text = with_grants(manifest, f"- intent: s3-read\n  resource: {GRANT_ARNS['s3-read']}\n  path: /demo")

    assert manifest.problems(text) == ["20: services.api.grants.0.path: applies to ssm-read-path only"]


@pytest.mark.parametrize(
    ("intent", "kind"),
    [
        ("s3-read", "bucket"),
        ("dynamodb-write", "table"),
        ("sqs-send", "queue"),
        ("sns-publish", "topic"),
        ("secret-read", "secret"),
        ("kms-decrypt", "key"),
    ],
)
def test_fails_when_a_grant_has_no_resource(manifest, intent: str, kind: str) -> None:
    assert manifest.problems(with_grants(manifest, f"- intent: {intent}")) == [
        f"18: services.api.grants.0.resource: {intent} needs the {kind}'s ARN"
    ]


@pytest.mark.parametrize(
    ("intent", "resource", "kind"),
    [
        ("s3-read", "arn:aws:s3:::Demo_Uploads", "bucket"),
        ("s3-read", "demo-uploads", "bucket"),
        ("dynamodb-read", "arn:aws:dynamodb:eu-west-1:111122223333:orders", "table"),
        ("sqs-send", "arn:aws:sqs:eu-west-1:1111:jobs", "queue"),
        ("sns-publish", "arn:aws:sqs:eu-west-1:111122223333:events", "topic"),
        ("secret-read", "arn:aws:secretsmanager:eu-west-1:111122223333:db", "secret"),
        ("kms-decrypt", "arn:aws:kms:eu-west-1:111122223333:alias/app", "key"),
    ],
)
def test_fails_when_a_grant_resource_is_not_an_arn_of_its_kind(manifest, intent: str, resource: str, kind: str) -> None:
    text = with_grants(manifest, f"- intent: {intent}\n  resource: {resource}")

    assert manifest.problems(text) == [f"19: services.api.grants.0.resource: {resource!r} is not a {kind} ARN"]


def test_fails_on_an_unknown_grant_intent(manifest) -> None:
    assert manifest.problems(with_grants(manifest, "- intent: s3-admin")) == [
        "18: services.api.grants.0.intent: must be one of: s3-read, s3-write, s3-read-write, dynamodb-read, dynamodb-write, "
        "dynamodb-read-write, sqs-send, sqs-consume, sns-publish, ssm-read-path, secret-read, kms-decrypt (got 's3-admin')"
    ]


RDS_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0a1b2c3d-xyz-AbCdEf"


def test_accepts_an_rds_managed_secret_by_arn_in_secrets_and_in_a_grant(manifest) -> None:
    text = with_grants(manifest, f"- {{intent: secret-read, resource: '{RDS_SECRET}'}}").replace(
        "    grants:\n", f"    secrets: {{DB_PASSWORD: 'secretsmanager:{RDS_SECRET}:password'}}\n    grants:\n"
    )

    service = manifest.load(text).services["api"]

    assert service.secrets == {"DB_PASSWORD": f"secretsmanager:{RDS_SECRET}:password"}
    assert service.grants[0].resource == RDS_SECRET
