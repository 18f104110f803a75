"""`python -m tests.load.profile` (README, "Performance"), run once on the demo data on SQLite for
one page: the demo accounts sign in through the real forms, their pages are found, and the page is
profiled. A smoke test of the tool; nothing here is timed."""

from __future__ import annotations

import re

import pytest

from panel import create_app
from panel.core import unit_of_work
from panel.demo import load_demo_data
from panel.extensions import db
from tests import databases
from tests.load import profile


@pytest.fixture
def demo_database(tmp_path, monkeypatch):
    """A SQLite file with the demo data, and the instance folder holding its data key."""
    monkeypatch.setenv("PANEL_INSTANCE_PATH", str(tmp_path / "instance"))
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ARGON2_PROFILE": "CHEAPEST"})
    databases.build(app)
    with app.app_context():
        load_demo_data()
        unit_of_work.commit()
        db.engine.dispose()
    return url


def test_profile_reports_time_sql_templates_and_functions_for_a_page(demo_database, capsys):
    # Three requests, not one: the first pays once for what the ORM prepares on first use, which
    # on a busy machine could outweigh the view itself in the list of functions.
    assert (
        profile.main(
            ["--database", demo_database, "--page", "panel", "--repeat", "3", "--role", "reader"]
        )
        == 0
    )
    out = capsys.readouterr().out
    heading = re.search(
        r"^panel: 3 requests over \d+ addresses\n"
        r"  mean [\d.]+ ms \(p50 [\d.]+, max [\d.]+; CPU [\d.]+\); "
        r"SQL ([\d.]+) statements, [\d.]+ ms; templates ([\d.]+) ms$",
        out,
        re.MULTILINE,
    )
    assert heading, out
    assert float(heading.group(1)) > 0 and float(heading.group(2)) > 0
    assert re.search(r"^  [\d,]+ function calls per request; top functions", out, re.MULTILINE)
    functions = out.split("(cProfile):\n", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert len(functions) == profile.TOP
    assert any("panel/panels/views.py" in line for line in functions), functions
    summary = out.rstrip().splitlines()
    assert summary[-2].split() == ["page", "mean", "ms", "p50", "ms", "CPU", "ms", "queries",
                                   "SQL", "ms", "templates", "ms", "calls"]  # fmt: skip
    assert summary[-1].startswith("panel ")


def test_profile_refuses_a_page_the_load_test_does_not_have(capsys):
    with pytest.raises(SystemExit):
        profile.main(["--database", "sqlite://", "--page", "nowhere"])
    assert "no such page: nowhere" in capsys.readouterr().err
