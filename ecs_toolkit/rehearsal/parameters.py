"""AWS's public SSM parameters that the emulator does not publish.

A Bottlerocket group's launch template takes its image id from the public parameter
``/aws/service/bottlerocket/<variant>/<arch>/latest/image_id`` (a CloudFormation parameter of type
``AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>``). AWS publishes it in every commercial region;
moto publishes the ECS-optimized Amazon Linux ones but no Bottlerocket ones, so the stack would fail
resolving it. Each missing one is published into the emulator's SSM, holding one of moto's own AMIs of
the same architecture, and the report lists them. The templates are deployed unchanged.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from moto.ec2.models import ec2_backends
from moto.ssm.models import Parameter, ssm_backends

from ecs_toolkit.assembly import Stack

PUBLISHED_BY_AWS = ("/aws/service/bottlerocket/",)
"""Public parameter trees AWS publishes and moto does not."""
FALLBACK_IMAGE = "ami-0123456789abcdef0"


def missing_public_parameters(stacks: Iterable[Stack]) -> list[str]:
    """The SSM parameter names the templates' SSM-typed parameters default to, under the trees moto lacks."""
    found: dict[str, None] = {}
    for stack in stacks:
        for parameter in stack.template.get("Parameters", {}).values():
            default = parameter.get("Default")
            typed = str(parameter.get("Type", "")).startswith("AWS::SSM::Parameter::Value<")
            if typed and isinstance(default, str) and default.startswith(PUBLISHED_BY_AWS):
                found.setdefault(default)
    return list(found)


def publish(names: Iterable[str], *, account: str, region: str) -> list[str]:
    """Publish each name moto lacks (an image id of its architecture); the names published."""
    backend = ssm_backends[account][region]
    published = []
    for name in names:
        if backend.get_parameter(name) is not None:
            continue
        # moto's own SSM backend builds Parameter the same way; its type stubs mark it abstract.
        parameter = Parameter(  # type: ignore[abstract]
            account_id=account,
            name=name,
            value=_image(account, region, "arm64" if "/arm64/" in name else "x86_64"),
            parameter_type="String",
            description="published for the rehearsal: AWS publishes it, moto does not",
            allowed_pattern=None,
            keyid=None,
            last_modified_date=datetime.datetime.now(datetime.UTC),
            version=1,
            data_type="aws:ec2:image",
        )
        # The SSM API refuses names under /aws (reserved for AWS), so the backend takes it directly.
        backend._parameters[name] = [parameter]
        published.append(name)
    return published


def _image(account: str, region: str, architecture: str) -> str:
    images = ec2_backends[account][region].amis.values()
    return next((image.id for image in images if image.architecture == architecture), FALLBACK_IMAGE)
