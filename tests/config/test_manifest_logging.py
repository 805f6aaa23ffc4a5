"""``logging``: FireLens log routing through a ``log_router`` sidecar.

``manifest.service(body)`` puts the body's first line on line 12; the Fargate body takes lines 12-16, so
``logging:`` is on line 17 and its keys follow.
"""

from __future__ import annotations

from ecs_toolkit.data import fluent_bit_image

FARGATE = "kind: backend\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\n"
CLOUDWATCH = "logging:\n  destination: {Name: cloudwatch_logs, log_stream_prefix: app/}\n"


def test_loads_a_cloudwatch_destination_with_every_logging_key(manifest) -> None:
    body = FARGATE + (
        "logging:\n"
        "  destination: {Name: cloudwatch_logs, log_group_name: /copilot/app, retry_limit: 2, auto_retry_requests: true}\n"
        "  image: public.ecr.aws/aws-observability/aws-for-fluent-bit:stable\n"
        "  config_file: /fluent-bit/configs/parse-json.conf\n"
        "  enable_metadata: false\n"
        "  secret_options: {tls.ca_file: 'arn:aws:ssm:eu-west-1:123456789012:parameter/ca'}\n"
        "  memory_mib: 64\n"
    )

    logging = manifest.load(manifest.service(body)).services["api"].logging

    assert logging is not None
    assert logging.destination == {
        "Name": "cloudwatch_logs",
        "log_group_name": "/copilot/app",
        "retry_limit": 2,
        "auto_retry_requests": True,
    }
    assert logging.config_file == "/fluent-bit/configs/parse-json.conf"
    assert not logging.enable_metadata
    assert logging.memory_mib == 64


def test_the_default_router_image_is_pinned_by_tag() -> None:
    image = fluent_bit_image().image

    assert image.startswith("public.ecr.aws/aws-observability/aws-for-fluent-bit:")
    assert image.rsplit(":", 1)[1][0].isdigit()  # a version, never stable or latest


def test_fails_when_the_destination_has_no_name(manifest) -> None:
    body = FARGATE + "logging:\n  destination: {region: eu-west-1}\n"

    assert manifest.problems(manifest.service(body)) == [
        "18: services.api.logging.destination: needs Name: the Fluent Bit output to send to "
        "(cloudwatch_logs, kinesis_firehose, kinesis_streams, s3, ...)"
    ]


def test_fails_when_a_cloudwatch_destination_asks_fluent_bit_to_create_log_groups(manifest) -> None:
    body = FARGATE + "logging:\n  destination:\n    Name: cloudwatch\n    auto_create_group: true\n"

    assert manifest.problems(manifest.service(body)) == [
        "20: services.api.logging.destination.auto_create_group: the stack creates the log group (named by "
        "log_group_name if you give one) and grants the task role exactly it: remove this option"
    ]


def test_fails_when_another_destination_has_no_task_role_statements(manifest) -> None:
    body = FARGATE + "logging:\n  destination:\n    Name: kinesis_firehose\n    delivery_stream: app-logs\n"

    assert manifest.problems(manifest.service(body)) == [
        "19: services.api.logging.destination.Name: the kinesis_firehose output sends logs with the task role's "
        "permissions, and the toolkit grants them only for cloudwatch_logs: add the actions it needs under "
        "task_role.statements (for example firehose:PutRecordBatch on the delivery stream's ARN)"
    ]


def test_loads_another_destination_with_task_role_statements(manifest) -> None:
    body = FARGATE + (
        "logging:\n  destination: {Name: kinesis_firehose, delivery_stream: app-logs, region: eu-west-1}\n"
        "task_role:\n  statements:\n"
        "    - actions: [firehose:PutRecordBatch]\n"
        "      resources: ['arn:aws:firehose:eu-west-1:123456789012:deliverystream/app-logs']\n"
    )

    assert manifest.load(manifest.service(body)).services["api"].logging is not None


def test_fails_when_a_secret_option_is_not_a_secret_reference(manifest) -> None:
    body = FARGATE + CLOUDWATCH + "  secret_options: {http_passwd: plain-text}\n"

    assert manifest.problems(manifest.service(body)) == [
        "19: services.api.logging.secret_options.http_passwd: 'plain-text' is not a secret reference (use "
        "ssm:/parameter/name, ssm:<parameter arn>, secretsmanager:<name>[:json-key] or "
        "secretsmanager:<secret arn>[:json-key]): give an SSM parameter or Secrets Manager secret ARN"
    ]


def test_fails_when_an_option_is_given_plainly_and_as_a_secret(manifest) -> None:
    body = FARGATE + (
        "logging:\n  destination: {Name: cloudwatch_logs, region: eu-west-1}\n"
        "  secret_options: {region: 'arn:aws:ssm:eu-west-1:123456789012:parameter/region'}\n"
    )

    assert manifest.problems(manifest.service(body)) == [
        "19: services.api.logging.secret_options.region: region is also under destination: give it in one place"
    ]


def test_the_router_takes_its_memory_from_the_task(manifest) -> None:
    body = FARGATE + CLOUDWATCH + "  memory_mib: 256\nmemory_reservation_mib: 300\n"

    assert manifest.problems(manifest.service(body)) == [
        "20: services.api.memory_reservation_mib: 300 MiB is more than the main container's hard limit of 256 MiB "
        "(the task's 512 MiB less 256 MiB of sidecars (the log router's included))"
    ]


def test_fails_when_the_router_leaves_nothing_for_the_main_container(manifest) -> None:
    body = FARGATE + CLOUDWATCH + "  memory_mib: 512\n"

    assert manifest.problems(manifest.service(body)) == [
        "16: services.api.memory_mib: 512 MiB leaves nothing for the main container after 512 MiB of sidecars "
        "(the log router's included)"
    ]


def test_fails_when_the_default_router_image_cannot_be_pulled_without_nat(manifest) -> None:
    text = manifest.service(
        "kind: backend\nimage: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1\nport: 8080\ncpu: 256\n"
        "memory_mib: 512\n" + CLOUDWATCH
    ).replace("name: test\n", "name: test\nnetwork: {nat_gateways: 0, endpoints: [ecr, logs, s3, ecs]}\n")

    assert manifest.problems(text) == [
        f"18: services.api.logging: the log router's default image ({fluent_bit_image().image}) is public and the "
        "VPC has no NAT gateways to pull it: copy it into ECR and give it as logging.image, or add nat_gateways"
    ]


def test_a_private_router_image_and_its_secrets_follow_the_no_nat_rules(manifest) -> None:
    text = manifest.service(
        "kind: backend\nimage: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1\nport: 8080\ncpu: 256\n"
        "memory_mib: 512\n" + CLOUDWATCH + "  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/fluent-bit:3.4.14\n"
        "  secret_options: {tls.key_passwd: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:router-AbCdEf'}\n"
    ).replace("name: test\n", "name: test\nnetwork: {nat_gateways: 0, endpoints: [ecr, logs, s3, ecs]}\n")

    assert manifest.problems(text) == [
        "21: services.api.logging.secret_options: reads secretsmanager secrets but the VPC has no NAT gateways and no "
        "secretsmanager endpoint: add secretsmanager to network.endpoints"
    ]
