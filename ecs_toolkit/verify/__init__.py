"""``verify``: prove offline, from the synthesized templates, that an environment works.

Every intended network path (load balancer to tasks on traffic and health-check ports, declared
caller to callee, tasks to their file systems, tasks and instances to the AWS APIs they need) is
OPEN, every permission a task needs is granted to the right role, and no security group admits
anything that no intended path needs. Nothing here imports CDK or calls AWS.
"""

from ecs_toolkit.verify.cli import DESCRIPTION, add_arguments, main, run
from ecs_toolkit.verify.findings import Finding
from ecs_toolkit.verify.proof import verify

__all__ = ["DESCRIPTION", "Finding", "add_arguments", "main", "run", "verify"]
