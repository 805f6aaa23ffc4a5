"""Manifest-driven AWS CDK constructs, stacks and operations helpers for Amazon ECS."""

__version__ = "0.1.0"
