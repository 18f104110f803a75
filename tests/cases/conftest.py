"""Fixtures for case reviews: a scrutiny panel with one person in each role, who (except the
reader, who never sees case material) have accepted its confidentiality agreement."""

from __future__ import annotations

import pytest

from panel.cases.agreement import services as agreement
from panel.panels.models import PanelKind, Role
from tests import factories
from tests.conftest import PanelPeople


@pytest.fixture
def isp(db) -> PanelPeople:
    return scrutiny_panel_people()


def scrutiny_panel_people() -> PanelPeople:
    """What `isp` gives, for a fixture of wider scope (in an application context)."""
    panel = factories.panel(
        "West Midlands Independent Scrutiny Panel", PanelKind.SCRUTINY_PANEL, "West Midlands"
    )
    cps = factories.organisation("CPS West Midlands")
    found = {}
    for role, name in [
        (Role.CHAIR, "Harriet Lang"),
        (Role.COORDINATOR, "Imran Sadiq"),
        (Role.MEMBER, "Joe Barker"),
        (Role.READER, "Yusuf Ali"),
    ]:
        person = factories.user(
            email=f"isp.{role.value}@example.org", full_name=name, organisation_=cps
        )
        factories.membership(panel, person, role)
        if role != Role.READER:
            agreement.accept(person, panel)
        found[role.value] = person
    return PanelPeople(
        panel=panel,
        admin=factories.user(email="isp.admin@example.org", is_admin=True),
        outsider=factories.user(email="isp.outsider@example.org"),
        **found,
    )
