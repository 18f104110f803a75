"""`flask pii-scan`: the personal-data guard over JSON Lines, for batch checks.

Registered as a Flask CLI plugin (an entry point in setup.cfg) rather than on the app, so Flask
runs it without building the application: it needs the detector and nothing else.
"""

import sys

import click

from panel.anonymise import scan_lines


@click.command("pii-scan")
def pii_scan_command() -> None:
    """Read JSON Lines {"id", "text"} on standard input; write {"id", "spans"} for each line,
    with the findings of exactly the detector the forms use."""
    scan_lines(sys.stdin, sys.stdout)
