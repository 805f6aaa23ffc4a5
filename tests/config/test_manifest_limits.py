"""AWS limits: images, ECR names, certificates, load balancer settings, Cloud Map names, tags, stack names,
container definition size, finite numbers, sidecar shares, shared ports, scheduled minimums.

``manifest.service(body)`` puts the body's first line on line 12 under ``services.api``.
"""

from __future__ import annotations

import pytest

from ecs_toolkit.outputs import network_stack_name, platform_stack_name, service_stack_name
from tests.config.conftest import BASE

WEB = "kind: web\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\nroute: {path: /api/*}\n"  # lines 12-17
FARGATE = "kind: backend\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\n"  # lines 12-16
CERT = "arn:aws:acm:{region}:{account}:certificate/0b0e1c7e-1111-2222-3333-444455556666"
LONG = "a" * 32


# --- images ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "image",
    [
        "app",
        "nginx:1.27",
        "public.ecr.aws/nginx/nginx:stable",
        "registry.example.com:5000/team/app_v2.api:v1.2-rc.1",
        "111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/checkout@sha256:" + "a" * 64,
        "localhost:5000/app",
        "ghcr.io/owner/app:1",
    ],
)
def test_accepts_image_references(manifest, image: str) -> None:
    text = manifest.service(FARGATE.replace("image: app", f'image: "{image}"'))
    assert manifest.load(text).services["api"].image == image


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("my app:1", "'my app:1' contains whitespace: an image reference has none"),
        (
            "Team/App:1",
            "'Team/App:1' is not an image reference: [registry[:port]/]repository[:tag][@sha256:digest], "
            "the repository in lower-case letters, digits and . _ - separators",
        ),
        (
            "app:",
            "'app:' is not an image reference: [registry[:port]/]repository[:tag][@sha256:digest], "
            "the repository in lower-case letters, digits and . _ - separators",
        ),
        (
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/Shop/Checkout:1.0",
            "ECR repository names are lower case: 'Shop/Checkout' cannot exist "
            "(write 111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/checkout:1.0)",
        ),
        ("r/" + "a" * 254, "the image reference is 256 characters: ECS takes at most 255"),
    ],
)
def test_fails_on_an_image_reference_ecs_cannot_pull(manifest, image: str, message: str) -> None:
    text = manifest.service(FARGATE.replace("image: app", f'image: "{image}"'))
    assert manifest.problems(text) == [f"13: services.api.image: {message}"]


def test_checks_sidecar_images_at_their_line(manifest) -> None:
    text = manifest.service(FARGATE + "sidecars: [{name: log, image: 'Fluent Bit', memory_mib: 64}]\n")
    assert manifest.problems(text) == [
        "17: services.api.sidecars.0.image: 'Fluent Bit' contains whitespace: an image reference has none"
    ]


# --- certificates ---------------------------------------------------------------------------


def test_fails_on_a_certificate_of_another_region_or_account(manifest) -> None:
    text = (
        'name: test\naccount: "111122223333"\nregion: eu-west-1\n'
        f"load_balancer: {{certificate_arn: {CERT.format(region='us-east-1', account='444455556666')}}}\n"
    )
    assert manifest.problems(text) == [
        "4: load_balancer.certificate_arn: the certificate belongs to account 444455556666, the environment is in 111122223333",
        "4: load_balancer.certificate_arn: the certificate is in us-east-1 but the load balancer is in eu-west-1: "
        "a load balancer uses certificates of its own region (request or import one in eu-west-1)",
    ]


def test_checks_an_nlb_certificate_against_the_region(manifest) -> None:
    text = (
        'name: test\naccount: "111122223333"\nregion: eu-west-1\nservices:\n  api:\n'
        "    kind: web\n    image: app\n    port: 8443\n    cpu: 256\n    memory_mib: 512\n"
        f"    nlb: {{port: 443, protocol: tls, certificate_arn: {CERT.format(region='eu-central-1', account='111122223333')}}}\n"
    )
    assert manifest.problems(text) == [
        "11: services.api.nlb.certificate_arn: the certificate is in eu-central-1 but the load balancer is in eu-west-1: "
        "a load balancer uses certificates of its own region (request or import one in eu-west-1)"
    ]


def test_accepts_a_certificate_of_the_environment_or_any_without_a_region(manifest) -> None:
    same = CERT.format(region="eu-west-1", account="111122223333")
    text = f'name: test\naccount: "111122223333"\nregion: eu-west-1\nload_balancer: {{certificate_arn: {same}}}\n'
    assert manifest.load(text).load_balancer is not None
    other = CERT.format(region="us-east-1", account="444455556666")
    assert manifest.load(f"name: test\nload_balancer: {{certificate_arn: {other}}}\n").load_balancer is not None


# --- load balancer settings -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("health_check", "message"),
    [
        (
            "{interval_seconds: 5, timeout_seconds: 5}",
            "health_check.timeout_seconds: timeout 5 s is not below the interval 5 s: "
            "a load balancer's health check times out before the next one starts",
        ),
        (
            "{success_codes: '200-599'}",
            "health_check.success_codes: 200-599 is outside 200-499, the codes an ALB health check can accept",
        ),
        (
            "{success_codes: '200,100'}",
            "health_check.success_codes: 100 is outside 200-499, the codes an ALB health check can accept",
        ),
        (
            "{success_codes: '399-200'}",
            "health_check.success_codes: the range 399-200 runs backwards: write it from low to high",
        ),
        (
            "{path: /" + "h" * 1024 + "}",
            "health_check.path: the path is 1025 characters: a health check path is at most 1024",
        ),
    ],
)
def test_fails_on_a_health_check_the_load_balancer_rejects(manifest, health_check: str, message: str) -> None:
    assert manifest.problems(manifest.service(WEB + f"health_check: {health_check}\n")) == [f"18: services.api.{message}"]


def test_fails_on_a_host_condition_without_a_dot(manifest) -> None:
    text = manifest.service(WEB.replace("route: {path: /api/*}", "route: {host: localhost}"))
    assert manifest.problems(text) == [
        "17: services.api.route.host: 'localhost' has no dot: a host condition is a domain name such as shop.example.com "
        "(* and ? allowed)"
    ]


def test_accepts_wildcard_host_conditions(manifest) -> None:
    text = manifest.service(WEB.replace("route: {path: /api/*}", "route: {host: '*.example.com'}"))
    assert manifest.load(text).services["api"].route.host == "*.example.com"


def test_fails_on_the_101st_routed_service(manifest) -> None:
    services = "".join(
        f"s{i}:\n  kind: web\n  image: app\n  port: 80\n  cpu: 256\n  memory_mib: 512\n"
        f"  route: {{path: /s{i}/*, priority: {i + 1}}}\n"
        for i in range(101)
    )
    problems = manifest.problems(manifest.services(services))
    assert problems == [
        "717: services.s100.route: 101 routed services need 101 target groups on the shared load balancer: "
        "AWS allows 100 per Application Load Balancer (not adjustable; its 100 listener rules by default are the "
        "same count): give further services an nlb or a second environment"
    ]


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["network", "platform"])
def test_fails_on_a_service_whose_stack_collides_with_the_environment_stacks(manifest, name: str) -> None:
    text = BASE + f"services:\n  {name}:\n" + "".join(f"    {line}\n" for line in FARGATE.splitlines())
    assert manifest.problems(text) == [
        f"11: services.{name}: a service named {name!r} would get the stack test-{name}, the environment's own "
        f"{name} stack: choose another name"
    ]


def test_accepts_names_at_the_32_character_maximum(manifest) -> None:
    text = (
        BASE.replace("name: test", f"name: {LONG}")
        + f"services:\n  {LONG}:\n"
        + "".join(f"    {line}\n" for line in (WEB + "discovery: {service_connect: true}\n").splitlines())
    )
    config = manifest.load(text)
    assert config.name == LONG and list(config.services) == [LONG]


def test_the_longest_names_stay_within_what_aws_allows_for_what_the_toolkit_derives() -> None:
    # Names are at most 32 characters (the Name pattern), so the derived physical names cannot
    # reach AWS's limits: CloudFormation stack names 128, Service Connect port names 64, DNS labels 63.
    stacks = [network_stack_name(LONG), platform_stack_name(LONG), service_stack_name(LONG, LONG)]
    assert max(map(len, stacks)) == 65 <= 128
    assert len(f"{LONG}-65535") <= 64 and len(LONG) <= 63


def test_fails_on_two_services_with_one_cloud_map_name(manifest) -> None:
    text = manifest.services(
        "orders:\n  kind: backend\n  image: app\n  port: 80\n  cpu: 256\n  memory_mib: 512\n"
        "billing:\n  kind: backend\n  image: app\n  port: 80\n  cpu: 256\n  memory_mib: 512\n  discovery: {name: orders}\n"
    )
    assert manifest.problems(text) == [
        "23: services.billing.discovery.name: orders.test.internal is already service 'orders''s name: "
        "Cloud Map takes one service per name in a namespace"
    ]


def test_fails_on_a_namespace_label_over_63_characters(manifest) -> None:
    label = "n" * 64
    text = BASE.replace("cluster:\n", f"cluster:\n  namespace: {label}.internal\n")
    assert manifest.problems(text) == [
        "4: cluster.namespace: the label nnnnnnnnnnnnnnnnnnnn... is 64 characters: DNS labels are at most 63"
    ]


# --- tags -------------------------------------------------------------------------------------


def test_fails_on_more_tags_than_aws_allows_with_the_toolkits_own(manifest) -> None:
    tags = ", ".join(f"t{i}: v" for i in range(50))
    assert manifest.problems(f"name: test\ntags: {{{tags}}}\n") == [
        "2: tags: 50 tags plus the toolkit's own (environment) is 51: AWS allows at most 50 per resource, so use at most 49"
    ]


def test_accepts_49_tags(manifest) -> None:
    tags = ", ".join(f"t{i}: v" for i in range(49))
    assert len(manifest.load(f"name: test\ntags: {{{tags}}}\n").tags) == 49


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("'aws:owner': me", "tags.aws:owner: tag keys starting with aws: are reserved for AWS"),
        (f"{'k' * 129}: v", f"tags.{'k' * 129}: the key is 129 characters: tag keys are 1 to 128"),
        (f"owner: {'v' * 257}", "tags.owner: the value is 257 characters: tag values are at most 256"),
        (
            "owner: 'a|b'",
            "tags.owner: the value 'a|b' has characters tags do not allow: use letters, digits, spaces and _ . : / = + - @",
        ),
    ],
)
def test_fails_on_a_tag_aws_rejects(manifest, tag: str, message: str) -> None:
    assert manifest.problems(f"name: test\ntags:\n  {tag}\n") == [f"3: {message}"]


# --- task contents ------------------------------------------------------------------------------


def test_fails_when_the_container_definitions_are_certainly_over_64_kib(manifest) -> None:
    environment = "".join(f"  VAR_{i}: '{'x' * 1000}'\n" for i in range(66))
    assert manifest.problems(manifest.service(FARGATE + "environment:\n" + environment)) == [
        "11: services.api: the container definitions are at least 67 KiB (environment, secrets and commands alone): "
        "ECS takes at most 64 KiB per task definition: move large values into files or SSM parameters"
    ]


def test_accepts_container_definitions_under_64_kib(manifest) -> None:
    environment = "".join(f"  VAR_{i}: '{'x' * 1000}'\n" for i in range(60))
    assert len(manifest.load(manifest.service(FARGATE + "environment:\n" + environment)).services["api"].environment) == 60


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_fails_on_numbers_that_are_not_finite(manifest, value: str) -> None:
    body = FARGATE + (
        "scaling:\n  max: 4\n"
        f"  custom_metric: {{namespace: Shop, name: InFlight, target: {value}}}\n"
        f"  steps: {{steps: [{{upper: 20, change: -1}}, {{lower: {value}, change: 2}}]}}\n"
    )
    shown = {".inf": "inf", "-.inf": "-inf", ".nan": "nan"}[value]
    problems = [p for p in manifest.problems(manifest.service(body)) if "finite" in p]
    assert problems == [
        f"19: services.api.scaling.custom_metric.target: {shown} is not a finite number: "
        "CloudWatch and Application Auto Scaling take finite values only",
        f"20: services.api.scaling.steps.steps.1.lower: {shown} is not a finite number: "
        "CloudWatch and Application Auto Scaling take finite values only",
    ]


def test_fails_on_a_custom_metric_target_of_zero(manifest) -> None:
    body = FARGATE + "scaling:\n  max: 4\n  custom_metric: {namespace: Shop, name: InFlight, target: 0}\n"
    assert manifest.problems(manifest.service(body)) == ["19: services.api.scaling.custom_metric.target: 0 is not above 0"]


def test_fails_when_sidecars_take_all_the_task_cpu(manifest) -> None:
    body = FARGATE + "sidecars: [{name: proxy, image: envoy, cpu: 1024, memory_mib: 64}]\n"
    assert manifest.problems(manifest.service(body)) == [
        "15: services.api.cpu: 256 cpu units leave nothing for the main container after 1024 units of sidecars: "
        "raise cpu above 1024 or lower the sidecars' cpu"
    ]


def test_fails_on_two_containers_on_one_port_in_an_awsvpc_task(manifest) -> None:
    body = FARGATE + "sidecars: [{name: proxy, image: envoy, port: 8080, memory_mib: 64}]\n"
    assert manifest.problems(manifest.service(body)) == [
        "17: services.api.sidecars.0.port: port 8080 is already the main container's: the containers of an awsvpc "
        "or host-mode task share one network, so each port belongs to one container"
    ]


def test_accepts_two_containers_on_one_port_in_bridge_mode(manifest) -> None:
    body = "kind: backend\nimage: app\nport: 8080\nlaunch: ec2\ncapacity: [{provider: general}]\n"
    body += "sidecars: [{name: proxy, image: envoy, port: 8080, memory_mib: 64}]\n"
    assert manifest.load(manifest.service(body)).services["api"].sidecars[0].port == 8080


def test_fails_on_a_scheduled_minimum_above_the_maximum(manifest) -> None:
    body = FARGATE + 'scaling:\n  max: 4\n  schedule: [{schedule: "cron(0 8 * * ? *)", min: 6}]\n'
    assert manifest.problems(manifest.service(body)) == [
        "19: services.api.scaling.schedule.0.min: min 6 is above the service's max 4: raise scaling.max or set max here too"
    ]


def test_an_upper_case_ecr_repository_is_named_as_such_not_as_another_registry(manifest) -> None:
    image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/Shop:1"
    text = (
        'name: test\naccount: "111122223333"\nregion: eu-west-1\n'
        "network: {nat_gateways: 0, endpoints: [ecr, logs, s3]}\ncluster: {capacity: {fargate: true}}\n"
        f"services:\n  api:\n    kind: worker\n    image: {image}\n    cpu: 256\n    memory_mib: 512\n"
    )
    assert manifest.problems(text) == [
        "9: services.api.image: ECR repository names are lower case: 'Shop' cannot exist "
        "(write 111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop:1)"
    ]
