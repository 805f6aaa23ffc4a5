"""What every subcommand shares: manifest errors, one-line AWS errors, throttling, help, clients."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from ecs_toolkit.helpers.cli import build_parser, main
from ecs_toolkit.helpers.errors import NO_CREDENTIALS, NO_REGION
from ecs_toolkit.helpers.sessions import ClientFactory
from tests.helpers.world import MANIFEST, Failing, World

SUBCOMMANDS = [
    "status",
    "wait",
    "drain",
    "run-task",
    "teardown",
    "preflight",
    "exec-check",
    "deployments",
    "rollback",
    "init",
    "import-copilot",
    "synth",
    "check",
    "rehearse",
    "plan",
    "verify",
]


class Wrapping:
    """A client factory that hands out real (moto) clients, with some replaced."""

    def __init__(self, replace: dict[str, Any]) -> None:
        self.real = ClientFactory()
        self.replace = replace
        self.created: list[str] = []

    def __call__(self, service: str, *, region: str | None = None) -> Any:
        self.created.append(service)
        return self.replace.get(service) or self.real(service, region=region)


def test_bad_manifest_prints_each_problem_on_one_line_and_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = tmp_path / "bad.yaml"
    manifest.write_text("name: Demo\nservices:\n  web: {kind: web, image: nginx, port: 99999}\n")

    code = main(["status", "--config", str(manifest)])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) >= 2
    assert all(line.startswith(f"{manifest}:") for line in lines)
    assert any(":1: name:" in line for line in lines)
    assert "Traceback" not in captured.err


def test_missing_default_manifest_is_reported_with_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    code = main(["status"])

    assert code == 2
    assert capsys.readouterr().err == "config/default.yaml: file not found\n"


def test_global_options_work_before_the_subcommand(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--json", "--config", str(world.manifest_path), "status", "web"])

    assert code == 0
    assert capsys.readouterr().out.startswith("{")


def test_throttling_that_outlasts_the_retries_ends_in_one_line(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    ecs = ClientFactory()("ecs")
    stubber = Stubber(ecs)
    stubber.add_client_error(
        "describe_clusters", service_error_code="ThrottlingException", service_message="Rate exceeded", http_status_code=400
    )

    with stubber:
        code = main(["status", "--config", str(world.manifest_path)], make_clients=lambda **_: Wrapping({"ecs": ecs}))

    assert code == 1
    assert capsys.readouterr().err == "error: DescribeClusters failed: ThrottlingException: Rate exceeded\n"


def test_a_throttled_wait_reports_the_retries_it_made(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    throttled = Failing(ClientFactory()("ecs"), "describe_services")

    code = main(["wait", "--config", str(world.manifest_path)], make_clients=lambda **_: Wrapping({"ecs": throttled}))

    assert code == 1
    assert throttled.calls == 1
    assert capsys.readouterr().err == "error: DescribeServices failed: ThrottlingException: Rate exceeded (after 10 retries)\n"


def test_clients_retry_throttling_adaptively(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    ecs = ClientFactory(region="us-east-1")("ecs")
    throttles = iter(range(1))

    def throttle(request: Any, **_: Any) -> AWSResponse | None:
        if next(throttles, None) is None:
            return None
        body = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(body))

    ecs.meta.events.register_first("before-send.ecs.ListClusters", throttle)

    response = ecs.list_clusters()

    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert [seconds for seconds in slept if seconds > 0]
    assert ecs.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 11}  # max_attempts 10 = 10 retries


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


def test_client_factory_honours_region_and_endpoint_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")

    ecs = ClientFactory(region="eu-west-1")("ecs")

    assert ecs.meta.region_name == "eu-west-1"
    assert ecs.meta.endpoint_url == "http://localhost:4566"


def test_region_defaults_to_the_manifests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = tmp_path / "eu.yaml"
    manifest.write_text(MANIFEST.replace("name: demo\n", 'name: demo\naccount: "123456789012"\nregion: eu-west-1\n'))
    seen: dict[str, Any] = {}

    def make_clients(**arguments: Any) -> Any:
        seen.update(arguments)
        raise SystemError("stop here")

    with pytest.raises(SystemError):
        main(["status", "--config", str(manifest)], make_clients=make_clients)
    assert seen == {"profile": None, "region": "eu-west-1"}
    with pytest.raises(SystemError):
        main(["status", "--region", "eu-central-1", "--profile", "ops", "--config", str(manifest)], make_clients=make_clients)
    assert seen == {"profile": "ops", "region": "eu-central-1"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["status", "web", "nope"], "'nope' is not a service or job of environment demo (have: web, api, report)"),
        (["run-task", "migrate"], "'migrate' is not a service or job of environment demo (have: web, api, report)"),
        (["exec-check", "worker"], "'worker' is not a service or job of environment demo (have: web, api, report)"),
        (["drain", "--group", "spot"], "'spot' is not an EC2 capacity group of environment demo (have: ondemand)"),
    ],
)
def test_names_the_manifest_lacks_are_usage_errors_before_any_aws_access(
    tmp_path: Path, arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "demo.yaml"
    manifest.write_text(MANIFEST)

    def make_clients(**_: Any) -> Any:
        raise AssertionError("no AWS client may be made for a bad argument")

    code = main([*arguments, "--config", str(manifest)], make_clients=make_clients)

    assert code == 2
    assert capsys.readouterr().err == f"error: {message}\n"


def test_missing_credentials_end_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    manifest = tmp_path / "demo.yaml"
    manifest.write_text(MANIFEST)

    code = main(["status", "--config", str(manifest)])

    assert code == 1
    assert capsys.readouterr().err == f"error: {NO_CREDENTIALS}\n"


def test_a_missing_region_says_where_a_region_comes_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    manifest = tmp_path / "demo.yaml"
    manifest.write_text(MANIFEST)

    code = main(["status", "--config", str(manifest)])

    assert code == 1
    assert capsys.readouterr().err == f"error: {NO_REGION}\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["wait", "--timeout", "0"], "argument --timeout: '0': must be a number of seconds above 0"),
        (["drain", "--group", "spot", "--timeout", "-5"], "argument --timeout: '-5': must be a number of seconds above 0"),
        (["run-task", "web", "--poll-seconds", "nan"], "argument --poll-seconds: 'nan': must be a number of seconds above 0"),
        (["teardown", "--timeout", "soon"], "argument --timeout: 'soon' is not a number of seconds"),
        (["status", "--events", "-1"], "argument --events: '-1': must be 0 or more"),
    ],
)
def test_bad_numbers_are_usage_errors(arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(arguments)

    assert code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"ecs-toolkit {arguments[0]}: error: {message}"


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main([command, "--help"])

    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith(f"usage: ecs-toolkit {command}")
    if command == "init":  # writes a project: there is no manifest or AWS account yet
        assert "--config" not in out and "--example" in out
    elif command == "import-copilot":  # writes a manifest from a Copilot workspace: none exists yet
        assert "--config" not in out and "--env ENV" in out and "--force" in out
    else:
        assert "-c PATH, --config PATH" in out and "--json" in out


def test_the_parser_knows_exactly_the_documented_subcommands() -> None:
    parser = build_parser()
    (commands,) = [action for action in parser._actions if action.dest == "command"]

    assert list(commands.choices) == [*SUBCOMMANDS, "schema"]  # type: ignore[attr-defined]


def test_runs_as_a_module() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "ecs_toolkit.helpers", "--help"], capture_output=True, text=True, check=False, timeout=60
    )

    assert completed.returncode == 0
    assert completed.stdout.startswith("usage: ecs-toolkit")
    assert all(f"    {command}" in completed.stdout for command in SUBCOMMANDS)


def test_verify_reads_templates_without_aws_and_exits_1_on_a_bad_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "bad.yaml"
    manifest.write_text("name: x\n")
    completed = subprocess.run(
        [sys.executable, "-m", "ecs_toolkit.helpers", "verify", "--config", str(manifest)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 1
    assert completed.stderr.startswith(f"{manifest}:1: name:")
    assert "Traceback" not in completed.stderr
