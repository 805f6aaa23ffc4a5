"""Secret references: ``ssm:`` parameters and ``secretsmanager:`` secrets, never values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_SSM_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9_.\-/]+$")
_SSM_NAME = re.compile(r"^/?[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*$")
_SECRET_ARN = re.compile(
    r"^(?P<arn>arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+)(:(?P<key>[^:]+))?$"
)
_SECRET_NAME = re.compile(r"^(?P<name>[A-Za-z0-9/_+=.@-]{1,512})(:(?P<key>[^:]+))?$")

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
