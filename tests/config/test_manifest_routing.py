"""Routing fields: several hosts and paths per rule, additional routes, targets, health-check ports, an existing
ALB, and the security groups tasks take besides their own."""

from __future__ import annotations

import pytest

from ecs_toolkit.config import derived, load_manifest_with_warnings
from ecs_toolkit.config.models import RouteConfig

WEB = "kind: web\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\n"
"""Lines 12-16 of ``manifest.service(...)``: the next line is 17."""
PROXY = "sidecars: [{name: proxy, image: envoy, port: 8443}]\n"
ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/shared/0123456789abcdef"
LISTENER_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/shared/0123456789abcdef/fedcba9876543210"
EXISTING_VPC = """\
network:
  existing:
    vpc_id: vpc-0123456789abcdef0
    cidr: 10.0.0.0/16
    availability_zones: [eu-west-1a, eu-west-1b]
    private_subnet_ids: [subnet-0123456789abcdef1, subnet-0123456789abcdef2]
"""


# --- several hosts and paths ----------------------------------------------------------------------


def test_accepts_lists_of_hosts_and_paths_in_one_rule(manifest) -> None:
    config = manifest.load(manifest.service(WEB + "route: {host: [a.example.com, b.example.com], path: [/, /api/*]}\n"))

    route = config.services["api"].route
    assert route is not None
    assert derived.route_hosts(route) == ["a.example.com", "b.example.com"]
    assert derived.listener_paths(route) == ["/*", "/api/*"]


def test_a_list_of_one_value_keeps_the_priority_of_the_plain_string() -> None:
    for route, single in (
        (RouteConfig(path=["/api/*"]), RouteConfig(path="/api/*")),
        (RouteConfig(host=["shop.example.com"], path=["/*"]), RouteConfig(host="shop.example.com", path="/*")),
    ):
        assert derived.listener_priority(route) == derived.listener_priority(single)


def test_several_values_are_as_specific_as_the_least_specific_one() -> None:
    narrow = RouteConfig(host="a.example.com", path="/api/orders/*")
    mixed = RouteConfig(host=["a.example.com", "*.example.com"], path=["/api/orders/*", "/*"])
    assert derived.listener_priority(narrow) < derived.listener_priority(mixed)
    assert (
        derived.listener_priority(mixed) // 1000
        == derived.listener_priority(RouteConfig(host="*.example.com", path="/*")) // 1000
    )


def test_fails_when_a_rule_has_more_than_five_host_and_path_values(manifest) -> None:
    text = manifest.service(WEB + "route: {host: [a.example.com, b.example.com], path: [/a, /b, /c, /d]}\n")

    assert manifest.problems(text) == [
        "17: services.api.route: 6 host and path values: an ALB listener rule takes at most 5 "
        "(hosts and paths counted together); move the rest to additional_routes"
    ]


def test_fails_on_an_empty_list_and_a_value_listed_twice(manifest) -> None:
    text = manifest.service(WEB + "route:\n  host: []\n  path: [/a, /b, /a]\n")

    assert manifest.problems(text) == [
        "18: services.api.route.host: an empty list matches nothing: give at least one value or leave it out",
        "19: services.api.route.path.2: '/a' is listed twice",
    ]


def test_fails_on_a_host_without_a_dot_in_a_list(manifest) -> None:
    text = manifest.service(WEB + "route: {host: [shop.example.com, localhost]}\n")

    assert manifest.problems(text) == [
        "17: services.api.route.host.1: 'localhost' has no dot: a host condition is a domain name such as "
        "shop.example.com (* and ? allowed)"
    ]


def test_fails_when_two_routes_share_one_host_and_path_of_their_lists(manifest) -> None:
    text = manifest.services(
        "one:\n  " + WEB.replace("\n", "\n  ") + "route: {path: [/a/*, /shared/*]}\n"
        "two:\n  " + WEB.replace("\n", "\n  ") + "route: {path: [/shared/*, /b/*]}\n"
    )

    assert manifest.problems(text) == ["24: services.two.route: same host and path as service 'one' (path /shared/*)"]


# --- additional routes ----------------------------------------------------------------------------


def test_additional_routes_to_the_target_and_to_another_container(manifest) -> None:
    body = (
        WEB
        + PROXY
        + (
            "route: {path: /*}\n"
            "target: {container: proxy}\n"
            "additional_routes:\n"
            "  - {path: /static/*}\n"
            "  - {path: /direct/*, container: api}\n"
        )
    )
    config = manifest.load(manifest.service(body))

    service = config.services["api"]
    first, second = service.additional_routes
    assert derived.additional_target("api", service, first) == ("proxy", 8443)
    assert not derived.route_has_own_target("api", service, first)
    assert derived.additional_target("api", service, second) == ("api", 8080)
    assert derived.route_has_own_target("api", service, second)
    assert derived.load_balancer_ports("api", service) == [8080, 8443]


def test_fails_when_an_additional_route_repeats_the_route_or_takes_a_used_priority(manifest) -> None:
    body = WEB + "route: {path: /*, priority: 7}\nadditional_routes:\n  - {path: /*}\n  - {path: /x/*, priority: 7}\n"

    assert manifest.problems(manifest.service(body)) == [
        "19: services.api.additional_routes.0: same host and path as service 'api'",
        "20: services.api.additional_routes.1.priority: listener priority 7 is already used by service 'api': "
        "set additional_routes[1].priority explicitly",
    ]


def test_fails_on_additional_routes_without_a_route_or_with_traffic_shifting(manifest) -> None:
    nlb_only = manifest.service(WEB + "nlb: {port: 443}\nadditional_routes: [{path: /x/*}]\n")
    assert manifest.problems(nlb_only) == [
        "18: services.api.additional_routes: needs the service's route (the main rule and target group)"
    ]
    shifting = manifest.service(WEB + "route: {path: /*}\ndeployment: {strategy: canary}\nadditional_routes: [{path: /x/*}]\n")
    assert manifest.problems(shifting) == [
        "19: services.api.additional_routes: a canary deployment moves traffic on one listener rule only, so more "
        "rules would keep sending to the old revision: put the hosts and paths in route (at most 5 values) or deploy rolling"
    ]


def test_fails_on_an_additional_route_to_a_missing_container_a_wrong_port_or_nothing(manifest) -> None:
    body = (
        WEB
        + PROXY
        + (
            "route: {path: /*}\n"
            "additional_routes:\n"
            "  - {path: /a/*, container: proxi}\n"
            "  - {path: /b/*, container: proxy, port: 9000}\n"
            "  - {container: proxy}\n"
            "  - {path: /c/*, protocol: https}\n"
        )
    )

    assert manifest.problems(manifest.service(body)) == [
        "20: services.api.additional_routes.0.container: no container 'proxi' in the task: did you mean 'proxy'?",
        "21: services.api.additional_routes.1.port: container 'proxy' exposes port 8443, not 9000: the load balancer "
        "can only reach a port the container maps",
        "22: services.api.additional_routes.2: give a path, a host, or both",
        "23: services.api.additional_routes.3.protocol: applies to a route with a target group of its own; this one "
        "sends to the service's target (set target.protocol instead)",
    ]


@pytest.mark.parametrize("field", ["target: {protocol: https}", "additional_routes: [{path: /x/*}]"])
def test_fails_when_a_backend_names_a_target_or_additional_routes(manifest, field: str) -> None:
    body = "kind: backend\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\n" + field + "\n"

    name = field.split(":", 1)[0]
    assert manifest.problems(manifest.service(body)) == [f"17: services.api.{name}: a backend has no load balancer: use kind web"]


# --- targets and health-check ports ---------------------------------------------------------------


def test_a_target_names_a_sidecar_port_protocol_and_stickiness(manifest) -> None:
    body = (
        WEB + PROXY + "route: {path: /*}\ntarget: {container: proxy, port: 8443, protocol: https, stickiness_seconds: 604800}\n"
    )
    service = manifest.load(manifest.service(body)).services["api"]

    assert (derived.target_container("api", service), derived.target_port("api", service)) == ("proxy", 8443)
    assert derived.target_protocol(service) == "https"


@pytest.mark.parametrize(
    ("target", "line"),
    [
        (
            "{container: envoy}",
            "19: services.api.target.container: no container 'envoy' in the task (have: api, proxy)",
        ),
        (
            "{port: 9090}",
            "19: services.api.target.port: container 'api' exposes port 8080, not 9090: the load balancer "
            "can only reach a port the container maps",
        ),
        (
            "{stickiness_seconds: 604801}",
            "19: services.api.target.stickiness_seconds: must be a whole number from 1 to 604800 (got 604801)",
        ),
        ("{protocol: grpc}", "19: services.api.target.protocol: must be one of: http, https (got 'grpc')"),
    ],
    ids=["unknown-container", "unexposed-port", "stickiness-over-7-days", "protocol"],
)
def test_fails_on_a_target_that_cannot_be_reached(manifest, target: str, line: str) -> None:
    text = manifest.service(WEB + PROXY + "route: {path: /*}\n" + f"target: {target}\n")

    assert manifest.problems(text) == [line]


def test_fails_on_a_target_sidecar_without_a_port_and_a_target_without_a_route(manifest) -> None:
    portless = manifest.service(WEB + "sidecars: [{name: agent, image: agent}]\nroute: {path: /*}\ntarget: {container: agent}\n")
    assert manifest.problems(portless) == [
        "19: services.api.target.container: sidecar 'agent' has no port: the load balancer needs a container port to send to"
    ]
    nlb_only = manifest.service(WEB + "nlb: {port: 443}\ntarget: {protocol: https}\n")
    assert manifest.problems(nlb_only) == [
        "18: services.api.target: applies to the route's target group: add a route (an nlb sends to the main container's port)"
    ]


def test_a_health_check_port_is_published_and_admitted_besides_the_traffic_port(manifest) -> None:
    service = manifest.load(manifest.service(WEB + "route: {path: /*}\nhealth_check: {port: 8081}\n")).services["api"]

    assert derived.health_check_port("api", service) == 8081
    assert derived.load_balancer_ports("api", service) == [8080, 8081]


def test_fails_on_a_health_check_port_in_bridge_mode(manifest) -> None:
    body = "kind: web\nimage: app\nport: 8080\ncapacity: [{provider: general}]\nroute: {path: /*}\nhealth_check: {port: 8081}\n"

    assert manifest.problems(manifest.service(body)) == [
        "17: services.api.health_check.port: bridge-mode tasks publish dynamic host ports, so a fixed health-check port "
        "reaches no task: leave it out (the check uses the traffic port) or run the service in awsvpc or host network mode"
    ]


def test_fails_on_a_health_check_port_without_a_route_or_unlike_the_nlbs(manifest) -> None:
    nlb_only = manifest.service(WEB + "nlb: {port: 443}\nhealth_check: {port: 8081}\n")
    assert manifest.problems(nlb_only) == [
        "18: services.api.health_check.port: applies to the route's target group: add a route (an nlb has nlb.health_check_port)"
    ]
    both = manifest.service(WEB + "route: {path: /*}\nnlb: {port: 443, health_check_port: 9000}\nhealth_check: {port: 8081}\n")
    assert manifest.problems(both) == [
        "19: services.api.health_check.port: the main container publishes one health-check port and the nlb checks 9000: "
        "use the same port for both"
    ]


# --- security groups of the tasks -----------------------------------------------------------------


def test_awsvpc_services_and_jobs_take_existing_security_groups(manifest) -> None:
    text = manifest.services(
        "api:\n  " + WEB.replace("\n", "\n  ") + "route: {path: /*}\n  security_groups: [sg-0123456789abcdef0]\n"
        'nightly:\n  kind: job\n  image: app\n  cpu: 256\n  memory_mib: 512\n  schedule: "rate(1 day)"\n'
        "  security_groups: [sg-0123456789abcdef0, sg-0123456789abcdef1]\n"
    )

    config = manifest.load(text)

    assert config.services["nightly"].security_groups == ["sg-0123456789abcdef0", "sg-0123456789abcdef1"]


def test_fails_on_security_groups_in_bridge_mode_twice_over_too_many_or_malformed(manifest) -> None:
    bridge = manifest.service(
        "kind: backend\nimage: app\nport: 8080\ncapacity: [{provider: general}]\nsecurity_groups: [sg-0123456789abcdef0]\n"
    )
    assert manifest.problems(bridge) == [
        "16: services.api.security_groups: bridge-mode tasks use their EC2 instance's network interface and its "
        "security groups, so they cannot take groups of their own: use network_mode awsvpc"
    ]
    groups = ", ".join(f"sg-0123456789abcdef{index}" for index in range(5))
    many = manifest.service(WEB + f"route: {{path: /*}}\nsecurity_groups: [{groups}, sg-0123456789abcdef0]\n")
    assert manifest.problems(many) == [
        "18: services.api.security_groups: 5 groups and the task's own make 6: an awsvpc task takes at most 5 security groups",
        "18: services.api.security_groups.5: 'sg-0123456789abcdef0' is listed twice",
    ]
    malformed = manifest.service(WEB + "route: {path: /*}\nsecurity_groups: [default]\n")
    assert manifest.problems(malformed) == [
        "18: services.api.security_groups.0: must be a security group id: sg- and 8 to 17 lower-case hex digits (got 'default')"
    ]


# --- an existing load balancer --------------------------------------------------------------------


def _existing(extra: str = "", *, listener: str = LISTENER_ARN, vpc: str = EXISTING_VPC) -> str:
    return (
        "name: test\n"
        + vpc
        + "load_balancer:\n"
        + extra
        + "  existing:\n"
        + f"    arn: {ALB_ARN}\n"
        + f"    listener_arn: {listener}\n"
        + "    security_group_id: sg-0123456789abcdef9\n"
        + "    dns_name: internal-shared-1.eu-west-1.elb.amazonaws.com\n"
        + "services:\n  api:\n"
        + "".join(f"    {line}\n" for line in (WEB + "route: {path: /*}\ndeployment: {strategy: blue-green}\n").splitlines())
    )


def test_an_existing_load_balancer_is_imported_and_gets_no_test_listener(manifest) -> None:
    config = manifest.load(_existing())

    assert config.load_balancer is not None and config.load_balancer.existing is not None
    assert not derived.needs_test_listener(config)


def test_fails_on_settings_of_a_created_load_balancer_next_to_an_existing_one(manifest) -> None:
    text = _existing("  public: false\n  test_listener: {port: 9000}\n")

    assert manifest.problems(text) == [
        "9: load_balancer.public: does not apply to an existing load balancer: its listeners, security group and "
        "access logs are managed where it was created",
        "10: load_balancer.test_listener: does not apply to an existing load balancer: its listeners, security group "
        "and access logs are managed where it was created",
    ]


def test_fails_on_an_existing_load_balancer_in_a_new_vpc_or_with_another_balancers_listener(manifest) -> None:
    assert manifest.problems(_existing(vpc="")) == [
        "3: load_balancer.existing: an existing load balancer forwards only to target groups in its own VPC: import "
        "that VPC under network.existing too"
    ]
    other = LISTENER_ARN.replace("app/shared/", "app/other/")
    assert manifest.problems(_existing(listener=other)) == [
        "11: load_balancer.existing.listener_arn: belongs to load balancer app/other/0123456789abcdef, not to "
        "app/shared/0123456789abcdef (the arn above)"
    ]
    elsewhere = LISTENER_ARN.replace("eu-west-1", "us-east-1")
    assert manifest.problems(_existing(listener=elsewhere)) == [
        "11: load_balancer.existing.listener_arn: is in another account or region than the load balancer's arn"
    ]


def test_fails_on_an_existing_load_balancer_in_another_region_than_the_environment(manifest) -> None:
    text = _existing().replace("name: test\n", "name: test\naccount: '111122223333'\nregion: eu-central-1\n", 1)
    text = text.replace("eu-west-1a, eu-west-1b", "eu-central-1a, eu-central-1b")

    assert manifest.problems(text) == [
        "12: load_balancer.existing.arn: is in eu-west-1, but the environment deploys to eu-central-1"
    ]


def test_an_existing_load_balancer_without_routes_is_not_warned_about_as_billed(manifest) -> None:
    text = (
        _existing().split("services:\n", 1)[0]
        + "services:\n  api:\n    kind: worker\n    image: app\n    cpu: 256\n    memory_mib: 512\n"
    )
    _, warnings = load_manifest_with_warnings(manifest.write(text))

    assert not [line for line in warnings if "load_balancer" in line]
    network_only = "name: test\n" + EXISTING_VPC + "load_balancer: {public: false}\n"
    _, warnings = load_manifest_with_warnings(manifest.write(network_only + "services: {}\n"))
    assert [line for line in warnings if "load_balancer: warning: no service has a route" in line]
