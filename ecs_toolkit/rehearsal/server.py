"""The local AWS emulator: a moto server in this process, on a free localhost port."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import threading
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import boto3
from botocore.config import Config
from moto.cloudformation.models import CloudFormationBackend
from moto.server import ThreadedMotoServer

DEFAULT_ACCOUNT = "123456789012"
"""moto's default account: what STS answers unless the manifest names an account."""
DEFAULT_REGION = "us-east-1"
HOST = "localhost"
"""Not 127.0.0.1: moto recognizes a template URL on its own endpoint only when the host is localhost."""


STACK_OPERATIONS = ("create_stack", "update_stack", "delete_stack", "execute_change_set")
"""moto builds a stack's resources lazily inside these calls; a concurrent read of the same stack
(its outputs, or a custom resource's answer) would build some of them a second time."""
_STACK_LOCK = threading.RLock()
_AFTER_STACK_OPERATION: list[Callable[[], None]] = []


class EmulatorError(Exception):
    """The emulator could not start or be configured."""


class Emulator:
    """A moto server with Lambda's Docker runtime turned off (custom resources are answered instead).

    Binding port 0 lets the operating system pick a free port, so another moto server on the
    machine is never disturbed and there is no window between choosing a port and binding it.
    """

    def __init__(self, *, log: Path, account: str | None = None, region: str | None = None) -> None:
        """``account`` and ``region``: the manifest's environment (moto's defaults for an environment-agnostic app)."""
        self._server = ThreadedMotoServer(ip_address=HOST, port=0, verbose=False)
        self.endpoint = ""
        self.log = log
        self.account = account or DEFAULT_ACCOUNT
        self.region = region or DEFAULT_REGION
        self._log_file: TextIO | None = None
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def start(self) -> str:
        self._log_file = self.log.open("a")
        # moto answers every request (STS included) for this account: the CLI deploys without assuming roles.
        os.environ["MOTO_ACCOUNT_ID"] = self.account
        # AWS-managed policies exist only when loaded: without them an attachment (CDK's Lambda roles
        # get AWSLambdaBasicExecutionRole) silently does nothing, and the role check would rightly fail.
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        _send_moto_output_to(self._log_file)
        _serialize_stack_operations()
        self._server.start()
        _, port = self._server.get_host_and_port()
        self.endpoint = f"http://{HOST}:{port}"
        self._configure({"lambda": {"use_docker": False}})
        return self.endpoint

    def stop(self) -> None:
        if self.endpoint:
            self._server.stop()
            self.endpoint = ""
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
            os.environ.pop("MOTO_ACCOUNT_ID", None)
            os.environ.pop("MOTO_IAM_LOAD_MANAGED_POLICIES", None)

    @staticmethod
    @contextlib.contextmanager
    def settled() -> Iterator[None]:
        """While inside, no stack operation is half-way through building its resources."""
        with _STACK_LOCK:
            yield

    @staticmethod
    @contextlib.contextmanager
    def after_stack_operation(callback: Callable[[], None]) -> Iterator[None]:
        """While inside, ``callback`` runs after each stack operation, before the caller gets its answer."""
        _AFTER_STACK_OPERATION.append(callback)
        try:
            yield
        finally:
            _AFTER_STACK_OPERATION.remove(callback)

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` on the emulator (shared; botocore clients are thread-safe)."""
        with self._lock:
            if service not in self._clients:
                session = boto3.session.Session(
                    aws_access_key_id="testing", aws_secret_access_key="testing", region_name=self.region
                )
                self._clients[service] = session.client(
                    service, endpoint_url=self.endpoint, config=Config(retries={"max_attempts": 2, "mode": "standard"})
                )
            return self._clients[service]

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) pointed at the emulator with dummy credentials.

        Profiles, session tokens and config files are dropped so nothing can reach a real account.
        """
        env = {key: value for key, value in (os.environ if base is None else base).items() if not key.startswith("AWS_")}
        env.update(
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION=self.region,
            AWS_REGION=self.region,
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        )
        return env

    def _configure(self, settings: dict[str, object]) -> None:
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/config",
            data=json.dumps(settings).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                applied = json.load(response)
        except OSError as error:
            raise EmulatorError(f"cannot configure the emulator at {self.endpoint}: {error}") from error
        if applied.get("lambda", {}).get("use_docker") is not False:
            raise EmulatorError("the emulator kept Docker on for Lambda: custom resources would hang")

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.stop()


def _send_moto_output_to(log: TextIO) -> None:
    """The server shares this process: its request log, warnings and messages go to ``log``, not the terminal."""
    for name in ("werkzeug", "moto"):
        logger = logging.getLogger(name)
        logger.handlers = [logging.StreamHandler(log)]
        logger.propagate = False
        logger.setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", module=r"moto\..*")


def _serialize_stack_operations() -> None:
    for name in STACK_OPERATIONS:
        method = getattr(CloudFormationBackend, name)
        if not getattr(method, "serialized", False):
            setattr(CloudFormationBackend, name, _serialized(method))


def _serialized(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def serialized(*args: Any, **kwargs: Any) -> Any:
        with _STACK_LOCK:
            result = method(*args, **kwargs)
            for callback in list(_AFTER_STACK_OPERATION):
                callback()
            return result

    serialized.serialized = True  # type: ignore[attr-defined]
    return serialized
