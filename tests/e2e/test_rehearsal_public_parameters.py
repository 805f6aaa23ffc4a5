"""The rehearsal publishes AWS's Bottlerocket image parameters, which moto lacks, and nothing else."""

from __future__ import annotations

from moto import mock_aws
from moto.ssm.models import ssm_backends

from ecs_toolkit.assembly import Assembly
from ecs_toolkit.rehearsal import parameters

ACCOUNT, REGION = "123456789012", "us-east-1"
ROCKET = "/aws/service/bottlerocket/aws-ecs-2/arm64/latest/image_id"
LINUX = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"


def _stacks() -> Assembly:
    image = "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
    return Assembly.from_templates(
        {
            "platform": {
                "Parameters": {
                    "Rocket": {"Type": image, "Default": ROCKET},
                    "Linux": {"Type": image, "Default": LINUX},
                    "Plain": {"Type": "String", "Default": "/aws/service/bottlerocket/not/an/ssm/typed/parameter"},
                },
                "Resources": {},
            }
        }
    )


def test_publishes_each_missing_bottlerocket_parameter_once_with_an_image_of_its_architecture() -> None:
    with mock_aws():
        names = parameters.missing_public_parameters(_stacks().stacks)
        first = parameters.publish(names, account=ACCOUNT, region=REGION)
        again = parameters.publish(names, account=ACCOUNT, region=REGION)
        published = ssm_backends[ACCOUNT][REGION].get_parameter(ROCKET)

        assert names == [ROCKET]
        assert (first, again) == ([ROCKET], [])
        assert published is not None and published.value.startswith("ami-")
