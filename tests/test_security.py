"""Protections every page has: CSRF on forms, security headers, no caching of pages."""

import re

from tests import factories


def test_forms_refuse_a_post_without_a_csrf_token(app, client, people):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(
            "/sign-in", data={"email": people.member.email, "password": factories.PASSWORD}
        )
        assert response.status_code == 400
        assert "Your form has expired" in response.get_data(as_text=True)
        page = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        token = token or re.search(r'name="csrf_token" value="([^"]+)"', page)
        response = client.post(
            "/sign-in",
            data={
                "email": people.member.email,
                "password": factories.PASSWORD,
                "csrf_token": token.group(1),
            },
        )
        assert response.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_pages_carry_security_headers(client, db):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_an_unexpected_error_is_a_friendly_500_without_a_trace(app, db):
    from panel import access, create_app

    other = create_app({**app.config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @other.get("/boom")
    @access.rule(access.PUBLIC)
    def boom():
        raise RuntimeError("database password is hunter2")

    response = other.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "hunter2" not in page and "Traceback" not in page


def test_a_clashing_save_is_a_friendly_409_and_the_session_recovers(app, db, people):
    """A unique constraint tripped by two people saving at once is explained, not a 500."""
    from panel import access, create_app
    from panel.panels.models import Membership, Role

    panel_id, user_id = people.panel.id, people.member.id
    other = create_app({**app.config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @other.post("/clash")
    @access.rule(access.PUBLIC)
    def clash():
        db.session.add(Membership(panel_id=panel_id, user_id=user_id, role=Role.MEMBER))
        db.session.flush()  # the member is already on the panel
        raise AssertionError("the duplicate membership should have been refused")

    response = other.test_client().post("/clash")
    assert response.status_code == 409
    assert "Someone else saved this at the same time" in response.get_data(as_text=True)
    # The rollback undid only the clashing save: the existing membership is still there.
    assert (
        db.session.scalar(
            db.select(Membership.role).where(
                Membership.panel_id == panel_id, Membership.user_id == user_id
            )
        )
        == Role.MEMBER
    )


def test_every_form_in_the_app_refuses_a_post_without_a_csrf_token(app, client, people):
    """Every route that accepts a POST, signed in as someone who may use most of them: the
    token is checked before anything else, so each is refused with 400 and nothing changes."""
    from tests.conftest import sign_in

    sign_in(client, people.admin)
    posting = [
        rule
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or set()) and rule.endpoint != "static"
    ]
    assert len(posting) > 40  # the app's forms, not an empty loop
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for rule in posting:
            values = {
                # An id, or one of the words a route like /move/<any(up, down)> accepts.
                name: sorted(getattr(rule._converters[name], "items", None) or [1])[0]
                for name in rule.arguments
            }
            path = rule.build(values, append_unknown=False)[1]
            response = client.post(path, data={"anything": "x"})
            assert response.status_code == 400, (rule.endpoint, path, response.status_code)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
