"""boto3 clients for the helpers, created at call time (never at import).

Retries: botocore's adaptive mode (10 attempts, client-side rate limiting) absorbs
throttling; what still fails after that reaches the CLI as one line.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config

Client = Any
"""A boto3 client (boto3 ships no types that mypy can see)."""

RETRY_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 10})


class ClientFactory:
    """Makes and caches one client per service for a profile and region.

    ``AWS_ENDPOINT_URL`` (for example a local moto server) applies to every client.
    """

    def __init__(self, *, profile: str | None = None, region: str | None = None) -> None:
        self._session = boto3.session.Session(profile_name=profile, region_name=region)
        self._endpoint_url = os.environ.get("AWS_ENDPOINT_URL") or None
        self._clients: dict[tuple[str, str | None], Client] = {}

    @property
    def region(self) -> str | None:
        region: str | None = self._session.region_name
        return region

    def __call__(self, service: str, *, region: str | None = None) -> Client:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._session.client(
                service, region_name=region or self._session.region_name, endpoint_url=self._endpoint_url, config=RETRY_CONFIG
            )
        return self._clients[key]
