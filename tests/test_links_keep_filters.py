"""Links a page builds from its own address (next page, CSV of the same filters) keep the filters
but nothing that would change where they point or make the page fail."""

import pytest

from panel.cases.agreement import services as agreement
from tests.conftest import sign_in


@pytest.mark.parametrize(
    "query",
    ["_external=1&_scheme=javascript", "_anchor=x", "panel_id=999", "status=open&_method=x"],
)
def test_crafted_query_arguments_do_not_reach_the_pages_links(client, people, query):
    agreement.accept(people.chair, people.panel)
    sign_in(client, people.chair)
    panel_id = people.panel.id
    for path in (f"/panels/{panel_id}/lessons", "/lessons", f"/panels/{panel_id}/interventions"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, path
        main = response.get_data(as_text=True).split("<main", 1)[1]
        assert "javascript" not in main and 'href="http' not in main, path
        assert "panel_id=999" not in main
