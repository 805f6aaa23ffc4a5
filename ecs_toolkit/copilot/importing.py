"""Import a Copilot workspace for one environment: read, apply overrides, map, report."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, TaggedScalar

from ecs_toolkit.copilot.environment import map_environment
from ecs_toolkit.copilot.overrides import apply_overrides
from ecs_toolkit.copilot.reading import ImportError_, Located, Workspace, open_workspace, read_located
from ecs_toolkit.copilot.services import KINDS, UNSUPPORTED, Context, map_service, toolkit_name
from ecs_toolkit.copilot.tracking import Fields, Note

INBOUND_KINDS = ("web", "backend")
_OTHER_BUILTIN = re.compile(r"\$\{(COPILOT_[A-Z_]+)\}")


@dataclass
class Imported:
    """The toolkit manifest of one environment and the report of what was not carried over."""

    manifest: dict[str, Any]
    header: list[Note] = field(default_factory=list)
    """Notes on the workspace and the environment."""
    by_service: dict[str, list[Note]] = field(default_factory=dict)
    """Notes on each imported or skipped service, by its Copilot name."""
    schema: str | None = None
    """The project's ``schema/manifest.schema.json`` relative to the written manifest, when there is one above it."""

    @property
    def notes(self) -> list[Note]:
        return [*self.header, *(note for notes in self.by_service.values() for note in notes)]


def import_workspace(directory: Path, environment: str, output: Path) -> Imported:
    """Read the workspace at ``directory`` and map it for ``environment``; paths relative to ``output``'s folder.

    Raises ``ImportError_`` (one ``file:line: message`` per problem) when a manifest is missing or malformed, or when
    no service can be imported.
    """
    workspace = open_workspace(directory)
    env_path = workspace.root / "copilot" / "environments" / environment / "manifest.yml"
    if not env_path.is_file():
        known = ", ".join(workspace.environments) or "none"
        raise ImportError_([f"{workspace.show(env_path)}: not found: the workspace's environments are {known}"])
    errors: list[str] = []
    try:
        env_located: Located | None = read_located(env_path, workspace.show(env_path))
    except ImportError_ as error:
        errors.extend(error.lines)
        env_located = None
    manifests: dict[str, Located] = {}
    for name, path in workspace.services.items():
        if not path.is_file():
            errors.append(f"{workspace.show(path)}: not found: every folder under copilot/ is a service with a manifest.yml")
            continue
        try:
            manifests[name] = read_located(path, workspace.show(path))
        except ImportError_ as error:
            errors.extend(error.lines)
    if errors or env_located is None:
        raise ImportError_(errors)
    ctx = Context(
        root=workspace.root,
        output_dir=output.parent,
        application=workspace.application,
        environment=environment,
        certificate=_public_certificate(env_located),
    )
    imported = Imported(manifest={}, schema=_schema(output))
    services: dict[str, dict[str, Any]] = {}
    for name, located in manifests.items():
        notes: list[Note] = []
        imported.by_service[name] = notes
        copilot_type = located.data.get("type")
        file, line = located.origin(("type",))
        if copilot_type in UNSUPPORTED:
            notes.append(Note(file, line, "type", f"{copilot_type}: not imported: {UNSUPPORTED[copilot_type]}"))
            continue
        kind = KINDS.get(str(copilot_type))
        if kind is None:
            known = ", ".join([*KINDS, *UNSUPPORTED])
            notes.append(Note(file, line, "type", f"{copilot_type!r}: not imported: not a Copilot service type ({known})"))
            continue
        merged = apply_overrides(located, environment)
        fields = Fields(merged, "service")
        _environments_note(fields, located, environment)
        service = map_service(name, kind, fields, ctx)
        addons = _addons(workspace, name, ctx, fields)
        if addons:
            service["addons"] = addons
        service = _interpolated(service, ctx, fields)
        fields.leftovers()
        key = toolkit_name(name)
        if key != name:
            fields.note(("name",), f"converted: the service is named {key} (toolkit names are lower-case with hyphens)")
        notes.extend(sorted(fields.notes, key=lambda n: n.line))
        services[key] = service
    if not services:
        lines = [str(note) for notes in imported.by_service.values() for note in notes]
        raise ImportError_([*lines, f"{workspace.shown}: nothing to import: no service of a supported type ({', '.join(KINDS)})"])
    env_fields = Fields(env_located, "environment")
    needs_load_balancer = any("route" in s for s in services.values())
    settings = map_environment(env_fields, needs_load_balancer=needs_load_balancer)
    env_fields.leftovers()
    _one_queue_kind(services, imported)
    _connections(services, workspace, imported)
    file_systems = _file_systems(services)
    app_file, app_line = workspace.application_line
    settings["cluster"]["namespace"] = f"{environment}.{workspace.application}.local"
    imported.header.append(
        Note(
            app_file,
            app_line,
            "application",
            f"converted: services keep their Copilot names in Cloud Map (<service>.{environment}.{workspace.application}"
            ".local, cluster.namespace); resources are tagged copilot-application",
        )
    )
    imported.header.append(
        Note(
            app_file,
            app_line,
            "COPILOT_*",
            "not carried over: Copilot set COPILOT_APPLICATION_NAME, COPILOT_ENVIRONMENT_NAME, COPILOT_SERVICE_NAME, "
            "COPILOT_SERVICE_DISCOVERY_ENDPOINT, COPILOT_LB_DNS, COPILOT_SNS_TOPIC_ARNS and COPILOT_QUEUE_URI in every "
            "container; the toolkit sets QUEUE_URL (workers), TOPICS and <TOPIC>_TOPIC_ARN (publishers): read those, "
            "or add the others to a service's environment (the discovery endpoint is "
            f"{environment}.{workspace.application}.local)",
        )
    )
    imported.header.extend(sorted(env_fields.notes, key=lambda n: n.line))
    _workspace_extras(workspace, imported)
    manifest: dict[str, Any] = {"name": environment, "tags": {"copilot-application": workspace.application}}
    manifest.update(settings)
    if file_systems:
        manifest["file_systems"] = file_systems
    manifest["services"] = services
    imported.manifest = manifest
    return imported


def _public_certificate(environment: Located) -> str | None:
    """The environment's first public certificate, which Copilot's NLB TLS listeners use."""
    http = environment.data.get("http")
    public = http.get("public") if isinstance(http, dict) else None
    certificates = public.get("certificates") if isinstance(public, dict) else None
    if isinstance(certificates, list) and certificates and isinstance(certificates[0], str):
        return certificates[0]
    return None


def _schema(output: Path) -> str | None:
    """The manifest schema of the project the output lands in (``schema/manifest.schema.json`` in a folder above)."""
    folder = output.parent.resolve()
    for candidate in (folder, *folder.parents):
        found = candidate / "schema" / "manifest.schema.json"
        if found.is_file():
            return Path(os.path.relpath(found, folder)).as_posix()
    return None


def _environments_note(fields: Fields, located: Located, environment: str) -> None:
    sections = located.data.get("environments")
    if not isinstance(sections, dict):
        return
    fields.used.add(("environments",))
    others = sorted(str(name) for name in sections if name != environment)
    applied = f"the overrides of {environment} are applied" if environment in sections else f"none is for {environment}"
    rest = f"; those of {', '.join(others)} belong to other environments (import each with --env)" if others else ""
    fields.note(("environments",), f"converted: {applied}{rest}")


def _addons(workspace: Workspace, name: str, ctx: Context, fields: Fields) -> list[Any]:
    folder = workspace.root / "copilot" / name / "addons"
    if not folder.is_dir():
        return []
    templates = sorted(
        p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.stem != "addons.parameters" and p.is_file()
    )
    parameters: dict[str, Any] = {}
    for candidate in ("addons.parameters.yml", "addons.parameters.yaml"):
        path = folder / candidate
        if path.is_file():
            parameters = _addon_parameters(path, workspace, fields)
    entries: list[Any] = []
    for template in templates:
        relative = ctx.path(template.relative_to(workspace.root).as_posix())
        entries.append({"template": relative, "parameters": dict(parameters)} if parameters else relative)
    return entries


def _addon_parameters(path: Path, workspace: Workspace, fields: Fields) -> dict[str, Any]:
    shown = workspace.show(path)
    try:
        document = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except Exception as error:  # a parameters file is CloudFormation-flavoured YAML: any failure is one note
        fields.notes.append(Note(shown, 1, "Parameters", f"not carried over: cannot read the file ({type(error).__name__})"))
        return {}
    values = document.get("Parameters") if isinstance(document, dict) else None
    out: dict[str, Any] = {}
    if not isinstance(values, dict):
        return out
    for key, value in values.items():
        line = values.lc.key(key)[0] + 1 if hasattr(values, "lc") else 1
        if isinstance(value, str | int | float) and not isinstance(value, TaggedScalar | bool):
            out[str(key)] = str(value)
        else:
            fields.notes.append(
                Note(
                    shown,
                    line,
                    f"Parameters.{key}",
                    "not carried over: a CloudFormation expression of Copilot's service stack; the toolkit supplies "
                    "App, Env and Name, give other parameters as plain values",
                )
            )
    return out


def _interpolated(value: Any, ctx: Context, fields: Fields) -> Any:
    if isinstance(value, dict):
        return {k: _interpolated(v, ctx, fields) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolated(v, ctx, fields) for v in value]
    if isinstance(value, str):
        text = ctx.text(value)
        for match in _OTHER_BUILTIN.finditer(text):
            fields.note(
                ("name",),
                f"not carried over: ${{{match[1]}}} is a Copilot deploy-time variable the toolkit does not set: write "
                "the value, or export it in the environment that runs synth",
            )
        return text
    return value


def _one_queue_kind(services: dict[str, dict[str, Any]], imported: Imported) -> None:
    """A worker's one queue is FIFO or standard: keep the topics of its Copilot default queue's kind, report the rest.

    Copilot gives a topic its own queue (``subscribe.topics[].queue``), so one worker may receive FIFO and standard
    topics; the toolkit's worker has one queue, and FIFO topics deliver to FIFO queues only.
    """
    names = {toolkit_name(name): name for name in imported.by_service}
    for key, service in services.items():
        fifo_queue = bool(service.pop("_fifo_queue", False))
        subscribe = service.get("subscribe")
        if subscribe is None:
            continue
        topics = subscribe["topics"]
        kinds = [_topic_is_fifo(services, topic) for topic in topics]
        keep = fifo_queue if fifo_queue in kinds else not fifo_queue
        kept = []
        for topic, kind in zip(topics, kinds, strict=True):
            file, line, dotted = topic.pop("_origin")
            if kind is None or kind == keep:
                kept.append(topic)
                continue
            this, other = ("FIFO", "standard") if kind else ("standard", "FIFO")
            imported.by_service[names[key]].append(
                Note(
                    file,
                    line,
                    dotted,
                    f"not carried over: {topic['service']}.{topic['topic']} is a {this} topic and this worker's queue "
                    f"is {other} (a worker has one queue; FIFO topics deliver to FIFO queues only): make another "
                    "worker that subscribes to it",
                )
            )
        subscribe["topics"] = kept
        imported.by_service[names[key]].sort(key=lambda note: note.line)


def _topic_is_fifo(services: dict[str, dict[str, Any]], topic: dict[str, Any]) -> bool | None:
    """Whether the subscribed topic is FIFO, or ``None`` when its publisher or topic is not in the workspace."""
    publisher = services.get(toolkit_name(topic["service"]))
    for published in (publisher or {}).get("publish", []):
        if published["name"] == topic["topic"]:
            return bool(published.get("fifo", False))
    return None


def _connections(services: dict[str, dict[str, Any]], workspace: Workspace, imported: Imported) -> None:
    """Copilot's implicit reachability as explicit ``connects_to``: every service to every web and backend with a port."""
    callees = [name for name, s in services.items() if s["kind"] in INBOUND_KINDS and "port" in s]
    if not callees:
        return
    for name, service in services.items():
        targets = [callee for callee in callees if callee != name]
        if targets:
            service["connects_to"] = targets
    for callee in callees:
        service = services[callee]
        if service["kind"] == "web" and "discovery" not in service:
            service["discovery"] = {"name": callee}
    file, line = workspace.application_line
    imported.header.append(
        Note(
            file,
            line,
            "connects_to",
            "converted: in Copilot every service of an environment reaches every other (Service Connect and Cloud Map); "
            f"each service now declares connects_to every web and backend service with a port ({', '.join(callees)}): "
            "remove the ones it does not call, so that only real callers are let in",
        )
    )


def _file_systems(services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, service in services.items():
        for volume, spec in service.pop("_file_systems", {}).items():
            key = volume
            if key in found and (found[key] != spec or not spec):
                key = toolkit_name(f"{name}-{volume}")
                service["volumes"][key] = service["volumes"].pop(volume)
            found[key] = spec
    return found


def _workspace_extras(workspace: Workspace, imported: Imported) -> None:
    copilot = workspace.root / "copilot"
    extras = {
        copilot / "environments" / "addons": "environment addons are not imported: add their resources to a service's "
        "addons, or deploy them as a stack of their own",
        copilot / "pipelines": "pipelines are not imported: run ecs-toolkit synth and cdk deploy from your CI",
    }
    for path, why in extras.items():
        if path.is_dir():
            imported.header.append(Note(workspace.show(path), 1, path.name, f"not carried over: {why}"))


def render(imported: Imported, *, command: str) -> str:
    """The manifest as YAML, with the report's lines as comments: the workspace's on top, each service's above it."""
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    document = _commented(imported.manifest)
    header = [f"Imported from AWS Copilot by `{command}`.", "What was not carried over, and what changed:"]
    if imported.schema is not None:
        header.insert(0, f"yaml-language-server: $schema={imported.schema}")
    header += [f"  {note}" for note in imported.header] or ["  (nothing at the environment level)"]
    document.yaml_set_start_comment("\n".join(header))
    services = document["services"]
    for name, notes in imported.by_service.items():
        key = toolkit_name(name)
        if key in services and notes:
            services.yaml_set_comment_before_after_key(key, before="\n".join(str(n) for n in notes), indent=2)
    skipped = [n for name, notes in imported.by_service.items() if toolkit_name(name) not in services for n in notes]
    if skipped:
        document.yaml_set_comment_before_after_key("services", before="Skipped:\n" + "\n".join(f"  {n}" for n in skipped))
    from io import StringIO

    buffer = StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


def _commented(value: Any) -> Any:
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _commented(item)
        return mapping
    if isinstance(value, list):
        return [_commented(item) for item in value]
    return value
