"""`flask pii-scan`: the personal-data guard over JSON Lines, for batch checks.

Registered as a Flask CLI plugin (an entry point in setup.cfg) rather than on the app, so Flask
runs it without building the application: it needs the detector and nothing else.
"""

import sys

import click

from panel.core.anonymise import SCRUTINY_PREFIX, scan_lines


@click.command("pii-scan")
@click.option(
    "--own-prefix",
    "own_prefixes",
    multiple=True,
    help="A prefix of Panel's own references besides ISP (e.g. CHCP), never flagged.",
)
def pii_scan_command(own_prefixes: tuple[str, ...]) -> None:
    """Read JSON Lines {"id", "text"} on standard input; write {"id", "spans"} for each line,
    with the findings of exactly the detector the forms use."""
    scan_lines(sys.stdin, sys.stdout, (SCRUTINY_PREFIX, *own_prefixes))
