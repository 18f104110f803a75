"""Every domain package has the same shape (README, "Layout"): one module per role, and a
sub-concept that outgrows a file becomes a sub-package of the same shape. A newcomer who has read
one package knows where everything is in the others."""

from __future__ import annotations

from pathlib import Path

import panel

PANEL = Path(panel.__file__).parent
DOMAINS = (
    "accounts",
    "admin",
    "cases",
    "insight",
    "interventions",
    "lessons",
    "meetings",
    "minutes",
    "panels",
)

# The role a module may play in a domain package, by its name.
ROLES = frozenset(
    {
        "__init__",
        "models",  # tables and their enumerations
        "forms",  # WTForms
        "views",  # the blueprint: parse, call one service, respond
        "services",  # every change of state: permission, write, audit, notify
        "queries",  # read models for pages
        # a document frozen for the record: its schema (with a version), how it is assembled, and
        # what readers may see
        "document",
        "cli",
        "pdf",
        "demo",  # the package's part of `flask demo-data`
        "export",  # CSV
        "reminders",  # its source of reminder e-mails
        "matters",  # its source of matters arising
        "retention",  # its rules for `flask apply-retention`: what is due, and how it is deleted
        "notifications",  # e-mail it sends when something changes
        "lifecycle",  # the states an item moves through, and the moves allowed
        "vocabularies",  # the controlled lists from domain.md
        "measures",  # what a published figure is: counts suppressed below 5, rates, periods
        "charts",  # the geometry of server-drawn charts, so that templates only draw
        "snapshots",  # read models stored as worked out, served for a while instead of again
    }
)


def _modules() -> list[str]:
    found = []
    for domain in DOMAINS:
        for path in sorted((PANEL / domain).rglob("*.py")):
            found.append(path.relative_to(PANEL).as_posix())
    return found


def test_every_module_in_a_domain_package_plays_a_named_role():
    unshaped = [module for module in _modules() if Path(module).stem not in ROLES]
    assert unshaped == [], "name each module after its role, or make it a sub-package"


def test_each_sub_package_has_pages_of_its_own_on_its_own_blueprint(app):
    # Routes are never attached to another package's blueprint by importing a module.
    for domain in DOMAINS:
        for sub_package in (PANEL / domain).iterdir():
            if (sub_package / "__init__.py").exists():
                assert sub_package.name in app.blueprints, sub_package
                assert (sub_package / "views.py").exists(), sub_package


def test_every_table_is_defined_in_a_models_module(app):
    # A newcomer looking for a domain's table opens models.py of its package, and finds it there.
    # (Core plumbing is one module per concern: the audit trail keeps its tables in audit.py.)
    from panel.extensions import db

    domains = tuple(f"panel.{domain}." for domain in DOMAINS)
    outside = [
        f"{mapper.class_.__module__}.{mapper.class_.__name__}"
        for mapper in db.Model.registry.mappers
        if mapper.class_.__module__.startswith(domains)
        and not mapper.class_.__module__.endswith(".models")
    ]
    assert outside == []
