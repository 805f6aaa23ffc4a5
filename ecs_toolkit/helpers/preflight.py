"""``preflight``: check that everything the manifest references exists in the target account and region.

References: SSM parameters and Secrets Manager secrets (``secrets``), ACM certificates, private ECR
images, KMS keys of file systems and repositories, an existing VPC with its subnets, and the public image
parameter of each Bottlerocket group (present in the regions where Bottlerocket is published). Images outside
the account's ECR (public registries) are not checked, nor are builds and images of the manifest's own
repositories (the deploy pushes or creates them). Secrets are described, never read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from ecs_toolkit.config import derived
from ecs_toolkit.config.image_sources import source_of
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.config.references import parse_ecr_image, parse_secret_reference
from ecs_toolkit.helpers.errors import error_code, is_not_found
from ecs_toolkit.helpers.render import plural
from ecs_toolkit.helpers.sessions import Client

DENIED = re.compile(r"AccessDenied|UnauthorizedOperation|AuthorizationError|NotAuthorized")


@dataclass(frozen=True)
class Reference:
    kind: str
    name: str
    where: str
    """The manifest field that references it, for example ``services.web.secrets.API_KEY``."""


@dataclass(frozen=True)
class Check:
    kind: str
    name: str
    where: list[str]
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class PreflightResult:
    environment: str
    account: str
    region: str
    checks: list[Check] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


def references(config: EnvironmentConfig) -> list[Reference]:
    """Every external resource the manifest names, in manifest order."""
    found: list[Reference] = []
    if config.load_balancer is not None and config.load_balancer.certificate_arn:
        found.append(Reference("certificate", config.load_balancer.certificate_arn, "load_balancer.certificate_arn"))
    existing = config.network.existing
    if existing is not None:
        found.append(Reference("vpc", existing.vpc_id, "network.existing.vpc_id"))
        for field_name in ("private_subnet_ids", "public_subnet_ids"):
            for index, subnet in enumerate(getattr(existing, field_name)):
                found.append(Reference("subnet", subnet, f"network.existing.{field_name}.{index}"))
    for index, group in enumerate(config.cluster.capacity.ec2):
        # The public parameter exists where Bottlerocket is published; CloudFormation resolves it at deploy.
        parameter = derived.bottlerocket_image_parameter(group)
        if parameter is not None:
            found.append(Reference("ssm parameter", parameter, f"cluster.capacity.ec2.{index}.ami"))
    for name, fs in config.file_systems.items():
        if fs.kms_key_arn:
            found.append(Reference("kms key", fs.kms_key_arn, f"file_systems.{name}.kms_key_arn"))
    for name, repository in config.repositories.items():
        if repository.kms_key_arn:
            found.append(Reference("kms key", repository.kms_key_arn, f"repositories.{name}.kms_key_arn"))
    for name, service in config.services.items():
        base = f"services.{name}"
        if service.nlb is not None and service.nlb.certificate_arn:
            found.append(Reference("certificate", service.nlb.certificate_arn, f"{base}.nlb.certificate_arn"))
        containers = [(base, service.image, service.secrets)]
        containers += [(f"{base}.sidecars.{i}", s.image, s.secrets) for i, s in enumerate(service.sidecars)]
        for where, image, secrets in containers:
            # Builds are pushed by the deploy itself; declared repositories are created by it, so neither exists before.
            written = source_of(image).reference
            if written is not None and parse_ecr_image(written) is not None:
                found.append(Reference("image", written, f"{where}.image"))
            for variable, value in secrets.items():
                reference = parse_secret_reference(value)
                kind = "ssm parameter" if reference.store == "ssm" else "secret"
                found.append(Reference(kind, reference.name, f"{where}.secrets.{variable}"))
    return found


def _failure(error: ClientError, missing: str = "not found") -> str:
    if is_not_found(error):
        return missing
    if DENIED.search(error_code(error)):
        return f"cannot check: {error_code(error)}"
    raise error


def check_parameter(ssm: Client, name: str, region: str) -> str | None:
    """``None`` when it exists, else what is wrong. An ARN in the target region is looked up by name."""
    arn = re.match(r"^arn:[^:]+:ssm:(?P<region>[^:]+):\d{12}:parameter(?P<name>/.+)$", name)
    lookup = arn["name"] if arn and arn["region"] == region else name
    try:
        ssm.get_parameter(Name=lookup)
    except ClientError as error:
        return _failure(error)
    return None


def check_secret(secretsmanager: Client, name: str) -> str | None:
    try:
        secret = secretsmanager.describe_secret(SecretId=name)
    except ClientError as error:
        return _failure(error)
    return "scheduled for deletion" if secret.get("DeletedDate") else None


def check_certificate(acm: Client, arn: str, region: str) -> str | None:
    certificate_region = arn.split(":")[3]
    if certificate_region != region:
        return f"is in {certificate_region}; the load balancer needs a certificate in {region}"
    try:
        status = acm.describe_certificate(CertificateArn=arn)["Certificate"].get("Status")
    except ClientError as error:
        return _failure(error)
    return None if status == "ISSUED" else f"status {status} (a listener needs ISSUED)"


def check_key(kms: Client, arn: str) -> str | None:
    try:
        state = kms.describe_key(KeyId=arn)["KeyMetadata"].get("KeyState")
    except ClientError as error:
        return _failure(error)
    return None if state == "Enabled" else f"key state {state}"


def check_image(ecr: Client, image: str) -> str | None:
    parsed = parse_ecr_image(image)
    if parsed is None:
        return "not a private ECR image reference"
    repository = parsed.repository
    image_id = {"imageDigest": parsed.digest} if parsed.digest else {"imageTag": parsed.tag or "latest"}
    try:
        ecr.describe_images(registryId=parsed.account, repositoryName=repository, imageIds=[image_id])
    except ClientError as error:
        if error_code(error) == "RepositoryNotFoundException":
            return f"repository {repository} not found"
        shown = image_id.get("imageTag") or image_id.get("imageDigest")
        return _failure(error, missing=f"{shown} not found in repository {repository}")
    return None


def check_network(ec2: Client, config: EnvironmentConfig) -> dict[str, str | None]:
    """Problems per VPC and subnet id of ``network.existing`` (``None``: fine)."""
    existing = config.network.existing
    if existing is None:
        return {}
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [existing.vpc_id]}]).get("Vpcs", [])
    result: dict[str, str | None] = {existing.vpc_id: None if vpcs else "not found"}
    if vpcs and vpcs[0].get("CidrBlock") != existing.cidr:
        result[existing.vpc_id] = f"has CIDR {vpcs[0].get('CidrBlock')}, the manifest says {existing.cidr}"
    ids = [*existing.private_subnet_ids, *existing.public_subnet_ids]
    subnets = {s["SubnetId"]: s for s in ec2.describe_subnets(Filters=[{"Name": "subnet-id", "Values": ids}]).get("Subnets", [])}
    for subnets_of_kind in (existing.private_subnet_ids, existing.public_subnet_ids):
        for index, subnet_id in enumerate(subnets_of_kind):
            subnet = subnets.get(subnet_id)
            zone = existing.availability_zones[index] if index < len(existing.availability_zones) else None
            if subnet is None:
                result[subnet_id] = "not found"
            elif subnet.get("VpcId") != existing.vpc_id:
                result[subnet_id] = f"belongs to {subnet.get('VpcId')}, not {existing.vpc_id}"
            elif zone and subnet.get("AvailabilityZone") != zone:
                result[subnet_id] = f"is in {subnet.get('AvailabilityZone')}, the manifest lists it for {zone}"
            else:
                result[subnet_id] = None
    return result


def preflight(
    config: EnvironmentConfig,
    *,
    region: str,
    sts: Client,
    ssm: Client,
    secretsmanager: Client,
    acm: Client,
    ecr: Client,
    kms: Client,
    ec2: Client,
    ecr_for_region: Callable[[str], Client] | None = None,
) -> PreflightResult:
    """Check every reference; all problems are collected, none stops the run.

    ``ecr_for_region`` makes ECR clients for images in other regions; without it those are not checked.
    """
    account = str(sts.get_caller_identity()["Account"])
    checks: list[Check] = []
    if config.account and config.account != account:
        checks.append(Check("account", config.account, ["account"], False, f"the credentials are for account {account}"))
    if config.region and config.region != region:
        checks.append(Check("region", config.region, ["region"], False, f"the clients use region {region}"))
    network = check_network(ec2, config)
    grouped: dict[tuple[str, str], list[str]] = {}
    for reference in references(config):
        grouped.setdefault((reference.kind, reference.name), []).append(reference.where)
    for (kind, name), where in grouped.items():
        if kind == "ssm parameter":
            problem = check_parameter(ssm, name, region)
        elif kind == "secret":
            problem = check_secret(secretsmanager, name)
        elif kind == "certificate":
            problem = check_certificate(acm, name, region)
        elif kind == "kms key":
            problem = check_key(kms, name)
        elif kind in ("vpc", "subnet"):
            problem = network.get(name)
        else:
            parsed = parse_ecr_image(name)
            image_region = parsed.region if parsed else region
            if image_region == region:
                problem = check_image(ecr, name)
            elif ecr_for_region is not None:
                problem = check_image(ecr_for_region(image_region), name)
            else:
                problem = f"not checked: the image is in {image_region}"
        checks.append(Check(kind, name, where, problem is None, problem or ""))
    return PreflightResult(config.name, account, region, checks)


def format_preflight(result: PreflightResult) -> list[str]:
    failed = result.failed
    head = f"preflight {result.environment} in account {result.account}, {result.region}: {plural(len(result.checks), 'check')}"
    lines = [head + (f", {len(failed)} failed" if failed else ", all passed")]
    for check in result.checks:
        line = f"  {'ok' if check.ok else 'FAIL':4}  {check.kind} {check.name}  ({', '.join(check.where)})"
        lines.append(line + (f": {check.detail}" if check.detail else ""))
    return lines
