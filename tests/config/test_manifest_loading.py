"""Reading a manifest: files, YAML, field types and unions, and how problems are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecs_toolkit.config import ManifestError, load_manifest
from ecs_toolkit.config.models import VolumeConfig
from ecs_toolkit.config.overlays import environment_manifests

RETENTIONS = "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"
ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted([ROOT / "config" / "default.yaml", *environment_manifests(list((ROOT / "config" / "examples").glob("*.yaml")))])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_loads_every_shipped_manifest(path: Path) -> None:
    config = load_manifest(path)

    assert config.services


def test_finds_the_default_manifest_and_the_examples() -> None:
    names = [path.name for path in SHIPPED]

    assert "default.yaml" in names
    assert {"ec2-only.yaml", "fargate-only.yaml"} <= set(names)


def test_loads_the_base_manifest_used_by_these_tests(manifest) -> None:
    config = manifest.load(manifest.base)

    assert config.name == "test"
    assert [group.name for group in config.cluster.capacity.ec2] == ["general"]
    assert config.services == {}


def test_reports_a_missing_file_by_path(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"

    with pytest.raises(ManifestError) as raised:
        load_manifest(path)

    assert raised.value.lines == [f"{path}: file not found"]


def test_reports_a_file_that_is_not_utf8_at_the_line_of_the_first_bad_byte(manifest) -> None:
    manifest.path.write_bytes("name: test\ntags:\n  team: café\n".encode("latin-1"))

    with pytest.raises(ManifestError) as raised:
        load_manifest(manifest.path)

    assert raised.value.lines == [
        f"{manifest.path}:3: line 3 is not UTF-8 (byte 0xe9 at column 12, perhaps Latin-1 or Windows-1252): "
        "save the file as UTF-8"
    ]


def test_reports_a_directory_given_as_the_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError) as raised:
        load_manifest(tmp_path)

    assert raised.value.lines == [f"{tmp_path}: is a directory, not a manifest file"]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n", "just a string\n", "42\n"])
def test_fails_when_the_document_is_not_a_mapping(manifest, text: str) -> None:
    assert manifest.problems(text) == ["1: the manifest must be a mapping of settings"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: test\n  bad: indent\nnetwork: {}\n", "2: yaml: mapping values are not allowed here"),
        ("name: test\ntags: {a: b\n", "3: yaml: expected ',' or '}', but got '<stream end>'"),
        ("name: test\n\tnetwork: {}\n", "2: yaml: found character '\\t' that cannot start any token"),
    ],
    ids=["bad-indent", "unclosed-flow-mapping", "tab"],
)
def test_reports_a_yaml_syntax_error_at_its_line(manifest, text: str, expected: str) -> None:
    assert manifest.problems(text) == [expected]


def test_fails_on_a_duplicate_top_level_key(manifest) -> None:
    text = "name: test\nephemeral: true\nname: other\n"

    assert manifest.problems(text) == ["3: yaml: the key 'name' appears twice in the same mapping: keep one"]


def test_fails_on_a_duplicate_nested_key(manifest) -> None:
    text = manifest.service(
        """\
        kind: backend
        image: app
        kind: worker
        """
    )

    assert manifest.problems(text) == ["14: yaml: the key 'kind' appears twice in the same mapping: keep one"]


def test_reports_a_control_character_on_one_line_with_its_line_number(manifest) -> None:
    text = 'name: test\ntags: {team: "a\x07"}\n'

    problems = manifest.problems(text)

    assert len(problems) == 1
    assert "\n" not in problems[0]
    assert problems[0].startswith("2: yaml: unacceptable character #x0007"), problems


def test_loads_a_manifest_that_reuses_a_service_through_a_yaml_merge_key(manifest) -> None:
    text = manifest.services(
        """\
        one: &worker
          kind: worker
          image: app
          cpu: 256
          memory_mib: 512
        two:
          <<: *worker
          image: other
        """
    )

    config = manifest.load(text)

    assert (config.services["two"].kind, config.services["two"].image) == ("worker", "other")


def test_reports_a_problem_on_a_key_inherited_through_a_yaml_merge(manifest) -> None:
    text = manifest.services(
        """\
        one: &worker
          kind: worker
          image: app
          cpu: 256
          memory_mib: 512
          port: 8080
        two:
          <<: *worker
          image: other
        """
    )

    problems = manifest.problems(text)

    assert "16: services.one.port: a worker takes no inbound traffic: use kind backend" in problems
    assert any(line.endswith(": services.two.port: a worker takes no inbound traffic: use kind backend") for line in problems)


def test_fails_on_an_unknown_top_level_key(manifest) -> None:
    text = "name: test\nregoin: eu-west-1\n"

    assert manifest.problems(text) == ["2: regoin: unknown field: did you mean 'region'?"]


def test_fails_on_an_unknown_nested_key(manifest) -> None:
    text = manifest.service(
        """\
        kind: backend
        imgae: app
        port: 80
        """
    )

    assert manifest.problems(text) == [
        "11: services.api.image: is required",
        "13: services.api.imgae: unknown field: did you mean 'image'?",
    ]


def test_fails_on_an_unknown_key_inside_a_list_item(manifest) -> None:
    text = """\
    name: test
    cluster:
      capacity:
        ec2:
          - name: general
            instance_types: [m5.large]
            max: 4
            size: large
    """

    assert manifest.problems(text) == ["8: cluster.capacity.ec2.0.size: unknown field"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("flow_logs: maybe", "3: network.flow_logs: must be true or false (got 'maybe')"),
        ("nat_gateways: many", "3: network.nat_gateways: must be a whole number from 0 to 3 (got 'many')"),
        ("endpoints: ecr", "3: network.endpoints: must be a list of items (got 'ecr')"),
        (
            "endpoints: [ecr, dynamodb]",
            "3: network.endpoints.1: must be one of: ecr, logs, s3, ssm, secretsmanager, ecs (got 'dynamodb')",
        ),
    ],
)
def test_fails_on_a_field_of_the_wrong_type_or_format(manifest, line: str, expected: str) -> None:
    text = f"name: test\nnetwork:\n  {line}\n"

    assert manifest.problems(text) == [expected]


def test_fails_when_a_section_is_a_list_instead_of_a_mapping(manifest) -> None:
    assert manifest.problems("name: test\nservices: [api]\n") == ["2: services: must be a mapping (got ['api'])"]


def test_fails_on_a_name_that_is_not_lower_case(manifest) -> None:
    assert manifest.problems("name: Prod\n") == [
        "1: name: must be 2 to 32 lower-case letters, digits and hyphens, starting with a letter and ending with a letter "
        "or digit (got 'Prod')"
    ]


def test_fails_on_an_unknown_service_kind(manifest) -> None:
    text = manifest.service(
        """\
        kind: cron
        image: app
        """
    )

    assert manifest.problems(text) == ["12: services.api.kind: must be one of: web, backend, worker, job (got 'cron')"]


def test_fails_on_a_service_name_that_is_not_a_valid_name(manifest) -> None:
    text = manifest.services(
        """\
        Api_Service:
          kind: worker
          image: app
        """
    )

    assert manifest.problems(text) == [
        "11: services.Api_Service: must be 2 to 32 lower-case letters, digits and hyphens, starting with a letter and ending "
        "with a letter or digit (got 'Api_Service')"
    ]


# --- union fields: network.azs (count or names) and volumes (path or mapping) -------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", "must be 2 or 3 (got 1)"),
        ("4", "must be 2 or 3 (got 4)"),
        ("[1, 2]", "must be 2 or 3, or a list of strings (got [1, 2])"),
        ("{a: 1}", "must be 2 or 3, or a list of strings (got {a: 1})"),
    ],
)
def test_fails_when_azs_is_neither_a_count_of_2_or_3_nor_a_list_of_names(manifest, value: str, expected: str) -> None:
    text = f"name: test\nnetwork:\n  azs: {value}\n"

    assert manifest.problems(text) == [f"3: network.azs: {expected}"]


def test_names_both_alternatives_when_azs_is_a_word(manifest) -> None:
    text = "name: test\nnetwork:\n  azs: three\n"

    assert manifest.problems(text) == ["3: network.azs: must be 2 or 3, or a list of strings (got 'three')"]


def test_accepts_azs_as_a_count_or_as_names(manifest) -> None:
    by_count = manifest.load("name: test\nnetwork:\n  azs: 3\n  nat_gateways: 3\n")
    by_name = manifest.load("name: test\nnetwork:\n  azs: [eu-west-1a, eu-west-1b]\n")

    assert by_count.network.azs == 3
    assert by_name.network.azs == ["eu-west-1a", "eu-west-1b"]


FILE_SYSTEM = "file_systems:\n  data: {}\n"


def test_accepts_a_volume_as_a_path_or_as_a_mapping(manifest) -> None:
    text = (
        manifest.services(
            """\
            short:
              kind: worker
              image: app
              cpu: 256
              memory_mib: 512
              volumes: {data: /mnt/data}
            long:
              kind: worker
              image: app
              cpu: 256
              memory_mib: 512
              volumes:
                data: {path: /mnt/data, read_only: true, sub_path: /long}
            """
        )
        + FILE_SYSTEM
    )

    config = manifest.load(text)

    assert config.services["short"].volumes == {"data": "/mnt/data"}
    assert config.services["long"].volumes == {"data": VolumeConfig(path="/mnt/data", read_only=True, sub_path="/long")}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", "services.api.volumes.data: must be a string or a mapping (got 5)"),
        ("[/mnt/data]", "services.api.volumes.data: must be a string or a mapping (got ['/mnt/data'])"),
        ("{path: /mnt/data, mode: ro}", "services.api.volumes.data.mode: unknown field"),
        ("{read_only: true}", "services.api.volumes.data.path: is required"),
        (
            "{path: /mnt/data, sub_path: data}",
            "services.api.volumes.data.sub_path: must be an absolute path of letters, digits and _-./, "
            "such as /site (got 'data')",
        ),
    ],
    ids=["number", "list", "unknown-field", "no-path", "relative-sub-path"],
)
def test_fails_when_a_volume_is_neither_a_path_nor_a_valid_mapping(manifest, value: str, expected: str) -> None:
    text = (
        manifest.service(
            f"""\
            kind: worker
            image: app
            cpu: 256
            memory_mib: 512
            volumes:
              data: {value}
            """
        )
        + FILE_SYSTEM
    )

    assert manifest.problems(text) == [f"17: {expected}"]


def test_reports_a_wrongly_typed_env_var_whose_name_ends_in_config_at_the_variable(manifest) -> None:
    text = manifest.service(
        """\
        kind: worker
        image: app
        cpu: 256
        memory_mib: 512
        environment:
          AppConfig: 1
        """
    )

    assert manifest.problems(text) == ['17: services.api.environment.AppConfig: must be a string: quote it: "1"']


def test_reports_a_wrongly_typed_env_var_at_the_variable(manifest) -> None:
    text = manifest.service(
        """\
        kind: worker
        image: app
        cpu: 256
        memory_mib: 512
        environment:
          PORT: 8080
        """
    )

    assert manifest.problems(text) == ['17: services.api.environment.PORT: must be a string: quote it: "8080"']


# --- how problems are reported ------------------------------------------------------------------


def test_reports_every_rule_problem_of_a_file_together_in_file_order(manifest) -> None:
    # The service comes first in the file but its rules run last: output follows the file.
    text = """\
    name: test
    services:
      api:
        kind: backend
        image: app
        port: 80
        cpu: 256
        memory_mib: 512
        log_retention_days: 10
    network:
      flow_log_retention_days: 8
    cluster:
      host_port_range: {start: 61000, end: 61010}
    """

    assert manifest.problems(text) == [
        f"9: services.api.log_retention_days: 10 is not a CloudWatch Logs retention (use one of {RETENTIONS})",
        f"11: network.flow_log_retention_days: 8 is not a CloudWatch Logs retention (use one of {RETENTIONS})",
        "13: cluster.host_port_range: 11 ports: keep at least 64 for dynamic host ports",
    ]


def test_reports_every_structural_problem_of_a_file_together(manifest) -> None:
    text = """\
    name: test
    network:
      nat_gateways: 9
    cluster:
      container_insights: on          # YAML 1.2: the string 'on', not true
    colour: blue
    """

    assert manifest.problems(text) == [
        "3: network.nat_gateways: must be a whole number from 0 to 3 (got 9)",
        "5: cluster.container_insights: must be one of: enhanced, enabled, disabled (got 'on')",
        "6: colour: unknown field",
    ]


def test_formats_each_problem_as_file_line_field_message(manifest) -> None:
    path = manifest.write("name: test\nbogus: 1\n")

    with pytest.raises(ManifestError) as raised:
        load_manifest(str(path))

    assert raised.value.lines == [f"{path}:2: bogus: unknown field"]
    assert str(raised.value) == f"{path}:2: bogus: unknown field"
