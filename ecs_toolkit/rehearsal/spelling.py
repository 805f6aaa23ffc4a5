"""A task definition's CloudFormation properties in the ECS API's spelling.

CloudFormation spells the ECS API's fields in PascalCase (``LinuxParameters.Capabilities.Add`` is
``linuxParameters.capabilities.add``), with a few names spelled differently (``EFSVolumeConfiguration``,
``FilesystemId``, ``IAM``). The keys of free-form maps (log and FireLens options, Docker labels, a
Docker volume's driver options and labels) are the user's own and stay as written; so do intrinsic
functions, which the rehearsal resolves afterwards. The emulator work-around registers task
definitions in this spelling, and the task-definition check compares in it: a key spelled wrongly
here is one the ECS API does not return, so the check fails rather than passes.
"""

from __future__ import annotations

from typing import Any

RENAMED = {
    "EFSVolumeConfiguration": "efsVolumeConfiguration",
    "FSxWindowsFileServerVolumeConfiguration": "fsxWindowsFileServerVolumeConfiguration",
    "FilesystemId": "fileSystemId",
    "IAM": "iam",
}
"""CloudFormation names that are not the API's name with its first letter capitalised."""
FREE_FORM = frozenset({"options", "dockerLabels", "driverOpts", "labels"})
"""API fields that hold a map of the user's own keys."""


def api_spelling(value: Any) -> Any:
    """``value`` (task definition properties or a part of them) with every schema key in the ECS API's spelling."""
    if isinstance(value, list):
        return [api_spelling(item) for item in value]
    if not isinstance(value, dict) or is_intrinsic(value):
        return value
    spelled: dict[str, Any] = {}
    for key, item in value.items():
        name = api_name(key)
        spelled[name] = dict(item) if name in FREE_FORM and isinstance(item, dict) else api_spelling(item)
    return spelled


def api_name(key: str) -> str:
    """One CloudFormation property name in the ECS API's spelling."""
    return RENAMED.get(key, key[:1].lower() + key[1:])


def is_intrinsic(value: dict[str, Any]) -> bool:
    """Whether a mapping is an intrinsic function (``Ref``, ``Fn::...``, ``Condition``) rather than properties."""
    if len(value) != 1:
        return False
    (key,) = value
    return key in ("Ref", "Condition") or key.startswith("Fn::")
