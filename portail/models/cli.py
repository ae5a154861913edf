"""The CLI space: summaries shared with each district's CLI (SPEC §4, §7)."""
from portail.acl.root import cli_acl
from portail.models.container import Container


class CliSpace(Container):
    """The ``/cli`` folder: one sub-folder per district."""

    __acl__ = cli_acl()
