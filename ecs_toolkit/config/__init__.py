"""The manifest: models, derived values and the loader with file:line errors (no CDK here)."""

from ecs_toolkit.config.loader import ManifestError, load_manifest, load_manifest_with_warnings
from ecs_toolkit.config.models import EnvironmentConfig, ServiceConfig

__all__ = ["EnvironmentConfig", "ManifestError", "ServiceConfig", "load_manifest", "load_manifest_with_warnings"]
