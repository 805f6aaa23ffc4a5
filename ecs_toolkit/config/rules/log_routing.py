"""FireLens log routing (``logging``): the destination's output, what it needs from the task role, its secrets,
and the ``log_router`` container it adds to the task."""

from __future__ import annotations

from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import ServiceConfig
from ecs_toolkit.config.references import parse_secret_reference, secret_option_reference
from ecs_toolkit.config.rules.common import Finding, Location

CREATED_GROUP_OPTIONS = ("auto_create_group", "log_group_template")
"""CloudWatch output options that make Fluent Bit name or create log groups at run time: the stack creates the one
log group the router writes to instead, so the task role is granted exactly it."""


def check_logging(where: Location, service: ServiceConfig) -> Iterator[Finding]:
    logging = service.logging
    if logging is None:
        return
    at: Location = (*where, "logging")
    output = derived.log_output(service)
    if output is None:
        yield (
            (*at, "destination"),
            "needs Name: the Fluent Bit output to send to (cloudwatch_logs, kinesis_firehose, kinesis_streams, s3, ...)",
        )
    elif output in derived.CLOUDWATCH_OUTPUTS:
        for option in CREATED_GROUP_OPTIONS:
            if option in logging.destination:
                yield (
                    (*at, "destination", option),
                    "the stack creates the log group (named by log_group_name if you give one) and grants the task "
                    "role exactly it: remove this option",
                )
    elif service.task_role is None or not service.task_role.statements:
        yield (
            (*at, "destination", "Name"),
            f"the {output} output sends logs with the task role's permissions, and the toolkit grants them only for "
            "cloudwatch_logs: add the actions it needs under task_role.statements (for example "
            "firehose:PutRecordBatch on the delivery stream's ARN)",
        )
    for option in logging.secret_options:
        if option in logging.destination:
            yield (*at, "secret_options", option), f"{option} is also under destination: give it in one place"
    for option, value in logging.secret_options.items():
        try:
            parse_secret_reference(secret_option_reference(value))
        except ValueError as error:
            yield (*at, "secret_options", option), f"{error}: give an SSM parameter or Secrets Manager secret ARN"
