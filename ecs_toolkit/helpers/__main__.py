"""``python -m ecs_toolkit.helpers``: the ``ecs-toolkit`` command."""

from ecs_toolkit.helpers.cli import main

raise SystemExit(main())
