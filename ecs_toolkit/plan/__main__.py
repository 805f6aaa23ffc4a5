"""``python -m ecs_toolkit.plan``."""

from ecs_toolkit.plan.cli import main

raise SystemExit(main())
