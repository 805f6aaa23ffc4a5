import sys

from ecs_toolkit.verify.cli import main

sys.exit(main())
