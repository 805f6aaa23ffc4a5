"""CIDRs read strictly (no host bits, real addresses, allowed prefixes) and availability zones of one region."""

from __future__ import annotations

import pytest

EXISTING = """\
name: test
network:
  existing:
    vpc_id: vpc-0123456789abcdef0
    cidr: {cidr}
    availability_zones: [{zones}]
    private_subnet_ids: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
"""


@pytest.mark.parametrize(
    ("cidr", "message"),
    [
        ("10.0.0.300/16", "'10.0.0.300/16' is not an IPv4 CIDR: four numbers from 0 to 255 and a prefix, such as 10.0.0.0/16"),
        ("10.0.0/16", "'10.0.0/16' is not an IPv4 CIDR: four numbers from 0 to 255 and a prefix, such as 10.0.0.0/16"),
        ("10.0.0.0", "'10.0.0.0' has no prefix: write it as 10.0.0.0/16 to /24"),
        ("10.0.7.1/16", "10.0.7.1/16 has host bits set: the /16 network is 10.0.0.0/16"),
        ("10.0.0.0/8", "/8 is outside the allowed prefixes: use /16 to /24"),
        ("10.0.0.0/25", "/25 is outside the allowed prefixes: use /16 to /24"),
    ],
)
def test_fails_on_a_vpc_cidr_that_is_not_an_exact_network_of_the_allowed_size(manifest, cidr: str, message: str) -> None:
    assert manifest.problems(f"name: test\nnetwork:\n  cidr: {cidr}\n") == [f"3: network.cidr: {message}"]


def test_reports_host_bits_and_prefix_together(manifest) -> None:
    assert manifest.problems("name: test\nnetwork:\n  cidr: 10.1.2.3/12\n") == [
        "3: network.cidr: /12 is outside the allowed prefixes: use /16 to /24",
        "3: network.cidr: 10.1.2.3/12 has host bits set: the /12 network is 10.0.0.0/12",
    ]


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "172.31.0.0/16", "192.168.10.0/24"])
def test_accepts_exact_networks_from_16_to_24(manifest, cidr: str) -> None:
    assert manifest.load(f"name: test\nnetwork:\n  cidr: {cidr}\n").network.cidr == cidr


def test_accepts_a_24_vpc_over_three_zones(manifest) -> None:
    config = manifest.load("name: test\nnetwork:\n  cidr: 10.9.8.0/24\n  azs: 3\n  nat_gateways: 3\n")
    assert (config.network.cidr, config.network.azs) == ("10.9.8.0/24", 3)


@pytest.mark.parametrize(
    ("cidr", "message"),
    [
        ("10.20.0.1/16", "10.20.0.1/16 has host bits set: the /16 network is 10.20.0.0/16"),
        ("10.20.0.0/29", "/29 is outside the allowed prefixes: use /16 to /28"),
        ("10.20.0.256/16", "'10.20.0.256/16' is not an IPv4 CIDR: four numbers from 0 to 255 and a prefix, such as 10.0.0.0/16"),
    ],
)
def test_fails_on_an_existing_vpc_cidr_that_is_not_an_exact_network(manifest, cidr: str, message: str) -> None:
    text = EXISTING.format(cidr=cidr, zones="eu-west-1a, eu-west-1b")
    assert manifest.problems(text) == [f"5: network.existing.cidr: {message}"]


def test_accepts_an_existing_vpc_of_28(manifest) -> None:
    config = manifest.load(EXISTING.format(cidr="10.20.0.0/28", zones="eu-west-1a, eu-west-1b"))
    assert config.network.existing is not None and config.network.existing.cidr == "10.20.0.0/28"


def test_fails_on_zones_of_two_regions_at_the_first_that_differs(manifest) -> None:
    assert manifest.problems("name: test\nnetwork:\n  azs: [us-east-1a, eu-west-1b]\n") == [
        "3: network.azs.1: 'eu-west-1b' is in eu-west-1, the zones before it in us-east-1: use zones of one region"
    ]


def test_fails_on_an_existing_vpc_zone_outside_the_manifest_region(manifest) -> None:
    text = 'account: "111122223333"\nregion: eu-west-1\n' + EXISTING.format(cidr="10.20.0.0/16", zones="eu-west-1a, us-east-1b")
    assert manifest.problems(text) == ["8: network.existing.availability_zones.1: 'us-east-1b' is not a zone of region eu-west-1"]


@pytest.mark.parametrize("zone", ["eu-west-1", "euwest1a", "eu-west-1ab"])
def test_fails_on_a_name_that_is_not_a_zone(manifest, zone: str) -> None:
    assert manifest.problems(f"name: test\nnetwork:\n  azs: [eu-west-1a, {zone}]\n") == [
        f"3: network.azs.1: {zone!r} is not an availability zone name (a region and a letter, such as eu-west-1a)"
    ]


def test_accepts_zones_and_local_zones_of_the_manifest_region(manifest) -> None:
    text = 'name: test\naccount: "111122223333"\nregion: us-west-2\nnetwork:\n  azs: [us-west-2a, us-west-2-lax-1a]\n'
    assert manifest.load(text).network.azs == ["us-west-2a", "us-west-2-lax-1a"]
