from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from moto.ssm.models import Parameter, ssm_backends

from ecs_toolkit.config.loader import load_manifest
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.helpers.cli import main
from ecs_toolkit.helpers.preflight import PreflightResult, preflight, references
from tests.helpers.world import ACCOUNT, REGION, client

REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
DIGEST = "sha256:" + "ab" * 32


def self_signed_certificate() -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shop.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return certificate.public_bytes(serialization.Encoding.PEM), pem_key


def push_image(repository: str, tag: str) -> str:
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": DIGEST},
        "layers": [],
    }
    digest: str = client("ecr").put_image(repositoryName=repository, imageManifest=json.dumps(manifest), imageTag=tag)["image"][
        "imageId"
    ]["imageDigest"]
    return digest


class Shop:
    """An account where some of what the "shop" manifest references exists and some does not."""

    def __init__(self, tmp_path: Path) -> None:
        ec2 = client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        other_vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
        self.subnet_a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        self.foreign = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.2.1.0/24", AvailabilityZone="us-east-1b")
        self.foreign = self.foreign["Subnet"]["SubnetId"]
        self.vpc, self.other_vpc = vpc, other_vpc
        certificate, key = self_signed_certificate()
        self.issued = client("acm").import_certificate(Certificate=certificate, PrivateKey=key)["CertificateArn"]
        self.pending = client("acm").request_certificate(DomainName="mqtt.example.com")["CertificateArn"]
        self.key = client("kms").create_key()["KeyMetadata"]["Arn"]
        client("ssm").put_parameter(Name="/shop/api-key", Value="x", Type="SecureString")
        client("secretsmanager").create_secret(Name="shop/db", SecretString='{"password": "x"}')
        client("ecr").create_repository(repositoryName="shop/web")
        client("ecr").create_repository(repositoryName="shop/proxy")
        push_image("shop/web", "1.4.2")
        self.manifest_path = tmp_path / "shop.yaml"
        self.manifest_path.write_text(
            f"""\
name: shop
account: "{ACCOUNT}"
region: {REGION}
network:
  existing:
    vpc_id: {vpc}
    cidr: 10.1.0.0/16
    availability_zones: [us-east-1a, us-east-1b]
    private_subnet_ids: [{self.subnet_a}, {self.foreign}]
cluster: {{capacity: {{fargate: true}}}}
load_balancer: {{public: false, certificate_arn: "{self.issued}"}}  # the imported VPC has no public subnets
file_systems:
  shared: {{kms_key_arn: "{self.key}"}}
  archive: {{kms_key_arn: "arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-1111-2222-3333-444444444444"}}
services:
  web:
    kind: web
    image: {REGISTRY}/shop/web:1.4.2
    port: 80
    cpu: 256
    memory_mib: 512
    route: {{path: "/*"}}
    secrets:
      API_KEY: ssm:/shop/api-key
      DB_PASSWORD: secretsmanager:shop/db:password
    sidecars:
      - name: proxy
        image: {REGISTRY}/shop/proxy@{DIGEST}
        secrets: {{TOKEN: "ssm:arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/shop/token"}}
    volumes: {{shared: /data}}
  mqtt:
    kind: web
    image: {REGISTRY}/shop/mqtt:2.0
    port: 8883
    cpu: 256
    memory_mib: 512
    nlb: {{port: 8883, protocol: tls, certificate_arn: "{self.pending}"}}
    secrets: {{API_KEY: "ssm:/shop/api-key", SIGNING: "secretsmanager:shop/signing"}}
"""
        )


@pytest.fixture
def shop(aws: None, tmp_path: Path) -> Shop:
    return Shop(tmp_path)


def check(shop: Shop) -> PreflightResult:
    return preflight(
        load_manifest(shop.manifest_path),
        region=REGION,
        sts=client("sts"),
        ssm=client("ssm"),
        secretsmanager=client("secretsmanager"),
        acm=client("acm"),
        ecr=client("ecr"),
        kms=client("kms"),
        ec2=client("ec2"),
    )


def test_collects_every_reference_with_the_field_that_names_it(shop: Shop) -> None:
    found = {(r.kind, r.where) for r in references(load_manifest(shop.manifest_path))}

    assert ("image", "services.web.sidecars.0.image") in found
    assert ("ssm parameter", "services.web.sidecars.0.secrets.TOKEN") in found
    assert ("certificate", "services.mqtt.nlb.certificate_arn") in found
    assert ("kms key", "file_systems.archive.kms_key_arn") in found
    assert ("subnet", "network.existing.private_subnet_ids.1") in found
    assert len(found) == 15


def test_reports_every_missing_reference_at_once(shop: Shop) -> None:
    result = check(shop)

    failed = {(c.kind, c.name): c.detail for c in result.failed}
    assert failed == {
        ("subnet", shop.foreign): f"belongs to {shop.other_vpc}, not {shop.vpc}",
        ("kms key", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-1111-2222-3333-444444444444"): "not found",
        ("ssm parameter", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/shop/token"): "not found",
        ("image", f"{REGISTRY}/shop/proxy@{DIGEST}"): f"{DIGEST} not found in repository shop/proxy",
        ("certificate", shop.pending): "status PENDING_VALIDATION (a listener needs ISSUED)",
        ("image", f"{REGISTRY}/shop/mqtt:2.0"): "repository shop/mqtt not found",
        ("secret", "shop/signing"): "not found",
    }
    passed = {c.kind for c in result.checks if c.ok}
    assert passed == {"vpc", "subnet", "certificate", "kms key", "image", "ssm parameter", "secret"}


def test_lists_a_reference_used_twice_once_with_both_fields(shop: Shop) -> None:
    result = check(shop)

    (api_key,) = [c for c in result.checks if c.name == "/shop/api-key"]
    assert api_key.ok
    assert api_key.where == ["services.web.secrets.API_KEY", "services.mqtt.secrets.API_KEY"]


def test_flags_an_existing_vpc_whose_cidr_differs_from_the_manifest(shop: Shop) -> None:
    shop.manifest_path.write_text(shop.manifest_path.read_text().replace("cidr: 10.1.0.0/16", "cidr: 10.9.0.0/16"))

    result = check(shop)

    (vpc,) = [c for c in result.checks if c.kind == "vpc"]
    assert (vpc.ok, vpc.detail) == (False, "has CIDR 10.1.0.0/16, the manifest says 10.9.0.0/16")


def test_flags_credentials_for_another_account(shop: Shop) -> None:
    # Everything the manifest names moves with the account (certificates must be in the environment's account).
    text = shop.manifest_path.read_text().replace(ACCOUNT, "210987654321")
    shop.manifest_path.write_text(text)

    result = check(shop)

    assert result.failed[0].kind == "account"
    assert result.failed[0].detail == f"the credentials are for account {ACCOUNT}"


def test_cli_prints_the_checklist_and_exits_one_when_anything_is_missing(shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["preflight", "--config", str(shop.manifest_path)])

    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[0] == f"preflight shop in account {ACCOUNT}, {REGION}: 14 checks, 7 failed"
    assert "  FAIL  secret shop/signing  (services.mqtt.secrets.SIGNING): not found" in out.splitlines()
    assert "  ok    secret shop/db  (services.web.secrets.DB_PASSWORD)" in out.splitlines()


def test_cli_exits_zero_when_everything_exists(aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    client("ssm").put_parameter(Name="/demo/api-key", Value="x", Type="SecureString")
    client("ecr").create_repository(repositoryName="demo/web")
    push_image("demo/web", "latest")
    manifest = tmp_path / "demo.yaml"
    manifest.write_text(
        f"""\
name: demo
services:
  worker:
    kind: worker
    image: {REGISTRY}/demo/web
    cpu: 256
    memory_mib: 512
    secrets: {{API_KEY: "ssm:demo/api-key"}}
"""
    )

    code = main(["preflight", "--json", "--config", str(manifest)])

    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(c["kind"], c["name"], c["ok"]) for c in document["checks"]] == [
        ("image", f"{REGISTRY}/demo/web", True),
        ("ssm parameter", "/demo/api-key", True),
    ]


def publish_public_parameter(name: str, value: str) -> None:
    """What AWS publishes under /aws/service (the SSM API refuses to write there, so moto's backend takes it)."""
    parameter = Parameter(
        account_id=ACCOUNT,
        name=name,
        value=value,
        parameter_type="String",
        description=None,
        allowed_pattern=None,
        keyid=None,
        last_modified_date=datetime.datetime.now(datetime.UTC),
        version=1,
        data_type="text",
    )
    ssm_backends[ACCOUNT][REGION]._parameters[name].append(parameter)


def test_checks_each_bottlerocket_group_s_image_parameter_where_the_ami_is_chosen(aws: None, tmp_path: Path) -> None:
    published = "/aws/service/bottlerocket/aws-ecs-2/x86_64/latest/image_id"
    publish_public_parameter(published, "ami-0123456789abcdef0")
    manifest = tmp_path / "rocket.yaml"
    manifest.write_text(
        """\
name: rocket
cluster:
  capacity:
    ec2:
      - {name: plain, instance_types: [m5.large], max: 2, ami: bottlerocket}
      - {name: gpu, instance_types: [g5.xlarge], max: 2, ami: bottlerocket-gpu}
      - {name: linux, instance_types: [m5.large], max: 2}
"""
    )
    result = preflight(
        load_manifest(manifest),
        region=REGION,
        sts=client("sts"),
        ssm=client("ssm"),
        secretsmanager=client("secretsmanager"),
        acm=client("acm"),
        ecr=client("ecr"),
        kms=client("kms"),
        ec2=client("ec2"),
    )

    assert [(c.name, c.where, c.ok) for c in result.checks] == [
        (published, ["cluster.capacity.ec2.0.ami"], True),
        ("/aws/service/bottlerocket/aws-ecs-2-nvidia/x86_64/latest/image_id", ["cluster.capacity.ec2.1.ami"], False),
    ]


def test_builds_and_declared_repositories_are_not_looked_up_but_a_repositorys_key_is() -> None:
    key = "arn:aws:kms:eu-west-1:111122223333:key/0b0e1c7e-1111-2222-3333-444455556666"
    common = {"kind": "worker", "cpu": 256, "memory_mib": 512}
    config = EnvironmentConfig.model_validate(
        {
            "name": "pf",
            "repositories": {"api": {"kms_key_arn": key}},
            "services": {
                "api": {**common, "image": {"repository": "api", "tag": "1.0"}},
                "batch": {**common, "image": {"build": {"context": "."}}},
                "ledger": {**common, "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/ledger:2"},
            },
        }
    )
    found = [(r.kind, r.name, r.where) for r in references(config)]
    assert found == [
        ("kms key", key, "repositories.api.kms_key_arn"),
        ("image", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/ledger:2", "services.ledger.image"),
    ]
