"""NLB services over UDP on EC2 bridge: their fixed host ports must stay clear of everything else."""

from __future__ import annotations

import pytest

UDP_BRIDGE = """\
  kind: web
  image: app
  port: {port}
  capacity: [{{provider: general}}]
  nlb: {{port: 53, protocol: {protocol}}}
"""
"""Six lines per service including its name: ``one`` starts on line 11, ``two`` on line 17."""


def _service(name: str, port: int, protocol: str = "udp") -> str:
    return f"{name}:\n" + UDP_BRIDGE.format(port=port, protocol=protocol)


@pytest.mark.parametrize("protocol", ["udp", "tcp_udp"])
def test_accepts_a_udp_service_on_bridge_with_a_fixed_port(manifest, protocol: str) -> None:
    config = manifest.load(manifest.services(_service("dns", 1053, protocol)))
    nlb = config.services["dns"].nlb
    assert nlb is not None and nlb.health_check_port is None


def test_fails_when_a_bridge_udp_port_is_reserved_by_the_agent(manifest) -> None:
    assert manifest.problems(manifest.services(_service("dns", 2375))) == [
        "14: services.dns.port: host port 2375 is taken on every instance by SSH, Docker or the ECS agent "
        "(22, 2375, 2376, 51678, 51679, 51680): use another port"
    ]


def test_fails_when_a_bridge_udp_port_is_inside_the_dynamic_range(manifest) -> None:
    assert manifest.problems(manifest.services(_service("dns", 61500))) == [
        "14: services.dns.port: bridge mode with an NLB over UDP publishes host port 61500 as it is, "
        "inside cluster.host_port_range (61000-61999): use a port outside it"
    ]


def test_fails_when_two_bridge_udp_services_share_a_host_port(manifest) -> None:
    text = manifest.services(_service("one", 1053) + _service("two", 1053))
    assert manifest.problems(text) == [
        "20: services.two.port: bridge mode with an NLB over UDP publishes host port 1053 as it is, "
        "and service 'one' already uses that host port"
    ]


def test_fails_when_a_separate_health_check_port_is_reserved(manifest) -> None:
    text = manifest.services(_service("dns", 1053).replace("protocol: udp}", "protocol: udp, health_check_port: 51678}"))
    assert manifest.problems(text) == [
        "16: services.dns.nlb: host port 51678 is taken on every instance by SSH, Docker or the ECS agent "
        "(22, 2375, 2376, 51678, 51679, 51680): use another port"
    ]


def test_fails_when_fixed_host_ports_need_more_instances_than_the_groups_have(manifest) -> None:
    text = manifest.services(_service("dns", 1053) + "  count: 5\n")
    assert manifest.problems(text) == [
        "17: services.dns.count: 5 tasks in bridge mode with fixed host ports need 5 instances "
        "(one per instance for port 1053), but the service's capacity groups have at most 4"
    ]


def test_fails_when_fixed_host_ports_leave_a_rolling_deployment_no_room(manifest) -> None:
    text = manifest.services(_service("dns", 1053) + "  count: 4\n")
    problems = manifest.problems(text)
    assert len(problems) == 1
    assert problems[0].startswith("17: services.dns.count: a rolling deployment can never start: 4 tasks in bridge mode")


def test_a_tcp_bridge_service_keeps_dynamic_ports_anywhere(manifest) -> None:
    config = manifest.load(manifest.services(_service("web", 61500, "tcp")))
    assert config.services["web"].port == 61500


def test_fails_when_service_connect_would_carry_a_udp_only_port(manifest) -> None:
    text = manifest.services(
        _service("dns", 1053).replace("protocol: udp}", "protocol: udp, health_check_port: 8080}")
        + "  discovery: {service_connect: true}\n"
    )
    assert manifest.problems(text) == [
        "17: services.dns.discovery.service_connect: Service Connect carries TCP, and this service's port is UDP only: "
        "use discovery without service_connect, or nlb protocol tcp_udp"
    ]


def test_accepts_service_connect_on_a_udp_service_that_also_answers_tcp_on_its_port(manifest) -> None:
    text = manifest.services(_service("dns", 1053) + "  discovery: {service_connect: true}\n")
    assert manifest.load(text).services["dns"].discovery is not None
