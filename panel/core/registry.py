"""The seams between domains: how one domain adds to what another shows or does, without either
importing the other to get it.

A meeting lists matters arising from lessons and interventions; the daily reminder gathers what
is due from every domain; retention deletes each domain's case detail by that domain's rules;
templates use each domain's enumerations and display helpers; the guard leaves Panel's own case
references alone. Each of those is a contribution, and every contribution is written down once,
in the app factory (`panel.app.contributions`), where a reader sees them all. Nothing registers
itself when imported.

The engines that use a contribution ask `current()` for it at the moment they need it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    from panel.core.retention import RetentionRule

EXTENSION = "panel.registry"


def _no_references() -> frozenset[str]:
    return frozenset()


def _nobody(_user_ids: list[int]) -> list[Any]:
    return []


@dataclass
class Registry:
    # Sources of open items listed under "matters arising" at a panel's later meetings: each a
    # `panel.meetings.matters.Source`, the query of a kind of open item and how to load them.
    matters_arising: list[Any] = field(default_factory=list)
    # Sources of the daily reminder e-mail: ``source(today) -> {user id: [ReminderItem]}``
    # (`panel.core.reminders`).
    reminders: list[Callable[..., dict[int, list[Any]]]] = field(default_factory=list)
    # What `flask apply-retention` deletes, one rule per kind of object, in the order it reports
    # them (`panel.core.retention`).
    retention_rules: list[RetentionRule] = field(default_factory=list)
    # The active people among these user ids, in e-mail address order: whom reminders go to
    # (`panel.core.reminders`), given by the accounts package.
    recipients: Callable[[list[int]], list[Any]] = _nobody
    # Names every template may use: enumerations and small display helpers.
    template_globals: dict[str, Any] = field(default_factory=dict)
    # The prefixes of Panel's own references ("ISP-2026-014"), which are never personal data.
    own_reference_prefixes: Callable[[], frozenset[str]] = _no_references

    def __post_init__(self) -> None:
        # The same source given twice would list each of its items twice.
        self.matters_arising = list(dict.fromkeys(self.matters_arising))
        self.reminders = list(dict.fromkeys(self.reminders))
        # A rule is found by its kind when its items are deleted.
        kinds = [rule.kind for rule in self.retention_rules]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"Two retention rules of one kind: {kinds}")


def init_app(app: Flask, registry: Registry) -> None:
    app.extensions[EXTENSION] = registry
    app.jinja_env.globals.update(registry.template_globals)


def current() -> Registry:
    """The running app's registry."""
    return current_app.extensions[EXTENSION]
