"""Many interventions at once, for tests and benchmarks of the home page at scale.

`seed_interventions` writes open interventions with one ORM-enabled bulk insert (thousands in well
under a second, where the service would take a minute), on SQLite and PostgreSQL, inside whatever
transaction the session is in. They are for a place rather than a case, so they need no live
cases, and their due dates cycle from `overdue_days` before `today` to 60 days after it, so each
kind of urgency is represented.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from panel.accounts.models import Organisation
from panel.core.database import utcnow
from panel.core.time import uk_today
from panel.extensions import db
from panel.interventions.models import Intervention
from panel.interventions.services import intervention_types
from panel.interventions.vocabularies import InterventionStatus
from panel.panels.models import Panel

PLACE = "Foleshill, around the shops"
DESCRIPTION = "Extra patrols and a visit to the shopkeepers after the graffiti."


def seed_interventions(
    panel: Panel,
    owner: Organisation,
    count: int,
    *,
    today: date | None = None,
    overdue_days: int = 30,
) -> None:
    """`count` open interventions on `panel` owned by `owner`, due from `overdue_days` before
    `today` onwards (every day has some), half of them in progress."""
    today = today or uk_today()
    kind = intervention_types(panel)[0]
    now = utcnow()
    span = overdue_days + 60
    db.session.execute(
        sa.insert(Intervention),
        [
            {
                "panel_id": panel.id,
                "place_or_community": PLACE,
                "type_id": kind.id,
                "description": DESCRIPTION,
                "owner_organisation_id": owner.id,
                "due_date": today + timedelta(days=n % span - overdue_days),
                "status": InterventionStatus.IN_PROGRESS if n % 2 else InterventionStatus.AGREED,
                "created_at": now,
                "version": 1,
            }
            for n in range(count)
        ],
    )
