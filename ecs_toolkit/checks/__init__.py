"""The compliance gates run by `make check` and the compliance tests.

- ``nag``: cdk-nag findings before and after acknowledgement, and the acknowledgements themselves;
- ``lint``: cfn-lint over the synthesized templates, with the only list of ignored rules;
- ``checkov``: checkov (in its own venv) over a directory of templates;
- ``hardening``: container hardening rules over the templates' task definitions;
- ``inventory``: every ``acknowledge`` / ``skip_checkov`` call in the source, for the compliance page of the docs;
- ``report``: the runner behind ``python -m ecs_toolkit.checks``.

Only ``nag`` and ``report`` import aws_cdk; the rest read template JSON and source files.
"""
