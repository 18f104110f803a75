from panel.panels.models import Role


def test_each_role_sees_its_panel_on_the_home_page(client, people, sign_in_as):
    for role in Role:
        client.post("/sign-out")
        sign_in_as(people.by_role(role))
        page = client.get("/").get_data(as_text=True)
        assert "Coventry Hate Crime Panel" in page
        assert role.label in page
