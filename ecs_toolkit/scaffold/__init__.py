"""``ecs-toolkit init``: write a new project that uses the installed package.

The files come from the package itself: ``files/`` holds (as links in the repository, as copies in
the wheel) this repository's own ``app.py``, ``cdk.json``, ``package.json``, example manifests and the
build contexts they name (``examples/apps/``),
so a new project gets the same composition root, CDK feature flags, CLI and Node pins and
manifests that the toolkit is tested with. Nothing is ever overwritten: if any file to be written
exists, nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from ecs_toolkit import __version__
from ecs_toolkit.config import schema

EXAMPLES = ("default", "minimal", "fargate-only", "ec2-only", "private")
"""The manifests a project can start from: ``default`` is the demo, the rest are ``config/examples/``."""
DEFAULT_ENV = "dev"
APP_COMMAND = "python3 app.py"
"""cdk.json's app command: the Python of the active virtual environment (``ecs-toolkit synth`` puts it first on PATH)."""


class InitError(Exception):
    """A project cannot be written; the message is one line."""


@dataclass(frozen=True)
class Written:
    directory: Path
    files: list[Path]
    env: str


def _files() -> Traversable:
    return resources.files(__package__).joinpath("files")


def _text(name: str) -> str:
    return _files().joinpath(name).read_text(encoding="utf-8")


def manifest_text(example: str) -> str:
    """The shipped manifest for ``example`` (one of ``EXAMPLES``)."""
    if example not in EXAMPLES:
        raise InitError(f"unknown example {example!r}: use one of {', '.join(EXAMPLES)}")
    config = _files().joinpath("config")
    source = config.joinpath("default.yaml") if example == "default" else config.joinpath("examples", f"{example}.yaml")
    return source.read_text(encoding="utf-8")


def cdk_context() -> dict[str, object]:
    """The context of the toolkit's own cdk.json: the feature flags of the pinned aws-cdk-lib, and the default config."""
    context: dict[str, object] = json.loads(_text("cdk.json"))["context"]
    return context


def _cdk_json(env: str) -> str:
    settings = json.loads(_text("cdk.json"))
    settings["app"] = APP_COMMAND
    settings["context"]["config"] = f"config/{env}.yaml"
    return json.dumps(settings, indent=2) + "\n"


def _package_json(name: str) -> str:
    settings = json.loads(_text("package.json"))
    pinned = {
        "name": name,
        "private": True,
        "description": f"The CDK CLI and Node runtime that ecs-toolkit {__version__} is tested with; run them through npx.",
        "devDependencies": settings["devDependencies"],
    }
    return json.dumps(pinned, indent=2) + "\n"


SCHEMA_LINE = "# yaml-language-server: $schema=../schema/manifest.schema.json\n"
"""First line of the project's manifest: editors find the schema ``init`` writes next to it."""


def _manifest(example: str) -> str:
    header = (
        f"# ecs-toolkit {__version__} manifest (started from the {example!r} example).\n"
        "# Every field is in the manifest reference of the ecs-toolkit docs (docs/reference/manifest.md; "
        "`ecs-toolkit schema` prints the JSON Schema). Validate with `ecs-toolkit synth`.\n"
    )
    text = manifest_text(example)
    if text.startswith("# yaml-language-server:"):  # the shipped file's line points into this repository
        text = text.split("\n", 1)[1]
    return SCHEMA_LINE + header + text


APPS = "../examples/apps/"
"""Where the shipped manifests find the build contexts of their images, relative to the manifest."""


def _apps(manifest: str) -> dict[str, str]:
    """The build contexts the manifest names (``files/apps/<name>/``), at the same place relative to it."""
    apps = _files().joinpath("apps")
    written = {}
    for app in sorted(apps.iterdir(), key=lambda item: item.name):
        if f"{APPS}{app.name}" not in manifest:
            continue
        for item in sorted(app.iterdir(), key=lambda item: item.name):
            if item.is_file():
                written[f"examples/apps/{app.name}/{item.name}"] = item.read_text(encoding="utf-8")
    return written


def _project_name(directory: Path) -> str:
    name = "".join(c if c.isalnum() else "-" for c in directory.name.lower()).strip("-")
    return name or "ecs-project"


def render(directory: Path, *, example: str = "default", env: str = DEFAULT_ENV) -> dict[str, str]:
    """Relative path -> contents of every file ``init`` writes."""
    if not env or not all(c.isalnum() or c in "-_" for c in env):
        raise InitError(f"environment name {env!r}: use letters, digits, '-' and '_'")
    substitutions = {"{version}": __version__, "{env}": env, "{name}": _project_name(directory)}

    def template(name: str) -> str:
        text = _text(name)
        for key, value in substitutions.items():
            text = text.replace(key, value)
        return text

    manifest = _manifest(example)
    return {
        "app.py": _text("app.py.template"),
        "cdk.json": _cdk_json(env),
        "package.json": _package_json(_project_name(directory)),
        "requirements.txt": template("requirements.txt.template"),
        "requirements-checkov.txt": _text("requirements-checkov.txt"),
        f"config/{env}.yaml": manifest,
        **_apps(manifest),
        "schema/manifest.schema.json": schema.render(),
        ".github/workflows/ci.yml": template("ci.yml.template"),
        ".gitignore": template("gitignore.template"),
        "README.md": template("README.md.template"),
    }


def init(directory: Path, *, example: str = "default", env: str = DEFAULT_ENV) -> Written:
    """Write a new project into ``directory`` (created if missing); refuse, writing nothing, if any file exists."""
    contents = render(directory, example=example, env=env)
    if directory.exists() and not directory.is_dir():
        raise InitError(f"{directory} exists and is not a directory")
    existing = [name for name in contents if (directory / name).exists()]
    if existing:
        raise InitError(f"{directory / existing[0]} already exists: init never overwrites a file (nothing written)")
    written = []
    for name, text in contents.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return Written(directory=directory, files=written, env=env)


def next_steps(result: Written) -> list[str]:
    where = result.directory
    lines = [f"wrote {len(result.files)} files into {where}:"]
    lines += [f"  {path.relative_to(where)}" for path in result.files]
    lines += [
        "next:",
        *([f"  cd {where}"] if where.resolve() != Path.cwd().resolve() else []),
        "  python3 -m venv .venv && . .venv/bin/activate && pip install -r requirements.txt",
        "  npm install                      # the pinned CDK CLI and Node runtime",
        f"  ecs-toolkit synth                # validates config/{result.env}.yaml, writes cdk.out/",
        "  ecs-toolkit check && ecs-toolkit verify && ecs-toolkit plan",
        f"  npx cdk deploy --all -c config=config/{result.env}.yaml",
    ]
    return lines
