"""Manifest-driven AWS CDK constructs, stacks and operations helpers for Amazon ECS."""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

__version__ = "0.1.0"

SILENCE_NODE_END_OF_LIFE = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
CHECKOUT = Path(__file__).resolve().parents[1]
"""The checkout (or site-packages, when the package is installed elsewhere)."""


def use_project_node(root: Path = CHECKOUT, environ: MutableMapping[str, str] = os.environ) -> None:
    """Keep Node's end-of-life banner out of every command, however it is run.

    jsii (which every ``import aws_cdk`` starts) prints a large banner on stderr when the ``node`` on
    ``PATH`` is end-of-life (Node 20 on many machines). The checkout's ``node_modules/.bin`` holds the
    Node 22 that package.json pins: put it first on ``PATH``, as the Makefile does, so jsii and the CDK
    CLI that the toolkit's commands start run on it. Without that runtime (the package installed
    elsewhere), ask jsii to stay quiet about whatever Node there is. Runs on import of the package,
    before any of its modules imports ``aws_cdk``.
    """
    bin_dir = root / "node_modules" / ".bin"
    if (bin_dir / "node").exists():
        if str(bin_dir) not in environ.get("PATH", "").split(os.pathsep):
            environ["PATH"] = os.pathsep.join(part for part in (str(bin_dir), environ.get("PATH", "")) if part)
    else:
        environ.setdefault(SILENCE_NODE_END_OF_LIFE, ",".join(str(major) for major in range(12, 40)))


use_project_node()
