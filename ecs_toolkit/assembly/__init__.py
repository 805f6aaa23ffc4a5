"""One reader of a synthesized cloud assembly, shared by ``plan``, the rehearsal and ``verify``.

``load_assembly(directory)`` reads every stack of ``cdk.out`` (in deployment order) and
``Assembly.resolve`` follows ``Ref``, ``Fn::GetAtt``, ``Fn::ImportValue`` (through the exporting
stack's output), ``Fn::Join``, ``Fn::Sub``, ``Fn::Select`` and ``Fn::Split`` as far as offline
knowledge allows; what only a deployment knows stays a token (``ResourceRef``, ``Attribute``,
``Pseudo``) or ``Unknown`` with the reason. Nothing here imports CDK.
"""

from ecs_toolkit.assembly.intrinsics import Attribute, Composite, Intrinsics, Pseudo, ResourceRef, Unknown
from ecs_toolkit.assembly.reader import Assembly, AssemblyError, Resource, Stack, load_assembly, render

__all__ = [
    "Assembly",
    "AssemblyError",
    "Attribute",
    "Composite",
    "Intrinsics",
    "Pseudo",
    "Resource",
    "ResourceRef",
    "Stack",
    "Unknown",
    "load_assembly",
    "render",
]
