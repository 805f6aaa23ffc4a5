"""Values the manifest implies: launch type, network mode, strategies, architecture, listener priority,
and secret references."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig, RouteConfig, ServiceConfig, StrategyItemConfig, VolumeConfig
from ecs_toolkit.config.references import SecretReference, parse_secret_reference

GENERAL = {"name": "general", "instance_types": ["m5.large"], "max": 4}
SPOT = {"name": "spot", "instance_types": ["m5.large"], "spot": True, "max": 4}


def environment(*, fargate: bool = True, ec2: list[dict[str, Any]] | None = None, **cluster: Any) -> EnvironmentConfig:
    capacity = {"fargate": fargate, "ec2": [GENERAL] if ec2 is None else ec2}
    return EnvironmentConfig.model_validate({"name": "test", "cluster": {"capacity": capacity, **cluster}})


def service(**fields: Any) -> ServiceConfig:
    return ServiceConfig.model_validate({"kind": "worker", "image": "app", **fields})


def strategy_of(items: list[StrategyItemConfig]) -> list[tuple[str, int, int]]:
    return [(item.provider, item.base, item.weight) for item in items]


# --- cluster strategy, launch type and network mode ---------------------------------------------


def test_cluster_strategy_defaults_to_fargate_when_fargate_is_on() -> None:
    assert strategy_of(derived.cluster_strategy(environment())) == [("FARGATE", 0, 1)]


def test_cluster_strategy_defaults_to_the_first_ec2_group_when_fargate_is_off() -> None:
    config = environment(fargate=False, ec2=[SPOT, GENERAL])

    assert strategy_of(derived.cluster_strategy(config)) == [("spot", 0, 1)]


def test_cluster_strategy_is_empty_without_any_capacity() -> None:
    assert derived.cluster_strategy(environment(fargate=False, ec2=[])) == []


def test_cluster_strategy_is_the_explicit_default_strategy() -> None:
    config = environment(
        default_strategy=[{"provider": "general", "base": 1}, {"provider": "spot", "weight": 3}], ec2=[GENERAL, SPOT]
    )

    assert strategy_of(derived.cluster_strategy(config)) == [("general", 1, 1), ("spot", 0, 3)]


def test_service_strategy_prefers_the_services_own_capacity() -> None:
    config = environment()

    assert strategy_of(derived.service_strategy(config, service(capacity=[{"provider": "general"}]))) == [("general", 0, 1)]
    assert strategy_of(derived.service_strategy(config, service())) == [("FARGATE", 0, 1)]


def test_provider_names_list_ec2_groups_first_then_fargate() -> None:
    assert derived.provider_names(environment(ec2=[GENERAL, SPOT])) == ["general", "spot", "FARGATE", "FARGATE_SPOT"]
    assert derived.provider_names(environment(fargate=False)) == ["general"]


@pytest.mark.parametrize(
    ("config", "fields", "launch"),
    [
        (environment(), {}, "fargate"),
        (environment(), {"launch": "ec2"}, "ec2"),
        (environment(), {"capacity": [{"provider": "general"}]}, "ec2"),
        (environment(), {"capacity": [{"provider": "FARGATE_SPOT"}, {"provider": "FARGATE"}]}, "fargate"),
        (environment(fargate=False), {}, "ec2"),
        (environment(default_strategy=[{"provider": "general"}]), {}, "ec2"),
        (environment(fargate=False, ec2=[]), {}, "ec2"),
    ],
    ids=["fargate-default", "explicit", "ec2-capacity", "fargate-capacity", "ec2-only-cluster", "ec2-default", "no-capacity"],
)
def test_launch_of_follows_explicit_launch_then_the_strategy(
    config: EnvironmentConfig, fields: dict[str, Any], launch: str
) -> None:
    assert derived.launch_of(config, service(**fields)) == launch


@pytest.mark.parametrize(
    ("fields", "mode"),
    [
        ({}, "awsvpc"),
        ({"capacity": [{"provider": "general"}]}, "bridge"),
        ({"launch": "ec2"}, "bridge"),
        ({"capacity": [{"provider": "general"}], "network_mode": "host"}, "host"),
        ({"network_mode": "awsvpc", "launch": "ec2"}, "awsvpc"),
    ],
    ids=["fargate", "ec2-capacity", "ec2-launch", "explicit-host", "explicit-awsvpc-on-ec2"],
)
def test_network_mode_of_is_explicit_else_awsvpc_on_fargate_and_bridge_on_ec2(fields: dict[str, Any], mode: str) -> None:
    assert derived.network_mode_of(environment(), service(**fields)) == mode


def test_task_size_defaults_to_256_cpu_and_512_mib() -> None:
    config = environment()

    assert (derived.task_cpu(config, service()), derived.task_memory_mib(config, service())) == (256, 512)
    assert (derived.task_cpu(config, service(cpu=1024)), derived.task_memory_mib(config, service(memory_mib=2048))) == (
        1024,
        2048,
    )


def test_namespace_defaults_to_the_environment_name() -> None:
    assert derived.namespace_of(environment()) == "test.internal"
    assert derived.namespace_of(environment(namespace="corp.example")) == "corp.example"


def test_backends_are_discoverable_by_their_name_and_others_only_on_request() -> None:
    assert derived.discovery_name_of("orders", service(kind="backend", port=80)) == "orders"
    assert derived.discovery_name_of("orders", service(kind="backend", port=80, discovery={"name": "shop"})) == "shop"
    assert derived.discovery_name_of("queue", service()) is None
    assert derived.discovery_name_of("web", service(kind="web", discovery={})) == "web"


def test_grace_period_is_30_seconds_or_the_container_start_period_if_longer() -> None:
    check = {"command": ["CMD", "true"]}

    assert derived.grace_period_seconds(service()) == 30
    assert derived.grace_period_seconds(service(container_health_check={**check, "start_period_seconds": 90})) == 90
    assert derived.grace_period_seconds(service(container_health_check={**check, "start_period_seconds": 10})) == 30
    assert derived.grace_period_seconds(service(deployment={"grace_period_seconds": 5})) == 5


def test_file_systems_are_destroyed_only_in_ephemeral_environments_unless_told() -> None:
    def removal(ephemeral: bool, chosen: str | None) -> str:
        config = EnvironmentConfig.model_validate(
            {"name": "test", "ephemeral": ephemeral, "file_systems": {"data": {"removal": chosen}}}
        )
        return derived.file_system_removal(config, "data")

    assert [removal(True, None), removal(False, None), removal(True, "retain"), removal(False, "destroy")] == [
        "destroy",
        "retain",
        "retain",
        "destroy",
    ]


def test_az_count_comes_from_the_count_the_names_or_the_existing_vpc() -> None:
    def count(network: dict[str, Any]) -> int:
        return derived.az_count(EnvironmentConfig.model_validate({"name": "test", "network": network}))

    existing = {
        "vpc_id": "vpc-0a1b2c3d",
        "cidr": "10.20.0.0/16",
        "availability_zones": ["a", "b", "c"],
        "private_subnet_ids": ["subnet-0a1b2c3d"],
    }
    assert [count({}), count({"azs": 3}), count({"azs": ["x", "y"]}), count({"existing": existing})] == [2, 3, 2, 3]


# --- instance architecture ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance_type", "architecture"),
    [
        ("m7g.large", "arm64"),
        ("c6gn.xlarge", "arm64"),
        ("t4g.micro", "arm64"),
        ("g5g.xlarge", "arm64"),
        ("r7gd.2xlarge", "arm64"),
        ("im4gn.large", "arm64"),
        ("g5.xlarge", "x86_64"),
        ("t3a.medium", "x86_64"),
        ("m7i-flex.large", "x86_64"),
        ("m5.large", "x86_64"),
        ("c6in.large", "x86_64"),
        ("g4dn.xlarge", "x86_64"),
        ("p4d.24xlarge", "x86_64"),
    ],
)
def test_instance_architecture_is_arm64_only_for_graviton_families(instance_type: str, architecture: str) -> None:
    assert derived.instance_architecture(instance_type) == architecture


def test_instance_architecture_knows_a1_is_graviton() -> None:
    assert derived.instance_architecture("a1.large") == "arm64"


# --- listener priority ------------------------------------------------------------------------


def test_listener_priority_is_stable_across_releases() -> None:
    # Changing these numbers replaces every listener rule of a deployed environment.
    assert derived.listener_priority(RouteConfig(path="/*")) == 48597
    assert derived.listener_priority(RouteConfig(path="/api/*")) == 44175
    assert derived.listener_priority(RouteConfig(host="shop.example.com", path="/*")) == 24023
    # "/" is routed as "/*" but keeps the priority derived from what the manifest says.
    assert derived.listener_priority(RouteConfig(path="/")) == 48852


@pytest.mark.parametrize(
    ("path", "pattern"), [("/", "/*"), ("/*", "/*"), ("/api/*", "/api/*"), ("/health", "/health"), (None, None)]
)
def test_slash_routes_the_whole_site(path: str | None, pattern: str | None) -> None:
    assert derived.listener_path(RouteConfig(path=path, host="a.example.com")) == pattern


def test_listener_priority_is_deterministic_for_equal_routes() -> None:
    assert derived.listener_priority(RouteConfig(path="/orders/*")) == derived.listener_priority(RouteConfig(path="/orders/*"))


def test_listener_priority_of_a_route_ignores_the_other_services(manifest) -> None:
    def priorities(order: list[str]) -> dict[str, int]:
        routes = {"api": "/api/*", "site": "/*", "admin": "/admin/*"}
        text = manifest.services(
            "".join(
                f"{name}:\n  kind: web\n  image: app\n  port: 80\n  cpu: 256\n  memory_mib: 512\n"
                f"  route: {{path: '{routes[name]}'}}\n"
                for name in order
            )
        )
        config = manifest.load(text)
        return {name: derived.listener_priority(svc.route) for name, svc in config.services.items() if svc.route}

    alone = priorities(["api"])
    together = priorities(["site", "admin", "api"])
    reordered = priorities(["api", "admin", "site"])

    assert together["api"] == alone["api"]
    assert together == reordered
    assert len(set(together.values())) == 3


@pytest.mark.parametrize(
    ("specific", "general"),
    [
        (RouteConfig(path="/api/*"), RouteConfig(path="/*")),
        (RouteConfig(path="/api/v1/*"), RouteConfig(path="/api/*")),
        (RouteConfig(path="/api/health"), RouteConfig(path="/api/*")),
        (RouteConfig(host="shop.example.com"), RouteConfig(path="/api/*")),
        (RouteConfig(host="shop.example.com"), RouteConfig(host="*.example.com")),
        (RouteConfig(host="shop.example.com", path="/*"), RouteConfig(host="shop.example.com")),
        (RouteConfig(host="*.example.com", path="/*"), RouteConfig(path="/*")),
    ],
    ids=[
        "api-before-root",
        "longer-path",
        "literal-before-wildcard",
        "host-before-path",
        "host-before-wildcard-host",
        "host-and-path-before-host",
        "wildcard-host-before-path",
    ],
)
def test_more_specific_routes_get_lower_listener_priorities(specific: RouteConfig, general: RouteConfig) -> None:
    assert derived.listener_priority(specific) < derived.listener_priority(general)


@pytest.mark.parametrize("priority", [1, 7, 48597, 50000])
def test_explicit_listener_priority_wins(priority: int) -> None:
    assert derived.listener_priority(RouteConfig(path="/*", priority=priority)) == priority


@pytest.mark.parametrize(
    "route",
    [
        RouteConfig(),
        RouteConfig(path="/"),
        RouteConfig(path="/*"),
        RouteConfig(path="/" + "a" * 127),
        RouteConfig(host="*"),
        RouteConfig(host="a" * 128, path="/" + "b" * 127),
        RouteConfig(host="*.example.com", path="/api/*"),
        *(RouteConfig(path=f"/p{index}/*") for index in range(40)),
    ],
)
def test_derived_listener_priority_is_within_the_alb_range(route: RouteConfig) -> None:
    assert 1 <= derived.listener_priority(route) <= 50000


def test_fails_on_an_explicit_listener_priority_outside_the_alb_range(manifest) -> None:
    text = manifest.service("kind: web\nimage: app\nport: 80\ncpu: 256\nmemory_mib: 512\nroute: {path: /*, priority: 50001}\n")

    assert manifest.problems(text) == ["17: services.api.route.priority: must be a whole number from 1 to 50000 (got 50001)"]


# --- secret references ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reference"),
    [
        ("ssm:/app/db-url", SecretReference("ssm", "/app/db-url", is_arn=False)),
        ("ssm:app/db-url", SecretReference("ssm", "/app/db-url", is_arn=False)),
        ("ssm:db_url", SecretReference("ssm", "/db_url", is_arn=False)),
        (
            "ssm:arn:aws:ssm:eu-west-1:111122223333:parameter/app/db-url",
            SecretReference("ssm", "arn:aws:ssm:eu-west-1:111122223333:parameter/app/db-url", is_arn=True),
        ),
        (
            "ssm:arn:aws-us-gov:ssm:us-gov-west-1:111122223333:parameter/app",
            SecretReference("ssm", "arn:aws-us-gov:ssm:us-gov-west-1:111122223333:parameter/app", is_arn=True),
        ),
        ("secretsmanager:shop/session", SecretReference("secretsmanager", "shop/session", is_arn=False)),
        ("secretsmanager:shop/session:key", SecretReference("secretsmanager", "shop/session", is_arn=False, json_key="key")),
        (
            "secretsmanager:arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/db-AbCdEf",
            SecretReference("secretsmanager", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/db-AbCdEf", is_arn=True),
        ),
        (
            "secretsmanager:arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/db-AbCdEf:password",
            SecretReference(
                "secretsmanager",
                "arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/db-AbCdEf",
                is_arn=True,
                json_key="password",
            ),
        ),
        (  # RDS-managed secrets have a `!` in their name
            "secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0a1b2c3d-xyz-AbCdEf",
            SecretReference(
                "secretsmanager", "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0a1b2c3d-xyz-AbCdEf", is_arn=True
            ),
        ),
        (
            "secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-0a1b-AbCdEf:password",
            SecretReference(
                "secretsmanager",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-0a1b-AbCdEf",
                is_arn=True,
                json_key="password",
            ),
        ),
        ("secretsmanager:rds!db-0a1b2c3d-xyz", SecretReference("secretsmanager", "rds!db-0a1b2c3d-xyz", is_arn=False)),
        ("secretsmanager:a+b=c.d@e_f/g-h", SecretReference("secretsmanager", "a+b=c.d@e_f/g-h", is_arn=False)),
    ],
)
def test_parses_each_accepted_secret_reference_form(value: str, reference: SecretReference) -> None:
    assert parse_secret_reference(value) == reference


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("plain", "'plain' is not a secret reference (use ssm:/parameter/name, "),
        ("ssm:/a b", "'/a b' is not an SSM parameter name or ARN"),
        (
            "secretsmanager:arn:aws:secretsmanager:eu-west-1:1:secret:x",
            "'arn:aws:secretsmanager:eu-west-1:1:secret:x' is not a Secrets Manager secret ARN",
        ),
        ("secretsmanager:a:b:c", "'a:b:c' is not a Secrets Manager secret name"),
        (
            "secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:db#1-AbCdEf",
            "'arn:aws:secretsmanager:us-east-1:123456789012:secret:db#1-AbCdEf' is not a Secrets Manager secret ARN",
        ),
        ("secretsmanager:my secret", "'my secret' is not a Secrets Manager secret name"),
    ],
)
def test_rejects_a_malformed_secret_reference(value: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        parse_secret_reference(value)


# --- volume ownership ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "volume", "owner"),
    [
        (None, {}, (1000, 1000)),
        ("101", {}, (101, 101)),
        ("101:202", {}, (101, 202)),
        ("nginx", {}, (1000, 1000)),
        ("nginx:202", {}, (1000, 202)),
        ("101", {"uid": 5}, (5, 101)),
        ("101:202", {"uid": 5, "gid": 6}, (5, 6)),
    ],
)
def test_volume_owner_is_explicit_else_the_numeric_service_user_else_1000(
    user: str | None, volume: dict[str, Any], owner: tuple[int, int]
) -> None:
    spec = VolumeConfig.model_validate({"path": "/data", **volume})

    assert derived.volume_owner(service(user=user), spec) == owner


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("111122223333.dkr.ecr.eu-west-1.amazonaws.com/checkout:1.4.2", ("111122223333", "eu-west-1", "checkout", "1.4.2")),
        ("111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app", ("111122223333", "us-east-1", "team/app", "latest")),
        (
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + "a" * 64,
            ("111122223333", "us-east-1", "app", "sha256:" + "a" * 64),
        ),
    ],
)
def test_parses_private_ecr_images(image: str, expected: tuple[str, str, str, str]) -> None:
    from ecs_toolkit.config.references import parse_ecr_image

    parsed = parse_ecr_image(image)
    assert parsed is not None
    assert (parsed.account, parsed.region, parsed.repository, parsed.version) == expected


@pytest.mark.parametrize("image", ["public.ecr.aws/nginx/nginx:stable", "nginx", "ghcr.io/acme/app:1"])
def test_other_registries_are_not_ecr_images(image: str) -> None:
    from ecs_toolkit.config.references import parse_ecr_image

    assert parse_ecr_image(image) is None


# --- NLB transports and health checks -----------------------------------------------------------


@pytest.mark.parametrize(
    ("nlb", "transports", "check"),
    [
        (None, ("tcp",), None),
        ({"port": 443}, ("tcp",), None),
        ({"port": 443, "protocol": "tls", "certificate_arn": "arn:aws:acm:eu-west-1:111122223333:certificate/x"}, ("tcp",), None),
        ({"port": 53, "protocol": "tcp_udp"}, ("tcp", "udp"), None),
        ({"port": 53, "protocol": "udp"}, ("udp",), 5353),  # NLB health checks are TCP: on the container port
        ({"port": 53, "protocol": "udp", "health_check_port": 8080}, ("udp",), 8080),
        ({"port": 443, "health_check_port": 8080}, ("tcp",), 8080),
        ({"port": 443, "health_check_port": 5353}, ("tcp",), None),  # the traffic port itself
    ],
)
def test_nlb_transports_and_the_tcp_port_the_container_must_also_publish(
    nlb: dict[str, Any] | None, transports: tuple[str, ...], check: int | None
) -> None:
    service = ServiceConfig.model_validate({"kind": "web", "image": "x", "port": 5353, "nlb": nlb}, strict=False)
    assert derived.nlb_transports(service) == transports
    assert derived.nlb_health_check_port(service) == check
