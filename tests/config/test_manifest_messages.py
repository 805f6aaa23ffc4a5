"""Every kind of structural error a manifest can make, in plain words: what is wrong and what is allowed."""

from __future__ import annotations

from typing import Annotated, Any, get_args, get_origin

import pytest
from pydantic import BaseModel

from ecs_toolkit.config import models
from ecs_toolkit.config.models import Described, EnvironmentConfig

NAME_WORDS = "2 to 32 lower-case letters, digits and hyphens, starting with a letter and ending with a letter or digit"


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    queue = [root]
    while queue:
        model = queue.pop()
        if model in found:
            continue
        found.append(model)
        for field in model.model_fields.values():
            queue.extend(_nested_models(field.annotation))
    return found


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _nested_models(arg)]


def _patterned_strings(annotation: Any) -> list[Any]:
    """Every ``Annotated[str, ...pattern...]`` inside a type."""
    found = []
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        if base is str and any(getattr(item, "pattern", None) for item in metadata):
            found.append(annotation)
    for arg in get_args(annotation):
        found.extend(_patterned_strings(arg))
    return found


def test_every_string_with_a_pattern_carries_plain_words() -> None:
    patterned = []
    for model in _models(EnvironmentConfig):
        for name, field in model.model_fields.items():
            annotation = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
            for text_type in _patterned_strings(annotation):
                patterned.append(name)
                words = [item for item in get_args(text_type)[1:] if isinstance(item, Described)]
                assert words, f"{model.__name__}.{name} has a pattern but no Described(...) words"
                assert "^" not in words[0].words and "$" not in words[0].words
    # cidr and time_zone have no pattern: the network and scheduling rules read them and say what is wrong.
    assert {"name", "vpc_id", "provider", "account", "region"} <= set(patterned)


def test_the_words_of_a_name_do_not_show_its_pattern() -> None:
    assert get_args(models.Name)[2] == Described(NAME_WORDS)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # strings written as other YAML types
        ("environment: {DEBUG: true}", 'services.api.environment.DEBUG: must be a string: quote it: "true"'),
        ("environment: {RATIO: 0.5}", 'services.api.environment.RATIO: must be a string: quote it: "0.5"'),
        ("environment: {SINCE: 2024-01-31}", 'services.api.environment.SINCE: must be a string: quote it: "2024-01-31"'),
        ("image: 7", "services.api.image: must be a non-empty string or a mapping (got 7)"),
        (
            "environment: {1: x}",
            "services.api.environment.1: must be a variable name: letters, digits and underscores, "
            "not starting with a digit (got 1)",
        ),
        ("user: 1000", 'services.api.user: must be a string: quote it: "1000"'),
        # quoting is suggested only where the quoted text would be valid
        ("discovery: {name: false}", 'services.api.discovery.name: must be a string: quote it: "false"'),
        ("discovery: {name: 12}", f"services.api.discovery.name: must be {NAME_WORDS} (got 12)"),
        ("health_check: {success_codes: 200}", 'services.api.health_check.success_codes: must be a string: quote it: "200"'),
        (
            "environment: {bad-name: x}",
            "services.api.environment.bad-name: must be a variable name: letters, digits and "
            "underscores, not starting with a digit (got 'bad-name')",
        ),
        ("image: ''", "services.api.image: must be a non-empty string (got '')"),
        # whole numbers and their ranges
        ("port: 0", "services.api.port: must be a whole number from 1 to 65535 (got 0)"),
        ("port: 70000", "services.api.port: must be a whole number from 1 to 65535 (got 70000)"),
        ("port: http", "services.api.port: must be a whole number from 1 to 65535 (got 'http')"),
        ("port: 80.5", "services.api.port: must be a whole number from 1 to 65535 (got 80.5)"),
        ("port: true", "services.api.port: must be a whole number from 1 to 65535 (got true)"),
        ("port: [80]", "services.api.port: must be a whole number from 1 to 65535 (got [80])"),
        ("count: -1", "services.api.count: must be a whole number from 0 to 5000 (got -1)"),
        ("cpu: 64", "services.api.cpu: must be a whole number from 128 to 196608 (got 64)"),
        (
            "sidecars: [{name: log, image: x, memory_mib: 1}]",
            "services.api.sidecars.0.memory_mib: must be a whole number, 6 or more (got 1)",
        ),
        # booleans, choices, lists, mappings
        ("exec: 'yes'", "services.api.exec: must be true or false (got 'yes')"),
        ("kind: Worker", "services.api.kind: must be one of: web, backend, worker, job (got 'Worker')"),
        (
            "placement: [pack]",
            "services.api.placement.0: must be one of: spread-az, spread-instance, binpack-memory, "
            "binpack-cpu, random (got 'pack')",
        ),
        ("command: echo hi", "services.api.command: must be a list of strings (got 'echo hi')"),
        ("deployment: fast", "services.api.deployment: must be a mapping (got 'fast')"),
        ("health_check: {path: health}", "services.api.health_check.path: must be a path starting with / (got 'health')"),
        (
            "route: {path: " + "/a" * 70 + "}",
            "services.api.route.path: must be a path pattern starting with / (letters, "
            "digits and _-./*?~%), such as /api/*, at most 128 characters (got '" + ("/a" * 30)[:56] + "...)",
        ),
        (
            "container_health_check: {command: []}",
            "services.api.container_health_check.command: must be a list of at least 1 strings (got [])",
        ),
        (
            "scaling: {max: 2, custom_metric: {namespace: '', name: B, target: 1}}",
            "services.api.scaling.custom_metric.namespace: must be a string of 1 to 255 characters (got '')",
        ),
        (
            "scaling: {max: 2, steps: {steps: [{upper: low, change: -1}, {lower: 85, change: 3}]}}",
            "services.api.scaling.steps.steps.0.upper: must be a number (got 'low')",
        ),
        (
            "scaling: {max: 2, steps: {steps: [{upper: true, change: -1}, {lower: 85, change: 3}]}}",
            "services.api.scaling.steps.steps.0.upper: must be a number (got true)",
        ),
        # null where a value is required
        ("count: null", "services.api.count: must be a whole number from 0 to 5000 (got null)"),
        ("environment: null", "services.api.environment: must be a mapping (got null)"),
    ],
)
def test_explains_each_structural_error_in_plain_words(manifest, body: str, expected: str) -> None:
    text = manifest.service(f"kind: backend\nimage: app\nport: 80\ncpu: 256\nmemory_mib: 512\n{body}\n")
    # The body's key replaces an earlier one with the same name (a duplicate key is a YAML error).
    key = body.split(":", 1)[0]
    lines = text.splitlines()
    first = next(index for index, line in enumerate(lines) if line.strip().startswith(f"{key}:"))
    if lines[first].strip() != body:
        del lines[first]
    problems = manifest.problems("\n".join(lines) + "\n")

    assert [problem.split(": ", 1)[1] for problem in problems] == [expected]


def test_names_the_file_system_volume_choices_when_infrequent_access_is_not_one_of_them(manifest) -> None:
    text = "name: test\nfile_systems:\n  data: {infrequent_access_after_days: 2}\n"

    assert manifest.problems(text) == [
        "3: file_systems.data.infrequent_access_after_days: must be one of: 1, 7, 14, 30, 60, 90, 180, 270, 365 (got 2)"
    ]


def test_a_section_given_as_a_word_must_be_a_mapping(manifest) -> None:
    assert manifest.problems("name: test\nload_balancer: yes\n") == ["2: load_balancer: must be a mapping (got 'yes')"]


def test_a_key_that_is_not_text_is_named(manifest) -> None:
    assert manifest.problems("name: test\n7: x\n") == ["2: 7: the key 7 must be a name (text), not a number or other value"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("  imgae: app", "services.api.imgae: unknown field: did you mean 'image'?"),
        ("  enviroment: {A: b}", "services.api.enviroment: unknown field: did you mean 'environment'?"),
        ("  memory: 512", "services.api.memory: unknown field: did you mean 'memory_mib'?"),
        ("  healthcheck: {path: /}", "services.api.healthcheck: unknown field: did you mean 'health_check'?"),
        ("  replicas: 2", "services.api.replicas: unknown field"),
    ],
)
def test_suggests_the_closest_field_for_an_unknown_one(manifest, line: str, expected: str) -> None:
    text = manifest.service("kind: worker\nimage: app\ncpu: 256\nmemory_mib: 512\n") + "  " + line + "\n"

    problems = manifest.problems(text)

    assert [problem.split(": ", 1)[1] for problem in problems if "unknown field" in problem] == [expected]


def test_suggests_a_field_of_a_nested_model_in_a_list(manifest) -> None:
    text = manifest.base.replace("        max: 4\n", "        max: 4\n        instance_type: m5.large\n")

    assert manifest.problems(text) == ["10: cluster.capacity.ec2.0.instance_type: unknown field: did you mean 'instance_types'?"]
