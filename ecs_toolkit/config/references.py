"""References the manifest makes to things outside it: secrets (``ssm:``, ``secretsmanager:``) and ECR images."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_SSM_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9_.\-/]+$")
_SSM_NAME = re.compile(r"^/?[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*$")
# Secret names: letters, digits and /_+=.@- (AWS's rule for names you choose); `!` appears in the names
# of secrets that AWS services create and manage, such as RDS's `rds!db-<id>` and `rds!cluster-<id>`.
_SECRET_NAME_CHARACTERS = r"[A-Za-z0-9/_+=.@!-]"
_SECRET_ARN = re.compile(
    rf"^(?P<arn>arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{{12}}:secret:{_SECRET_NAME_CHARACTERS}+)(:(?P<key>[^:]+))?$"
)
_SECRET_NAME = re.compile(rf"^(?P<name>{_SECRET_NAME_CHARACTERS}{{1,512}})(:(?P<key>[^:]+))?$")

FORMATS = "ssm:/parameter/name, ssm:<parameter arn>, secretsmanager:<name>[:json-key] or secretsmanager:<secret arn>[:json-key]"


@dataclass(frozen=True)
class SecretReference:
    store: Literal["ssm", "secretsmanager"]
    name: str
    """Parameter name (with leading slash) or secret name; for an ARN reference, the ARN."""
    is_arn: bool
    json_key: str | None = None


def parse_secret_reference(value: str) -> SecretReference:
    """Parse a reference or raise ``ValueError`` with a message fit for a manifest error."""
    store, _, rest = value.partition(":")
    if store == "ssm":
        if _SSM_ARN.match(rest):
            return SecretReference("ssm", rest, is_arn=True)
        if _SSM_NAME.match(rest):
            return SecretReference("ssm", rest if rest.startswith("/") else f"/{rest}", is_arn=False)
        raise ValueError(f"{rest!r} is not an SSM parameter name or ARN")
    if store == "secretsmanager":
        arn = _SECRET_ARN.match(rest)
        if arn:
            return SecretReference("secretsmanager", arn["arn"], is_arn=True, json_key=arn["key"])
        if rest.startswith("arn:"):
            raise ValueError(f"{rest!r} is not a Secrets Manager secret ARN")
        name = _SECRET_NAME.match(rest)
        if name:
            return SecretReference("secretsmanager", name["name"], is_arn=False, json_key=name["key"])
        raise ValueError(f"{rest!r} is not a Secrets Manager secret name")
    raise ValueError(f"{value!r} is not a secret reference (use {FORMATS})")


_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/"
    r"(?P<repository>[A-Za-z0-9][A-Za-z0-9._/-]*?)(:(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(@(?P<digest>sha256:[a-f0-9]{64}))?$"
)


@dataclass(frozen=True)
class EcrImage:
    """A private ECR image: ``<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag][@digest]``."""

    account: str
    region: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def version(self) -> str:
        """What to pull: the digest if given, else the tag, else ``latest``."""
        return self.digest or self.tag or "latest"


def parse_ecr_image(image: str) -> EcrImage | None:
    """The parts of a private ECR image reference, or ``None`` for any other registry.

    An upper-case repository is still recognised as ECR (not taken for another registry); the
    limits rules reject it, since ECR repository names are lower case."""
    match = _ECR_IMAGE.match(image)
    if match is None:
        return None
    return EcrImage(match["account"], match["region"], match["repository"], match["tag"], match["digest"])


_S3_URL = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>\S+)$")
_S3_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):s3:::(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>\S+)$")
ENV_FILE_FORMATS = "a path relative to the manifest, s3://<bucket>/<key>.env or arn:aws:s3:::<bucket>/<key>.env"


@dataclass(frozen=True)
class EnvFileReference:
    """A container's environment file: a local file (``path``) or an S3 object (``bucket`` and ``key``)."""

    path: str | None = None
    bucket: str | None = None
    key: str | None = None

    @property
    def name(self) -> str:
        """The file's own name, whose extension ECS checks."""
        return (self.key or self.path or "").rsplit("/", 1)[-1]


def parse_env_file(value: str) -> EnvFileReference:
    """Parse an ``env_files`` entry or raise ``ValueError`` with a message fit for a manifest error."""
    if value.startswith(("s3:", "S3:")):
        url = _S3_URL.match(value)
        if url is None:
            raise ValueError(f"{value!r} is not an S3 object URL (use s3://<bucket>/<key>.env)")
        return EnvFileReference(bucket=url["bucket"], key=url["key"])
    if value.startswith("arn:"):
        arn = _S3_ARN.match(value)
        if arn is None:
            raise ValueError(f"{value!r} is not an S3 object ARN (use arn:aws:s3:::<bucket>/<key>.env)")
        return EnvFileReference(bucket=arn["bucket"], key=arn["key"])
    if "://" in value:
        raise ValueError(f"{value!r} is neither a local file nor an S3 object (use {ENV_FILE_FORMATS})")
    return EnvFileReference(path=value)


def secret_option_reference(value: str) -> str:
    """A log router's secret option as a secret reference: bare ARNs take the ``ssm:``/``secretsmanager:`` prefix."""
    if value.startswith("arn:"):
        service = value.split(":", 3)[2] if value.count(":") >= 3 else ""
        if service in ("ssm", "secretsmanager"):
            return f"{service}:{value}"
    return value
