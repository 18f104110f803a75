"""The demo live cases and interventions: anonymised, a partner's list with something overdue and
something due, an update log, a closed case with its outcome, and added only once."""

from __future__ import annotations

from panel.accounts import services as accounts
from panel.core import anonymise
from panel.core.time import uk_today
from panel.demo import load_demo_data
from panel.interventions.models import Intervention, InterventionUpdate, LiveCase
from panel.interventions.queries import organisation_interventions
from panel.interventions.vocabularies import LiveCaseStatus


def test_demo_interventions_show_a_partners_work_and_are_added_once(app, db):
    with app.test_request_context():
        first = load_demo_data()
        again = load_demo_data()
    assert first["interventions"] == 6 and again["interventions"] == 0
    cases = db.session.scalars(db.select(LiveCase)).all()
    texts = [c.risk_reason for c in cases] + [c.summary or "" for c in cases]
    texts += [i.description for i in db.session.scalars(db.select(Intervention))]
    texts += [u.text or "" for u in db.session.scalars(db.select(InterventionUpdate))]
    for text in texts:
        assert anonymise.find(text) == [], text
    assert [c.status for c in cases].count(LiveCaseStatus.CLOSED) == 1
    housing = accounts.find_user_by_email("member@panel.example")
    groups = organisation_interventions(housing, uk_today())
    assert len(groups.overdue) == 1
