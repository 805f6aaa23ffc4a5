"""moto for every helper test: dummy credentials, no endpoint or profile leaking in from the shell."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws
from moto.moto_api import state_manager

from tests.helpers.world import REGION, World


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    # moto loads thousands of default AMIs on every reset: a third of the run time, and no test needs them.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def world(aws: None, tmp_path: Path) -> World:
    return World(tmp_path).build()


@pytest.fixture
def tasks_stay_running() -> Iterator[None]:
    """moto advances a task one state per describe_tasks; keep tasks RUNNING for checks that read them."""
    state_manager.set_transition(model_name="ecs::task", transition={"progression": "manual", "times": 10_000})
    yield
    state_manager.unset_transition("ecs::task")
