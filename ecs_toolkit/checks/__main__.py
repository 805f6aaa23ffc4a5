"""``python -m ecs_toolkit.checks``: see ``ecs_toolkit.checks.report``."""

import sys

from ecs_toolkit.checks.report import main

sys.exit(main())
