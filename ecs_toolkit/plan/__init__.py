"""The plan report: rollout time, cost, EC2 packing and stack size, read from synthesized templates.

Nothing here imports ``aws_cdk``: the templates come from a cloud assembly on disk (synthesized by
the pinned CDK CLI when needed) and the manifest model supplies the names.
"""

from ecs_toolkit.plan.cli import DESCRIPTION, add_arguments, main, run

__all__ = ["DESCRIPTION", "add_arguments", "main", "run"]
