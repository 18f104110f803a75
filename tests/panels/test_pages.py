"""The home page and a panel's page: what each person sees, in a fixed number of queries."""

from panel.panels.models import PanelKind, Role
from tests import factories
from tests.conftest import sign_in
from tests.querycount import count_queries


def _add_members(panel, how_many):
    for _ in range(how_many):
        factories.membership(panel, factories.user(), Role.MEMBER)


def _panel_page_queries(client, panel):
    with count_queries() as queries:
        response = client.get(f"/panels/{panel.id}")
    assert response.status_code == 200
    return len(queries)


def test_panel_page_queries_do_not_grow_with_its_members(client, people):
    sign_in(client, people.chair)
    _add_members(people.panel, 2)
    few = _panel_page_queries(client, people.panel)
    _add_members(people.panel, 40)
    assert _panel_page_queries(client, people.panel) == few


def test_home_page_queries_do_not_grow_with_the_panels_a_user_sits_on(client, people):
    sign_in(client, people.member)
    with count_queries() as one_panel:
        client.get("/")
    for n in range(10):
        panel = factories.panel(f"Local Hate Crime Panel {n}", PanelKind.LOCAL_HATE_CRIME_PANEL)
        factories.membership(panel, people.member, Role.MEMBER)
    with count_queries() as eleven_panels:
        page = client.get("/").get_data(as_text=True)
    assert "Local Hate Crime Panel 9" in page
    assert len(eleven_panels) == len(one_panel)


def test_home_page_lists_each_panel_with_the_users_role(client, people):
    isp = factories.panel("West Midlands Independent Scrutiny Panel", PanelKind.SCRUTINY_PANEL)
    factories.membership(isp, people.member, Role.COORDINATOR)
    sign_in(client, people.member)
    page = client.get("/").get_data(as_text=True)
    assert "West Midlands Independent Scrutiny Panel" in page
    assert "Coordinator" in page and "Member" in page
    assert f'<a class="govuk-link" href="/panels/{isp.id}">' in page
    assert page.index("Coventry Hate Crime Panel") < page.index("West Midlands Independent")


def test_user_on_no_panel_is_told_who_adds_them(client, people):
    sign_in(client, people.outsider)
    assert "You do not sit on any panel yet" in client.get("/").get_data(as_text=True)


def test_panel_names_are_escaped(client, people):
    people.panel.name = '<script>alert("x")</script> Panel'
    factories.db.session.commit()
    sign_in(client, people.chair)
    for path in ("/", f"/panels/{people.panel.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "&lt;script&gt;" in page
