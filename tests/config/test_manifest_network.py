"""Environment and network rules: account/region, availability zones, NAT, endpoints, existing VPCs."""

from __future__ import annotations

import pytest

RETENTIONS = "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"

# A Fargate service, so the NAT / endpoint rule has something to serve (its image is in ECR, which
# the ecr endpoints reach).
ECR_IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1.0"
SERVICE = f"""\
services:
  api:
    kind: worker
    image: {ECR_IMAGE}
    cpu: 256
    memory_mib: 512
"""


@pytest.mark.parametrize(
    ("given", "present", "missing"),
    [('account: "111122223333"', "account", "region"), ("region: eu-west-1", "region", "account")],
)
def test_fails_when_only_one_of_account_and_region_is_given(manifest, given: str, present: str, missing: str) -> None:
    # The problem points at the key that is there: the missing one has no line.
    text = f"name: test\n{given}\n"

    assert manifest.problems(text) == [f"2: {present}: account and region go together: add {missing} or remove {present}"]


def test_fails_on_an_account_that_is_not_twelve_digits(manifest) -> None:
    text = 'name: test\naccount: "1234"\nregion: eu-west-1\n'

    assert manifest.problems(text) == ["2: account: must be a 12-digit AWS account id (got '1234')"]


def test_loads_with_both_account_and_region(manifest) -> None:
    config = manifest.load('name: test\naccount: "111122223333"\nregion: eu-west-1\n')

    assert (config.account, config.region) == ("111122223333", "eu-west-1")


def test_fails_on_a_flow_log_retention_cloudwatch_does_not_offer(manifest) -> None:
    text = "name: test\nnetwork:\n  flow_log_retention_days: 100\n"

    assert manifest.problems(text) == [
        f"3: network.flow_log_retention_days: 100 is not a CloudWatch Logs retention (use one of {RETENTIONS})"
    ]


@pytest.mark.parametrize(
    ("zones", "count"),
    [("[eu-west-1a]", 1), ("[]", 0), ("[eu-west-1a, eu-west-1b, eu-west-1c, eu-west-1d]", 4)],
)
def test_fails_when_the_list_of_azs_is_not_two_or_three_long(manifest, zones: str, count: int) -> None:
    text = f"name: test\nnetwork:\n  azs: {zones}\n  nat_gateways: 0\n"

    assert manifest.problems(text) == [f"3: network.azs: {count} availability zones: use 2 or 3"]


def test_fails_when_azs_repeat(manifest) -> None:
    text = "name: test\nnetwork:\n  azs: [eu-west-1a, eu-west-1a]\n"

    assert manifest.problems(text) == ["3: network.azs: availability zones repeat"]


def test_fails_on_a_zone_outside_the_region_at_its_list_item(manifest) -> None:
    text = """\
    name: test
    account: "111122223333"
    region: eu-west-1
    network:
      azs:
        - eu-west-1a
        - us-east-1b
    """

    assert manifest.problems(text) == ["7: network.azs.1: 'us-east-1b' is not a zone of region eu-west-1"]


def test_accepts_zone_names_of_one_region_without_a_region_to_check_them_against(manifest) -> None:
    config = manifest.load("name: test\nnetwork:\n  azs: [us-east-1a, us-east-1b]\n")

    assert config.network.azs == ["us-east-1a", "us-east-1b"]


@pytest.mark.parametrize(
    ("azs", "nat", "expected"),
    [
        ("2", 3, "3 NAT gateways for 2 availability zones (use 0 to 2)"),
        ("[eu-west-1a, eu-west-1b]", 3, "3 NAT gateways for 2 availability zones (use 0 to 2)"),
    ],
)
def test_fails_when_there_are_more_nat_gateways_than_azs(manifest, azs: str, nat: int, expected: str) -> None:
    text = f"name: test\nnetwork:\n  azs: {azs}\n  nat_gateways: {nat}\n"

    assert manifest.problems(text) == [f"4: network.nat_gateways: {expected}"]


def test_accepts_one_nat_gateway_per_az(manifest) -> None:
    config = manifest.load("name: test\nnetwork:\n  azs: 3\n  nat_gateways: 3\n")

    assert config.network.nat_gateways == 3


def test_fails_without_nat_gateways_or_endpoints_when_services_run(manifest) -> None:
    text = "name: test\nnetwork:\n  nat_gateways: 0\n" + SERVICE

    assert manifest.problems(text) == [
        "2: network.endpoints: "
        "without NAT gateways tasks cannot pull images or write logs: add ['ecr', 'logs', 's3'] to endpoints"
    ]


def test_names_only_the_missing_endpoints_without_nat_gateways(manifest) -> None:
    text = "name: test\nnetwork:\n  nat_gateways: 0\n  endpoints: [ecr, ssm]\n" + SERVICE

    assert manifest.problems(text) == [
        "4: network.endpoints: without NAT gateways tasks cannot pull images or write logs: add ['logs', 's3'] to endpoints"
    ]


def test_accepts_no_nat_gateways_with_the_image_and_log_endpoints(manifest) -> None:
    config = manifest.load("name: test\nnetwork:\n  nat_gateways: 0\n  endpoints: [ecr, logs, s3]\n" + SERVICE)

    assert config.network.nat_gateways == 0


NO_NAT = "name: test\nnetwork:\n  nat_gateways: 0\n  endpoints: [ecr, logs, s3]\n"
"""Lines 1-4; ``SERVICE`` follows, so ``api``'s image is on line 8."""


def test_fails_on_images_outside_ecr_without_nat_gateways_at_each_container(manifest) -> None:
    sidecar = "    sidecars:\n      - {name: proxy, image: envoyproxy/envoy:v1.31.0}\n"
    text = NO_NAT + SERVICE.replace(ECR_IMAGE, "nginx:1.27") + sidecar
    reason = (
        "is not a private ECR image and the VPC has no NAT gateways to pull it: "
        "copy it into ECR (an ECR pull-through cache rule does this) or add nat_gateways"
    )

    assert manifest.problems(text) == [f"8: services.api.image: {reason}", f"12: services.api.sidecars.0.image: {reason}"]


def test_fails_on_an_ecr_image_of_another_region_without_nat_gateways(manifest) -> None:
    text = 'account: "111122223333"\nregion: us-east-1\n' + NO_NAT + SERVICE

    assert manifest.problems(text) == [
        "10: services.api.image: is in ECR in eu-west-1, which the VPC's ecr endpoints (in us-east-1) do not reach "
        "without NAT gateways: replicate it into this region or add nat_gateways"
    ]


def test_fails_on_secrets_and_exec_without_their_endpoints_and_nat_gateways(manifest) -> None:
    text = (
        NO_NAT
        + SERVICE
        + "    exec: true\n    secrets:\n      DB_PASSWORD: secretsmanager:db:password\n      API_KEY: ssm:/app/key\n"
    )

    assert manifest.problems(text) == [
        "11: services.api.exec: ECS Exec needs the ssm endpoints when the VPC has no NAT gateways: add ssm to network.endpoints",
        "12: services.api.secrets: reads secretsmanager secrets but the VPC has no NAT gateways and no secretsmanager "
        "endpoint: add secretsmanager to network.endpoints",
        "12: services.api.secrets: reads ssm secrets but the VPC has no NAT gateways and no ssm endpoint: "
        "add ssm to network.endpoints",
    ]


def test_other_registries_secrets_and_exec_are_fine_with_a_nat_gateway(manifest) -> None:
    text = "name: test\n" + SERVICE.replace(ECR_IMAGE, "nginx:1.27") + "    exec: true\n    secrets:\n      K: ssm:/k\n"

    assert manifest.load(text).services["api"].exec


def test_accepts_no_nat_gateways_and_no_endpoints_without_services(manifest) -> None:
    config = manifest.load("name: test\nnetwork:\n  nat_gateways: 0\n")

    assert config.network.endpoints == []


# --- an existing VPC ----------------------------------------------------------------------


EXISTING = """\
  existing:
    vpc_id: vpc-0a1b2c3d
    cidr: 10.20.0.0/16
    availability_zones: [us-east-1a, us-east-1b]
"""


def test_loads_an_existing_vpc_with_one_subnet_per_zone(manifest) -> None:
    text = "name: test\nnetwork:\n" + EXISTING + "    private_subnet_ids: [subnet-0a1b2c3d, subnet-0a1b2c3e]\n"

    config = manifest.load(text)

    assert config.network.existing is not None
    assert config.network.existing.private_subnet_ids == ["subnet-0a1b2c3d", "subnet-0a1b2c3e"]


def test_fails_on_nat_gateways_and_internet_facing_load_balancers_without_public_subnets(manifest) -> None:
    text = (
        "name: test\nnetwork:\n  public_subnets: false\n  endpoints: [ecr, logs, s3]\n"
        + "load_balancer: {}\n"
        + SERVICE.replace("kind: worker", "kind: web")
        + "    port: 1883\n    nlb: {port: 1883, public: true}\n"
    )
    fix = "set network.public_subnets: true or make it internal (public: false)"

    assert manifest.problems(text) == [
        "2: network.nat_gateways: NAT gateways live in public subnets: use 0 with public_subnets: false",
        f"5: load_balancer.public: an internet-facing load balancer needs the VPC's public subnets: {fix}",
        f"13: services.api.nlb.public: an internet-facing NLB needs the VPC's public subnets: {fix}",
    ]


def test_accepts_no_public_subnets_with_no_nat_and_an_internal_load_balancer(manifest) -> None:
    text = "name: test\nnetwork:\n  public_subnets: false\n  nat_gateways: 0\n  endpoints: [ecr, logs, s3]\n"

    config = manifest.load(text + "load_balancer: {public: false}\n" + SERVICE)

    assert not config.network.public_subnets


def test_fails_on_internet_facing_load_balancers_in_an_existing_vpc_without_public_subnets(manifest) -> None:
    text = (
        "name: test\nnetwork:\n"
        + EXISTING
        + "    private_subnet_ids: [subnet-0a1b2c3d, subnet-0a1b2c3e]\n"
        + "load_balancer: {}\n"
        + "services:\n  mqtt:\n    kind: web\n    image: eclipse-mosquitto:2\n    port: 1883\n"
        + "    cpu: 256\n    memory_mib: 512\n    nlb: {port: 1883, public: true}\n"
    )
    fix = "add network.existing.public_subnet_ids (one per zone) or make it internal (public: false)"

    assert manifest.problems(text) == [
        f"8: load_balancer.public: an internet-facing load balancer needs the VPC's public subnets: {fix}",
        f"16: services.mqtt.nlb.public: an internet-facing NLB needs the VPC's public subnets: {fix}",
    ]


def test_accepts_an_internal_load_balancer_in_an_existing_vpc_without_public_subnets(manifest) -> None:
    text = "name: test\nnetwork:\n" + EXISTING + "    private_subnet_ids: [subnet-0a1b2c3d, subnet-0a1b2c3e]\n"

    config = manifest.load(text + "load_balancer: {public: false}\n")

    assert config.load_balancer is not None and not config.load_balancer.public


def test_fails_when_an_existing_vpc_also_sets_cidr_and_nat_gateways(manifest) -> None:
    text = (
        "name: test\nnetwork:\n  cidr: 10.1.0.0/16\n  nat_gateways: 1\n"
        + EXISTING
        + "    private_subnet_ids: [subnet-0a1b2c3d, subnet-0a1b2c3e]\n"
    )

    assert manifest.problems(text) == [
        "3: network.cidr: does not apply to an existing VPC (it is imported as it is)",
        "4: network.nat_gateways: does not apply to an existing VPC (it is imported as it is)",
    ]


def test_fails_when_an_existing_vpc_also_sets_flow_log_fields(manifest) -> None:
    text = (
        "name: test\nnetwork:\n  flow_logs: false\n  flow_log_retention_days: 30\n"
        + EXISTING
        + "    private_subnet_ids: [subnet-0a1b2c3d, subnet-0a1b2c3e]\n"
    )

    assert manifest.problems(text) == [
        "3: network.flow_logs: does not apply to an existing VPC (it is imported as it is)",
        "4: network.flow_log_retention_days: does not apply to an existing VPC (it is imported as it is)",
    ]


def test_fails_when_an_existing_vpc_also_sets_azs_or_endpoints(manifest) -> None:
    text = (
        "name: test\nnetwork:\n"
        + EXISTING
        + "    private_subnet_ids: [subnet-0a1b2c3d, subnet-0a1b2c3e]\n  azs: 2\n  endpoints: [ecr]\n"
    )

    assert manifest.problems(text) == [
        "8: network.azs: does not apply to an existing VPC (it is imported as it is)",
        "9: network.endpoints: does not apply to an existing VPC (it is imported as it is)",
    ]


@pytest.mark.parametrize(
    ("subnets", "expected"),
    [
        (
            "    private_subnet_ids: [subnet-0a1b2c3d]\n",
            "7: network.existing.private_subnet_ids: "
            "1 subnets for 2 availability zones: give one subnet per zone, in the same order",
        ),
        (
            "    private_subnet_ids: [subnet-0a1b2c3d, subnet-0a1b2c3e]\n"
            "    public_subnet_ids: [subnet-1a1b2c3d, subnet-1a1b2c3e, subnet-1a1b2c3f]\n",
            "8: network.existing.public_subnet_ids: "
            "3 subnets for 2 availability zones: give one subnet per zone, in the same order",
        ),
        (
            "    private_subnet_ids: []\n",
            "7: network.existing.private_subnet_ids: an existing VPC needs at least one private subnet",
        ),
        ("", "3: network.existing.private_subnet_ids: is required"),
    ],
    ids=["too-few-private", "too-many-public", "no-private", "private-missing"],
)
def test_fails_when_existing_subnets_do_not_match_the_zones(manifest, subnets: str, expected: str) -> None:
    text = "name: test\nnetwork:\n" + EXISTING + subnets

    assert manifest.problems(text) == [expected]


def test_fails_on_a_malformed_vpc_id(manifest) -> None:
    text = """\
    name: test
    network:
      existing:
        vpc_id: vpc-xyz
        cidr: 10.20.0.0/16
        availability_zones: [us-east-1a, us-east-1b]
        private_subnet_ids: [subnet-0a1b2c3d, subnet-0a1b2c3e]
    """

    assert manifest.problems(text) == [
        "4: network.existing.vpc_id: must be a VPC id: vpc- and 8 to 17 lower-case hex digits (got 'vpc-xyz')"
    ]


def test_fails_when_an_existing_vpc_has_no_cidr(manifest) -> None:
    text = """\
    name: test
    network:
      existing:
        vpc_id: vpc-0a1b2c3d
        availability_zones: [us-east-1a, us-east-1b]
        private_subnet_ids: [subnet-0a1b2c3d, subnet-0a1b2c3e]
    """

    assert manifest.problems(text) == ["3: network.existing.cidr: is required"]


def test_a_secret_exported_by_another_stack_names_no_store_to_check_without_nat_gateways(manifest) -> None:
    # Its store is known when the stack deploys; verify then requires both stores to be reachable.
    text = NO_NAT + SERVICE + "    secrets:\n      TOKEN: {from_cfn: shared-TokenArn}\n      API_KEY: ssm:/app/key\n"

    assert manifest.problems(text) == [
        "11: services.api.secrets: reads ssm secrets but the VPC has no NAT gateways and no ssm endpoint: "
        "add ssm to network.endpoints",
    ]
