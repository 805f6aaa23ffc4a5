"""Environments that extend a shared base, and ``${NAME}`` in values: merging, interpolation, and where problems point."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ecs_toolkit.config import EnvironmentConfig, ManifestError, load_manifest, load_manifest_with_warnings
from ecs_toolkit.config.image_sources import build_context, build_dockerfile, image_location, source_of
from ecs_toolkit.config.loader import origin_of
from ecs_toolkit.config.rules.addons import addon_template_location

ROOT = Path(__file__).resolve().parents[2]

BASE = """\
name: shared
tags: {team: shop, tier: web}
load_balancer: {}
cluster:
  capacity:
    fargate: true
services:
  api:
    kind: web
    image: public.ecr.aws/nginx/nginx:1.27
    port: 80
    cpu: 256
    memory_mib: 512
    route: {path: "/*"}
    read_only_root_filesystem: false
    environment:
      MODE: base
      DEBUG: "1"
"""
"""A whole environment of its own; ``services.api`` starts on line 8, its ``cpu`` is on line 12."""


class Files:
    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def load(self, name: str, text: str, environ: dict[str, str] | None = None) -> EnvironmentConfig:
        config, _ = load_manifest_with_warnings(self.write(name, text), environ or {})
        return config

    def problems(self, name: str, text: str, environ: dict[str, str] | None = None) -> list[str]:
        """The problem lines, with the temporary directory left out of each path."""
        path = self.write(name, text)
        with pytest.raises(ManifestError) as raised:
            load_manifest_with_warnings(path, environ or {})
        return [line.replace(f"{self.root}/", "") for line in raised.value.lines]


@pytest.fixture
def files(tmp_path: Path) -> Files:
    made = Files(tmp_path)
    made.write("shop.base.yaml", BASE)
    return made


# --- merging -------------------------------------------------------------------------------------


def test_mappings_merge_key_by_key_and_services_by_name(files: Files) -> None:
    config = files.load(
        "prod.yaml",
        """\
        extends: shop.base.yaml
        name: prod
        tags: {tier: api, owner: payments}
        services:
          api:
            cpu: 512
            memory_mib: 1024
            environment: {MODE: prod}
          worker:
            kind: worker
            image: public.ecr.aws/docker/library/busybox:1.36
            cpu: 256
            memory_mib: 512
        """,
    )

    assert config.name == "prod"
    assert config.tags == {"team": "shop", "tier": "api", "owner": "payments"}
    api = config.services["api"]
    assert (api.cpu, api.memory_mib, api.port, str(api.image)) == (512, 1024, 80, "public.ecr.aws/nginx/nginx:1.27")
    assert api.environment == {"MODE": "prod", "DEBUG": "1"}
    assert list(config.services) == ["api", "worker"]


def test_a_list_replaces_the_bases_list_whole(files: Files) -> None:
    files.write("list.base.yaml", BASE + "    command: [serve, --port, '80', --verbose]\n")
    config = files.load("env.yaml", "extends: list.base.yaml\nservices:\n  api:\n    command: [serve]\n")

    assert config.services["api"].command == ["serve"]


def test_null_removes_a_key_the_base_sets(files: Files) -> None:
    config = files.load(
        "env.yaml",
        """\
        extends: shop.base.yaml
        load_balancer: null
        services:
          api:
            kind: backend
            route: null
            environment: {DEBUG: null}
        """,
    )

    assert config.load_balancer is None
    assert config.services["api"].route is None
    assert config.services["api"].environment == {"MODE": "base"}


def test_a_scalar_replaces_a_mapping_and_a_mapping_replaces_a_scalar(files: Files) -> None:
    config = files.load("env.yaml", "extends: shop.base.yaml\nservices:\n  api:\n    environment: {}\n")
    assert config.services["api"].environment == {"MODE": "base", "DEBUG": "1"}  # an empty mapping changes nothing

    problems = files.problems("bad.yaml", "extends: shop.base.yaml\nservices:\n  api:\n    environment: none\n")
    assert problems == ["bad.yaml:4: services.api.environment: must be a mapping (got 'none')"]


def test_a_chain_of_bases_merges_from_the_first_base_on(files: Files) -> None:
    files.write("region.base.yaml", "extends: shop.base.yaml\ntags: {region: eu}\nservices:\n  api:\n    cpu: 512\n")
    config = files.load("env.yaml", "extends: region.base.yaml\nname: eu-prod\nservices:\n  api:\n    memory_mib: 2048\n")

    assert config.tags == {"team": "shop", "tier": "web", "region": "eu"}
    assert (config.services["api"].cpu, config.services["api"].memory_mib) == (512, 2048)


def test_the_base_path_is_relative_to_the_file_that_names_it(files: Files) -> None:
    files.write("bases/region.base.yaml", "extends: ../shop.base.yaml\ntags: {region: eu}\n")
    config = files.load("envs/prod.yaml", "extends: ../bases/region.base.yaml\nname: prod\n")

    assert config.tags["region"] == "eu" and config.tags["team"] == "shop"


def test_a_cycle_of_bases_is_one_line(files: Files) -> None:
    files.write("a.base.yaml", "extends: b.base.yaml\n")
    files.write("b.base.yaml", "# loops back\nextends: a.base.yaml\n")

    problems = files.problems("env.yaml", "name: env\nextends: a.base.yaml\n")

    assert problems == ["b.base.yaml:2: extends: the bases form a cycle: env.yaml -> a.base.yaml -> b.base.yaml -> a.base.yaml"]


def test_an_environment_that_extends_itself_is_a_cycle(files: Files) -> None:
    (line,) = files.problems("env.yaml", "extends: env.yaml\nname: env\n")
    assert line.startswith("env.yaml:1: extends: the bases form a cycle: ")


def test_a_missing_base_is_one_line_at_the_extends(files: Files) -> None:
    problems = files.problems("env.yaml", "name: env\nextends: nothere.base.yaml\n")

    assert problems == [
        "env.yaml:2: extends: the base manifest nothere.base.yaml does not exist (the path is relative to env.yaml)"
    ]


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("- a\n- b\n", "is not a mapping of settings"),
        ("just text\n", "is not a mapping of settings"),
    ],
)
def test_a_base_that_is_not_a_mapping_is_one_line(files: Files, base: str, expected: str) -> None:
    files.write("odd.base.yaml", base)
    (line,) = files.problems("env.yaml", "extends: odd.base.yaml\n")
    assert line == f"env.yaml:1: extends: the base manifest odd.base.yaml {expected}"


@pytest.mark.parametrize("value", ["[a.yaml]", "''", "3", "null"])
def test_extends_must_name_a_file(files: Files, value: str) -> None:
    (line,) = files.problems("env.yaml", f"name: env\nextends: {value}\n")
    assert line.startswith("env.yaml:2: extends: must be the path of the base manifest, relative to this file (got ")


def test_a_broken_base_reports_its_own_yaml_error_at_its_line(files: Files) -> None:
    files.write("broken.base.yaml", "name: x\ntags: {a: 1\n")
    (line,) = files.problems("env.yaml", "extends: broken.base.yaml\n")
    assert line.startswith("broken.base.yaml:")
    assert ": yaml: " in line


def test_a_base_manifest_is_not_an_environment_of_its_own(files: Files) -> None:
    with pytest.raises(ManifestError) as raised:
        load_manifest(files.root / "shop.base.yaml")
    (line,) = raised.value.lines
    assert "this is a base manifest" in line and "use an environment that extends it" in line


def test_extends_is_read_only_at_the_top(files: Files) -> None:
    problems = files.problems("env.yaml", "extends: shop.base.yaml\nservices:\n  api:\n    extends: other.yaml\n")
    assert problems == ["env.yaml:4: services.api.extends: unknown field"]


# --- where problems point ------------------------------------------------------------------------


def test_a_bad_value_from_the_base_points_at_the_base_and_one_from_the_environment_at_the_environment(files: Files) -> None:
    files.write("bad.base.yaml", BASE.replace("    port: 80\n", "    port: 0\n"))
    problems = files.problems(
        "env.yaml",
        """\
        extends: bad.base.yaml
        name: env
        services:
          api:
            memory_mib: lots
        """,
    )

    assert problems == [
        "env.yaml:5: services.api.memory_mib: must be a whole number from 128 to 983040 (got 'lots')",
        "bad.base.yaml:11: services.api.port: must be a whole number from 1 to 65535 (got 0)",
    ]


def test_a_cross_field_rule_points_at_the_file_of_the_field_it_names(files: Files) -> None:
    # cpu 256 (base, line 12) with 4096 MiB (environment): the Fargate pair rule names memory_mib.
    problems = files.problems("env.yaml", "extends: shop.base.yaml\nservices:\n  api:\n    memory_mib: 4096\n")
    assert len(problems) == 1 and problems[0].startswith("env.yaml:4: services.api.memory_mib: ")

    problems = files.problems("env.yaml", "extends: shop.base.yaml\nservices:\n  api:\n    cpu: 2048\n")
    assert len(problems) == 1 and problems[0].startswith("shop.base.yaml:13: services.api.memory_mib: ")


def test_an_unknown_field_suggests_the_right_one_in_the_file_it_is_in(files: Files) -> None:
    files.write("typo.base.yaml", BASE + "    memroy_mib: 512\n")
    problems = files.problems("env.yaml", "extends: typo.base.yaml\nservices:\n  api:\n    cpux: 512\n")

    assert problems == [
        "env.yaml:4: services.api.cpux: unknown field: did you mean 'cpu'?",
        "typo.base.yaml:19: services.api.memroy_mib: unknown field: did you mean 'memory_mib'?",
    ]


def test_a_warning_about_a_value_from_the_base_names_the_base(files: Files) -> None:
    files.write("fs.base.yaml", BASE + "file_systems:\n  spare: {}\n")
    _, warnings = load_manifest_with_warnings(files.write("env.yaml", "extends: fs.base.yaml\nname: env\n"), {})

    assert [line.replace(f"{files.root}/", "") for line in warnings] == [
        "fs.base.yaml:20: file_systems.spare: warning: no service mounts it: it is still created (with mount targets "
        "and backups); add it to a service's volumes or remove it"
    ]


def test_a_warning_about_a_value_the_environment_adds_names_the_environment(files: Files) -> None:
    _, warnings = load_manifest_with_warnings(files.write("env.yaml", "extends: shop.base.yaml\nfile_systems: {spare: {}}\n"), {})
    assert len(warnings) == 1 and warnings[0].startswith(f"{files.root}/env.yaml:2: file_systems.spare: warning: ")


def test_a_mapping_both_files_write_belongs_to_the_environment(files: Files) -> None:
    path = files.write("env.yaml", "extends: shop.base.yaml\nservices:\n  api:\n    cpu: 512\n    memory_mib: 1024\n")

    origin = origin_of(path, ("services", "api"))
    assert origin is not None and (origin.file, origin.line) == (path, 3)
    port = origin_of(path, ("services", "api", "port"))
    assert port is not None and (port.file.name, port.line) == ("shop.base.yaml", 11)
    missing = origin_of(path, ("services", "api", "scaling", "max"))  # not written anywhere: its nearest parent
    assert missing is not None and (missing.file, missing.line) == (path, 3)


# --- paths written in a manifest -------------------------------------------------------------------

BUILT_BASE = """\
name: built
cluster:
  capacity:
    fargate: true
services:
  worker:
    kind: worker
    cpu: 256
    memory_mib: 512
    image:
      build: {context: app}
"""
"""A base whose worker is built from ``app``, a directory beside the base; the context is on line 11."""


@pytest.fixture
def apart(tmp_path: Path) -> Files:
    """The base in ``shared/base/``, the environments in ``envs/``: each directory has its own ``app`` context,
    so a context resolved against the wrong file finds the wrong Dockerfile."""
    made = Files(tmp_path)
    made.write("shared/base/built.base.yaml", BUILT_BASE)
    for where in ("shared/base", "envs"):
        made.write(f"{where}/app/Dockerfile", f"FROM scratch\nLABEL written-in={where}\n")
        made.write(f"{where}/app/Dockerfile.prod", "FROM scratch\n")
    return made


def _context(config: EnvironmentConfig, service: str = "worker", sidecar: int | None = None) -> Path:
    image = config.services[service].image if sidecar is None else config.services[service].sidecars[sidecar].image
    build = source_of(image).build
    assert build is not None
    return build_context(config, build, image_at=image_location(service, sidecar))


def test_a_build_context_written_in_a_base_is_relative_to_the_base_not_the_environment(apart: Files) -> None:
    config = apart.load("envs/prod.yaml", "extends: ../shared/base/built.base.yaml\nname: prod\n")

    assert config.source_path == apart.root / "envs" / "prod.yaml"
    assert _context(config) == (apart.root / "shared" / "base" / "app").resolve()


def test_a_dockerfile_the_environment_names_is_inside_the_context_the_base_wrote(apart: Files) -> None:
    config = apart.load(
        "envs/prod.yaml",
        "extends: ../shared/base/built.base.yaml\nservices:\n  worker:\n    image: {build: {dockerfile: Dockerfile.prod}}\n",
    )
    build = source_of(config.services["worker"].image).build
    assert build is not None
    at = image_location("worker")
    assert build_dockerfile(config, build, image_at=at) == (apart.root / "shared" / "base" / "app" / "Dockerfile.prod").resolve()


def test_a_context_the_environment_writes_is_relative_to_the_environment(apart: Files) -> None:
    config = apart.load(
        "envs/prod.yaml",
        """\
        extends: ../shared/base/built.base.yaml
        services:
          worker:
            sidecars:
              - {name: agent, image: {build: {context: app}}}
        """,
    )
    assert _context(config) == (apart.root / "shared" / "base" / "app").resolve()
    assert _context(config, sidecar=0) == (apart.root / "envs" / "app").resolve()


def test_a_missing_context_written_in_a_base_is_reported_at_the_base_with_the_path_it_resolved_to(apart: Files) -> None:
    apart.write("shared/gone.base.yaml", BUILT_BASE.replace("context: app", "context: missing"))
    problems = apart.problems("envs/prod.yaml", "extends: ../shared/gone.base.yaml\n")
    assert problems == [  # the temporary directory is left out of the resolved path too
        "shared/gone.base.yaml:11: services.worker.image.build.context: 'missing' does not exist (shared/missing): the build "
        "context is a directory, relative to the manifest file"
    ]


def test_an_env_file_written_in_a_base_is_relative_to_the_base(apart: Files) -> None:
    apart.write("shared/base/worker.env", "MODE=base\n")
    base = BUILT_BASE.replace("    image:", "    env_files: [worker.env]\n    image:", 1)
    apart.write("shared/base/files.base.yaml", base)
    config = apart.load("envs/prod.yaml", "extends: ../shared/base/files.base.yaml\n")

    written_at = ("services", "worker", "env_files", 0)
    assert config.directory_of(written_at) == apart.root / "shared" / "base"
    (apart.root / "shared" / "base" / "worker.env").unlink()
    assert [p.split(": ", 2)[:2] for p in apart.problems("envs/other.yaml", "extends: ../shared/base/files.base.yaml\n")] == [
        ["shared/base/files.base.yaml:10", "services.worker.env_files.0"]
    ]


def test_an_addon_template_written_in_a_base_is_relative_to_the_base(apart: Files) -> None:
    from tests.config.test_manifest_addons import SUPPLIED, TABLE

    apart.write("shared/base/table.yml", SUPPLIED + TABLE)
    apart.write("shared/base/addons.base.yaml", BUILT_BASE.replace("    image:", "    addons: [table.yml]\n    image:", 1))
    config = apart.load("envs/prod.yaml", "extends: ../shared/base/addons.base.yaml\n")

    path = config.path_written_at(addon_template_location("worker", 0), "table.yml")
    assert path == (apart.root / "shared" / "base" / "table.yml").resolve()
    path.unlink()
    assert [p.split(": ", 2)[:2] for p in apart.problems("envs/other.yaml", "extends: ../shared/base/addons.base.yaml\n")] == [
        ["shared/base/addons.base.yaml:10", "services.worker.addons.0"]
    ]


# --- ${NAME} ---------------------------------------------------------------------------------------


def test_variables_come_from_the_environment_and_the_built_ins(files: Files) -> None:
    config = files.load(
        "env.yaml",
        """\
        extends: shop.base.yaml
        name: ${STAGE}-shop
        tags: {owner: "${OWNER}", tier: null}
        services:
          api:
            image: public.ecr.aws/nginx/nginx:${TAG}
            environment:
              MODE: ${environment}/${service}
            secrets:
              KEY: ssm:/${environment}/${service}/key
            command: [serve, --env, "${environment}", "--name=${service}"]
        """,
        {"STAGE": "qa", "OWNER": "team-a", "TAG": "1.27.3"},
    )

    assert config.name == "qa-shop"
    assert config.tags == {"team": "shop", "owner": "team-a"}
    api = config.services["api"]
    assert str(api.image) == "public.ecr.aws/nginx/nginx:1.27.3"
    assert api.environment["MODE"] == "qa-shop/api"
    assert api.secrets["KEY"] == "ssm:/qa-shop/api/key"
    assert api.command == ["serve", "--env", "qa-shop", "--name=api"]


def test_built_ins_and_variables_reach_values_written_in_the_base(files: Files) -> None:
    files.write("vars.base.yaml", BASE.replace("MODE: base", "MODE: ${environment}-${service}-${REGION_CODE}"))
    config = files.load("env.yaml", "extends: vars.base.yaml\nname: prod\n", {"REGION_CODE": "euw1"})
    assert config.services["api"].environment["MODE"] == "prod-api-euw1"


def test_an_unset_variable_is_an_error_at_its_line_naming_it(files: Files) -> None:
    files.write("vars.base.yaml", BASE.replace("MODE: base", "MODE: ${MISSING_IN_BASE}"))
    problems = files.problems("env.yaml", "extends: vars.base.yaml\nname: env\ntags:\n  owner: ${OWNER}\n")

    assert problems == [
        "env.yaml:4: tags.owner: the variable OWNER is not set in the environment: set it (export OWNER=...) "
        "before running the command",
        "vars.base.yaml:17: services.api.environment.MODE: the variable MISSING_IN_BASE is not set in the environment: "
        "set it (export MISSING_IN_BASE=...) before running the command",
    ]


def test_dollar_dollar_brace_is_a_literal_and_a_bare_dollar_stays(files: Files) -> None:
    config = files.load(
        "env.yaml",
        "extends: shop.base.yaml\nservices:\n  api:\n    environment: {TEMPLATE: 'x-$${HOME}-$PATH-$', PRICE: 'costs $5'}\n",
    )
    assert config.services["api"].environment["TEMPLATE"] == "x-${HOME}-$PATH-$"
    assert config.services["api"].environment["PRICE"] == "costs $5"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("'${1ABC}'", "${1ABC} is not a variable: a name is letters, digits and _ (write $${ for a literal ${)"),
        ("'${}'", "${} is not a variable: a name is letters, digits and _ (write $${ for a literal ${)"),
        ("'${OPEN'", "'${' is not closed: write ${NAME}, or $${ for a literal ${"),
    ],
)
def test_a_malformed_reference_is_named(files: Files, value: str, expected: str) -> None:
    problems = files.problems("env.yaml", f"extends: shop.base.yaml\ntags:\n  x: {value}\n")
    assert problems == [f"env.yaml:3: tags.x: {expected}"]


def test_service_outside_a_service_and_environment_in_the_name_are_errors(files: Files) -> None:
    problems = files.problems("env.yaml", "extends: shop.base.yaml\nname: x-${environment}\ntags: {svc: '${service}'}\n")
    assert problems == [
        "env.yaml:2: name: ${environment} (the environment's name) cannot be used in the name itself",
        "env.yaml:3: tags.svc: ${service} is known only inside services.<name> (it is that name)",
    ]


def test_service_is_each_services_own_name_in_a_block_shared_through_a_yaml_merge_key(files: Files) -> None:
    config = files.load(
        "env.yaml",
        """\
        extends: shop.base.yaml
        services:
          api:
            environment: &common {SELF: "${service}", ENV: "${environment}"}
          admin:
            kind: worker
            image: public.ecr.aws/nginx/nginx:1.27
            cpu: 256
            memory_mib: 512
            read_only_root_filesystem: false
            environment: {<<: *common}
        """,
    )
    assert config.services["api"].environment == {"MODE": "base", "DEBUG": "1", "SELF": "api", "ENV": "shared"}
    assert config.services["admin"].environment == {"SELF": "admin", "ENV": "shared"}


def test_keys_are_not_interpolated(files: Files) -> None:
    problems = files.problems("env.yaml", "extends: shop.base.yaml\ntags: {'${OWNER}': x}\n", {"OWNER": "a"})
    assert len(problems) == 1 and problems[0].startswith("env.yaml:2: tags.${OWNER}: the key '${OWNER}' ")


def test_an_unquoted_variable_alone_reads_as_a_plain_yaml_value_and_a_quoted_one_stays_text(files: Files) -> None:
    config = files.load(
        "env.yaml",
        "extends: shop.base.yaml\nservices:\n  api:\n    count: ${COUNT}\n    environment: {SHA: '${SHA}'}\n",
        {"COUNT": "3", "SHA": "1234567"},
    )
    assert config.services["api"].count == 3
    assert config.services["api"].environment["SHA"] == "1234567"


def test_a_value_is_validated_after_interpolation_and_the_error_says_how_it_was_written(files: Files) -> None:
    problems = files.problems("env.yaml", "extends: shop.base.yaml\nservices:\n  api:\n    port: ${PORT}\n", {"PORT": "0"})
    assert problems == [
        "env.yaml:4: services.api.port: must be a whole number from 1 to 65535 (got 0) (written '${PORT}'; ${PORT} became '0')"
    ]


def test_interpolation_works_without_extends(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(BASE.replace("name: shared", "name: ${ENV_NAME}"))
    config, _ = load_manifest_with_warnings(path, {"ENV_NAME": "solo"})
    assert config.name == "solo"


def test_the_process_environment_is_read_by_default(files: Files, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERLAY_TEST_OWNER", "from-process")
    config = load_manifest(files.write("env.yaml", "extends: shop.base.yaml\ntags: {owner: '${OVERLAY_TEST_OWNER}'}\n"))
    assert config.tags["owner"] == "from-process"


# --- the shipped example and the command line ------------------------------------------------------


def test_the_shipped_store_environments_share_the_base_and_differ_where_they_say() -> None:
    staging = load_manifest(ROOT / "config" / "examples" / "store-staging.yaml")
    production = load_manifest(ROOT / "config" / "examples" / "store-production.yaml")

    assert (staging.name, production.name) == ("store-staging", "store-production")
    assert staging.tags["cost-center"] == "store-staging" and production.tags["cost-center"] == "store-production"
    web, prod_web = staging.services["web"], production.services["web"]
    assert web.route is not None and prod_web.route is not None
    assert (web.route.host, prod_web.route.host) == ("store-staging.store.example.com", "store.example.com")
    assert web.route.path == prod_web.route.path == "/*"
    assert web.secrets["SESSION_KEY"] == "ssm:/store/store-staging/web/session-key"
    assert production.services["orders"].secrets["DB_URL"] == "ssm:/store/store-production/orders/db-url"
    assert (web.cpu, prod_web.cpu) == (256, 1024)
    assert web.scaling is None and prod_web.scaling is not None and prod_web.scaling.max == 12
    assert production.services["orders"].scaling is not None and production.services["orders"].scaling.max == 20
    assert production.load_balancer is not None and production.load_balancer.certificate_arn
    assert staging.load_balancer is not None and staging.load_balancer.certificate_arn is None
    assert prod_web.environment == {"APP_ENV": "store-production", "LOG_LEVEL": "info"}


def test_python_m_ecs_toolkit_config_reads_an_overlay_and_names_the_base_file(files: Files) -> None:
    good = files.write("env.yaml", "extends: shop.base.yaml\nname: env\n")
    bad = files.write("bad.yaml", "extends: shop.base.yaml\nservices:\n  api:\n    port: 0\n")
    files.write("bad-base.base.yaml", BASE.replace("cpu: 256", "cpu: 300"))
    bad_base = files.write("bad-base.yaml", "extends: bad-base.base.yaml\n")

    ran = subprocess.run(
        [sys.executable, "-m", "ecs_toolkit.config", str(good), str(bad), str(bad_base)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )

    assert ran.returncode == 1
    lines = ran.stderr.splitlines()
    assert lines[0] == f"{bad}:4: services.api.port: must be a whole number from 1 to 65535 (got 0)"
    assert len(lines) == 2 and lines[1].startswith(f"{files.root}/bad-base.base.yaml:12: services.api.cpu: ")
