"""A password must not contain the person's own e-mail address (or the part before the @) or
their name, wherever one is set: accepting an invitation, a reset link, changing it on the
account page, and the command that creates the first administrator. zxcvbn alone let
`lgbt@panel.example` and "Panel Alex Moreno" through (issue 18, finding 5)."""

from __future__ import annotations

import pytest

from panel.accounts.cli import create_admin_command
from panel.accounts.links import services as links
from panel.accounts.links.models import LinkPurpose
from panel.core.passwords import own_details_in
from tests import factories
from tests.conftest import sign_in

EMAIL_MESSAGE = "Password must not contain your email address"
NAME_MESSAGE = "Password must not contain your name"


def _refused_beside_the_field(response, message: str, field: str) -> None:
    """Refused with the GOV.UK error pattern: in the summary, linked to the field, and beside it."""
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f'href="#{field}"' in page
    assert f'id="{field}-error"' in page
    assert page.count(message) == 2, page


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("lgbt@panel.example", EMAIL_MESSAGE),
        ("LGBT velvet harbour kettle", EMAIL_MESSAGE),  # the part before the @
        ("Panel Alex Moreno", NAME_MESSAGE),
        ("morenoharbourvelvet", NAME_MESSAGE),
    ],
)
def test_an_invitation_refuses_a_password_made_of_your_own_details(client, db, password, message):
    invited = factories.user(email="lgbt@panel.example", full_name="Alex Moreno")
    token = links.issue(None, invited, LinkPurpose.INVITATION)
    response = client.post(
        f"/invitation/{token}", data={"password": password, "confirm_password": password}
    )
    _refused_beside_the_field(response, message, "password")
    assert links.usable_link(token, LinkPurpose.INVITATION, production=False)


def test_a_reset_link_refuses_a_password_holding_your_email_address(client, people, db):
    token = links.issue(None, people.member, LinkPurpose.PASSWORD_RESET)
    password = "member@example.org harbour"
    response = client.post(
        f"/reset-password/{token}", data={"password": password, "confirm_password": password}
    )
    _refused_beside_the_field(response, EMAIL_MESSAGE, "password")


def test_changing_your_password_refuses_one_holding_your_name(client, people, db):
    sign_in(client, people.member)
    password = "Grace Mensah plays the oboe"
    response = client.post(
        "/account",
        data={
            "current_password": factories.PASSWORD,
            "new_password": password,
            "confirm_password": password,
        },
    )
    _refused_beside_the_field(response, NAME_MESSAGE, "new_password")
    client.post("/sign-out")
    sign_in(client, people.member)  # the old password still works


def test_the_first_administrator_cannot_be_given_their_own_details_as_password(app, db):
    result = app.test_cli_runner().invoke(
        create_admin_command,
        [
            "--email",
            "alex.moreno@panel.example",
            "--name",
            "Alex Moreno",
            "--organisation",
            "Panel support",
            "--password",
            "alex.moreno@panel.example",
        ],
    )
    assert result.exit_code != 0
    assert "must not contain your email address" in result.output


@pytest.mark.parametrize(
    ("password", "found"),
    [
        ("lgbt@panel.example", EMAIL_MESSAGE),
        ("LGBT-velvet-harbour", EMAIL_MESSAGE),
        ("ＬＧＢＴ velvet harbour", EMAIL_MESSAGE),  # full-width letters are the same letters
        ("alex moreno rocks", NAME_MESSAGE),
        ("velvet Moreno harbour", NAME_MESSAGE),
        ("wattle pylon marzipan fjord", None),
        # Too short a part to stand for the person: "al" is in many words.
        ("always valid harbour", None),
    ],
)
def test_own_details_are_found_whatever_the_case_and_separators(password, found):
    assert own_details_in(password, email="lgbt@panel.example", full_name="Al Moreno") == found
