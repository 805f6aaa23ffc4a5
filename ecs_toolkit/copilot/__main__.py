"""``python -m ecs_toolkit.copilot [--write] PAGE``: check (or rewrite) the guide's table of Copilot fields."""

from __future__ import annotations

import sys

from ecs_toolkit.copilot.fields import main

raise SystemExit(main(sys.argv[1:]))
