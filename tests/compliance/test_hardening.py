"""Container hardening over every task definition of every example manifest.

Each test walks all ``AWS::ECS::TaskDefinition`` resources of the manifest's templates and fails
on the first problem with the container's place. A manifest with services but no task definition
fails every test instead of passing them all vacuously; the rules themselves are proven on
hand-written task definitions at the end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ecs_toolkit.checks import hardening
from ecs_toolkit.config import load_manifest
from tests.compliance.common import ROOT, config, per_manifest, templates

DEFAULT = ROOT / "config" / "default.yaml"


def checked(manifest: Path, rule: hardening.Rule) -> list[str]:
    """The rule's problems, after making sure there is something to check."""
    definitions = hardening.task_definitions(templates(manifest))
    missing = hardening.missing_task_definitions(config(manifest), definitions)
    assert not missing, "nothing to check:\n" + "\n".join(missing)
    return rule(definitions, hardening.container_policies(config(manifest)))


@pytest.mark.xdist_group("manifest-default")
def test_the_default_manifest_has_services_whose_task_definitions_are_checked() -> None:
    assert config(DEFAULT).services, "config/default.yaml has no services: the hardening tests would check nothing"
    definitions = hardening.task_definitions(templates(DEFAULT))
    assert len(definitions) >= len(config(DEFAULT).services)
    assert all(definition.containers for definition in definitions)


@pytest.mark.parametrize("manifest", per_manifest())
def test_every_service_has_a_task_definition_to_check(manifest: Path) -> None:
    definitions = hardening.task_definitions(templates(manifest))
    assert not hardening.missing_task_definitions(config(manifest), definitions)


@pytest.mark.parametrize("manifest", per_manifest())
def test_no_container_is_privileged(manifest: Path) -> None:
    problems = checked(manifest, hardening.privileged_containers)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("manifest", per_manifest())
def test_no_task_shares_the_host_pid_or_ipc_namespace(manifest: Path) -> None:
    problems = checked(manifest, hardening.host_namespaces)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("manifest", per_manifest())
def test_root_file_system_is_read_only_unless_the_manifest_opts_out(manifest: Path) -> None:
    problems = checked(manifest, hardening.writable_root_filesystems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("manifest", per_manifest())
def test_containers_run_as_the_manifest_user_and_never_as_root(manifest: Path) -> None:
    problems = checked(manifest, hardening.users)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("manifest", per_manifest())
def test_no_plain_environment_variable_is_named_like_a_secret(manifest: Path) -> None:
    problems = checked(manifest, hardening.secret_like_environment)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("manifest", per_manifest())
def test_every_container_sends_its_logs_somewhere(manifest: Path) -> None:
    problems = checked(manifest, hardening.missing_log_configuration)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("manifest", per_manifest())
def test_every_container_has_a_hard_memory_limit(manifest: Path) -> None:
    problems = checked(manifest, hardening.missing_memory_limit)
    assert not problems, "\n".join(problems)


# The rules on hand-written task definitions: each must catch what it exists for.

GOOD = {
    "Name": "app",
    "Privileged": False,
    "ReadonlyRootFilesystem": True,
    "User": "1000",
    "Memory": 512,
    "LogConfiguration": {"LogDriver": "awslogs"},
    "Environment": [{"Name": "LOG_LEVEL", "Value": "info"}],
}


def definition(container: dict[str, object], **properties: object) -> list[hardening.TaskDefinition]:
    return [hardening.TaskDefinition("env-app", "TaskDefinition", {"ContainerDefinitions": [container], **properties})]


POLICIES = {("env-app", "app"): hardening.ContainerPolicy(read_only_root_filesystem=True, user="1000")}


def test_a_hardened_container_passes_every_rule() -> None:
    assert hardening.check(definition(GOOD), POLICIES) == []


@pytest.mark.parametrize(
    ("change", "properties", "expected"),
    [
        ({"Privileged": True}, {}, "env-app/TaskDefinition/app: Privileged is true"),
        ({}, {"PidMode": "host"}, "env-app/TaskDefinition: PidMode is host"),
        ({}, {"IpcMode": "host"}, "env-app/TaskDefinition: IpcMode is host"),
        ({"ReadonlyRootFilesystem": False}, {}, "ReadonlyRootFilesystem is not true"),
        ({"User": "0:0"}, {}, "runs as root"),
        ({"User": "2000"}, {}, "User is '2000', the manifest gives '1000'"),
        ({"Environment": [{"Name": "DB_PASSWORD", "Value": "x"}]}, {}, "DB_PASSWORD looks like a secret"),
        ({"Environment": [{"Name": "github_token", "Value": "x"}]}, {}, "github_token looks like a secret"),
        ({"Environment": [{"Name": "AWS_SECRET_ACCESS_KEY", "Value": "x"}]}, {}, "AWS_SECRET_ACCESS_KEY looks like a secret"),
        ({"LogConfiguration": None}, {}, "no LogConfiguration"),
        ({"Memory": None}, {}, "no hard Memory limit"),
    ],
)
def test_each_rule_names_the_container_it_fails(change: dict[str, object], properties: dict[str, object], expected: str) -> None:
    container = {key: value for key, value in {**GOOD, **change}.items() if value is not None}
    problems = hardening.check(definition(container, **properties), POLICIES)
    assert len(problems) == 1 and expected in problems[0], problems


def test_a_manifest_opt_out_allows_a_writable_root_and_an_unnamed_container_gets_the_strict_policy() -> None:
    writable = {**GOOD, "ReadonlyRootFilesystem": False}
    opted_out = {("env-app", "app"): hardening.ContainerPolicy(read_only_root_filesystem=False)}
    assert hardening.writable_root_filesystems(definition(writable), opted_out) == []
    assert hardening.writable_root_filesystems(definition(writable), {}) != []


def test_a_manifest_with_services_but_no_task_definition_is_reported() -> None:
    manifest = load_manifest(DEFAULT)
    missing = hardening.missing_task_definitions(manifest, [])
    assert len(missing) == len(manifest.services)
