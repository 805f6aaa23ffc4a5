"""``ecs-toolkit import-copilot``: an AWS Copilot workspace as one toolkit manifest per environment.

Modules: ``reading`` (the workspace and its YAML with line numbers), ``overrides`` (``environments.<env>``),
``services`` and ``environment`` (the field mapping), ``schedules`` (Copilot schedules in EventBridge syntax),
``fields`` (the table of every Copilot field and what it becomes), ``importing`` (the whole import and the report).
"""

from __future__ import annotations

from ecs_toolkit.copilot.importing import Imported, import_workspace, render
from ecs_toolkit.copilot.reading import ImportError_

__all__ = ["ImportError_", "Imported", "import_workspace", "render"]
