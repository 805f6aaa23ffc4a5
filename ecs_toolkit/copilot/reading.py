"""Read a Copilot workspace: the application name, the service manifests and the environment manifest, each with
the line of every value (ruamel's round-trip positions), so the report can point at them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ecs_toolkit.config.loader import ManifestError, read_document

FieldPath = tuple[str, ...]
"""A value's place in a manifest: mapping keys and list positions (as strings)."""


class ImportError_(Exception):
    """Problems that stop the import; ``lines`` are ``file:line: message``."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class Located:
    """A manifest's values as plain data, with the file and line each value came from."""

    data: dict[str, Any]
    origins: dict[FieldPath, tuple[str, int]]
    file: str
    """The file shown for the manifest as a whole."""

    def origin(self, path: FieldPath) -> tuple[str, int]:
        """File and line of ``path`` or, when it has none, of its nearest parent that has one."""
        for length in range(len(path), 0, -1):
            found = self.origins.get(path[:length])
            if found is not None:
                return found
        return self.file, 1


def plain_with_origins(node: Any, file: str, prefix: FieldPath = ()) -> tuple[Any, dict[FieldPath, tuple[str, int]]]:
    """Round-trip YAML to plain dicts and lists, plus the line of every key and list item below ``prefix``."""
    origins: dict[FieldPath, tuple[str, int]] = {}

    def walk(value: Any, path: FieldPath) -> Any:
        if isinstance(value, CommentedMap):
            out: dict[str, Any] = {}
            for key, item in value.items():
                here = (*path, str(key))
                line = value.lc.key(key)[0] + 1 if key in value.lc.data else value.lc.line + 1
                origins[here] = (file, line)
                out[str(key)] = walk(item, here)
            return out
        if isinstance(value, CommentedSeq):
            items = []
            for index, item in enumerate(value):
                here = (*path, str(index))
                origins[here] = (file, value.lc.item(index)[0] + 1)
                items.append(walk(item, here))
            return items
        return value

    return walk(node, prefix), origins


def read_located(path: Path, shown: str) -> Located:
    """One YAML file as ``Located``; a parse failure is ``ImportError_`` with one ``file:line: message`` line."""
    try:
        document = read_document(path)
    except ManifestError as error:
        raise ImportError_([line.replace(str(path), shown, 1) for line in error.lines]) from None
    data, origins = plain_with_origins(document, shown)
    return Located(data=data, origins=origins, file=shown)


@dataclass
class Workspace:
    """A Copilot workspace on disk."""

    root: Path
    """The folder that holds ``copilot/``: Copilot's paths (build contexts, env files) are relative to it."""
    shown: str
    """``root`` as the user wrote it, for the report."""
    application: str
    application_line: tuple[str, int]
    services: dict[str, Path] = field(default_factory=dict)
    """Service name (folder) -> its manifest.yml."""
    environments: list[str] = field(default_factory=list)

    def show(self, path: Path) -> str:
        relative = path.relative_to(self.root).as_posix()
        return relative if self.shown in ("", ".") else f"{self.shown.rstrip('/')}/{relative}"


def open_workspace(directory: Path) -> Workspace:
    """Find ``copilot/`` (``directory`` itself or its ``copilot`` folder) and read ``.workspace``."""
    copilot = directory / "copilot" if (directory / "copilot").is_dir() else directory
    if not (copilot / ".workspace").is_file():
        raise ImportError_(
            [f"{directory}: not a Copilot workspace: no copilot/.workspace here (give the folder that holds copilot/)"]
        )
    root = copilot.parent
    shown = str(directory if copilot == directory / "copilot" else directory.parent)
    workspace = Workspace(root=root, shown=shown, application="", application_line=("", 1))
    located = read_located(copilot / ".workspace", workspace.show(copilot / ".workspace"))
    application = located.data.get("application")
    if not isinstance(application, str) or not application:
        raise ImportError_([f"{located.file}:1: application: missing: .workspace names the application (application: NAME)"])
    workspace.application = application
    workspace.application_line = located.origin(("application",))
    for child in sorted(copilot.iterdir()):
        if not child.is_dir() or child.name in ("environments", "pipelines") or child.name.startswith("."):
            continue
        workspace.services[child.name] = child / "manifest.yml"
    environments = copilot / "environments"
    if environments.is_dir():
        workspace.environments = sorted(
            p.name for p in environments.iterdir() if p.is_dir() and p.name != "addons" and not p.name.startswith(".")
        )
    return workspace
