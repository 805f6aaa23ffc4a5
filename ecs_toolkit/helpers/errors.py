"""Failures the CLI turns into one line and an exit code, never a traceback."""

from __future__ import annotations

import re

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

NOT_FOUND_CODES = frozenset(
    {
        "ResourceNotFoundException",
        "ParameterNotFound",
        "RepositoryNotFoundException",
        "ImageNotFoundException",
        "NotFoundException",
        "NoSuchEntity",
        "ClusterNotFoundException",
        "ServiceNotFoundException",
        "TargetGroupNotFound",
        "InvalidVpcID.NotFound",
        "InvalidSubnetID.NotFound",
    }
)
"""Error codes that mean "that resource does not exist" across the services the helpers call."""

NO_REGION = "no AWS region: pass --region, set AWS_REGION (or a profile's region), or give the manifest a region"
NO_CREDENTIALS = (
    "no AWS credentials found: pass --profile or set the usual AWS credential variables "
    "(for a local emulator: AWS_ENDPOINT_URL with any key pair)"
)


class HelperError(Exception):
    """A failure with a message fit for one line of terminal output."""

    exit_code = 1


class UsageError(HelperError):
    """The request itself is wrong (unknown service name, conflicting options)."""

    exit_code = 2


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def is_not_found(error: ClientError) -> bool:
    return error_code(error) in NOT_FOUND_CODES


def one_line(error: BaseException) -> str:
    """A single line describing a boto3/botocore error (operation, code, message, retries)."""
    if isinstance(error, ClientError):
        message = str(error.response.get("Error", {}).get("Message", "")).strip()
        retries = error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        text = f"{error.operation_name} failed: {error_code(error)}"
        if message:
            text += f": {message}"
        if retries:
            text += f" (after {retries} retries)"
    elif isinstance(error, NoRegionError):
        text = NO_REGION
    elif isinstance(error, NoCredentialsError):
        text = NO_CREDENTIALS
    elif isinstance(error, BotoCoreError):
        text = str(error)
    else:
        text = str(error) or type(error).__name__
    return re.sub(r"\s+", " ", text).strip()
