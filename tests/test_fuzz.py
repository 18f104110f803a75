"""Property tests: whatever is typed into an address, a query string or a form, Panel answers with a
page (a 404, a 400, the form again with its errors), never a 500 and never an exception.

Every route is found in `app.url_map`, so routes added later are covered without a change here.
The person is an admin who chairs a local panel and a scrutiny panel (with its confidentiality
agreement accepted), so most routes resolve and most forms reach their services.

The world (panels, a minuted meeting, case reviews, lessons, live cases, interventions, ...) is
built once for the module inside an outer transaction; each test runs in a savepoint rolled back
afterwards, so a test's examples build on one another (a meeting cancelled stays cancelled) but
tests never see each other's changes. The forms are found once by reading every page the admin
can open.

`HYPOTHESIS_PROFILE=fuzz-ci` (derandomised, so every run tries the same examples) is for CI;
`FUZZ_EXAMPLES` raises or lowers the number of examples per route.
"""

from __future__ import annotations

import os
import types
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, IntegerConverter, Rule
from werkzeug.routing.exceptions import HTTPException as RoutingException

from panel.accounts.passkeys.models import Passkey
from panel.cases.agreement import services as agreement
from panel.extensions import db as _db
from panel.minutes import services as minutes_services
from panel.panels.models import PanelKind, Role
from tests import factories
from tests.conftest import rolled_back, sign_in
from tests.interventions.conftest import intervention, live_case
from tests.minutes import minuted_meeting

settings.register_profile(
    "fuzz-dev",
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("fuzz-ci", settings.get_profile("fuzz-dev"), derandomize=True)
CI = os.environ.get("CI") or os.environ.get("HYPOTHESIS_PROFILE") in ("ci", "fuzz-ci")
PROFILE = settings.get_profile("fuzz-ci" if CI else "fuzz-dev")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
# Rendering a PDF takes a second or so: a few examples are enough for these.
SLOW = {
    "minutes.pdf",
    "minutes.published_pdf",
    "minutes.publish",
    "insight.produce_annual_report",
}


def _settings(examples: int):
    return settings(PROFILE, max_examples=examples)


# --- Values ------------------------------------------------------------------------------------

# Ids that a database integer column cannot hold, and the edges around them.
HUGE_IDS = [0, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**20, 10**40]
ids = st.one_of(st.integers(0, 40), st.sampled_from(HUGE_IDS), st.integers(0, 10**30))
awkward_text = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1.5",
        "1e309",
        "nan",
        "²",  # a digit to str.isdigit, not to int()
        "٣",
        "1_000",
        "\x00",
        "a\x00b",
        "\ufeff",
        "\u202e",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "31",
        "29",
        "13",
        "9999",
        "10000",
        "99999999999999999999",
        str(2**63),
        "-" + str(2**63),
        "true",
        "on",
        "redact",
        "override",
        "<script>alert(1)</script>",
        "x" * 10_001,
        "café " * 2_000,
        "https://",
        "javascript:alert(1)",
        "//evil.example/",
        "%00",
        "../../etc/passwd",
    ]
)
numbers = st.one_of(
    st.integers(-(2**70), 2**70).map(str), st.floats(allow_nan=True).map(str), ids.map(str)
)
texts = st.text(max_size=40)
anything = st.one_of(texts, numbers, awkward_text)


# --- The world ---------------------------------------------------------------------------------


@dataclass
class FormSeen:
    """A POST form found on a page: its fields' names, their first values and choices."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    hidden: set[str] = field(default_factory=set)


@dataclass
class World:
    app: Flask
    connection: object
    # The admin's session, signed in once: each test's client starts with it.
    session_cookie: str
    # Every argument name in a URL: the ids of real rows it might name.
    ids: dict[str, list[int]]
    # Per endpoint, the argument values that name real objects belonging together.
    combos: dict[str, list[dict]]
    # Per POST endpoint, the forms seen posting to it.
    forms: dict[str, list[FormSeen]]
    query_names: list[str]
    date_names: list[str]


# URL argument names whose table is not simply the name without "_id".
ARGUMENT_TABLES = {
    "user_id": "user_account",
    "template_item_id": "agenda_template_item",
    "import_id": "pool_import",
}


def _build(app: Flask) -> types.SimpleNamespace:
    """A local and a scrutiny panel chaired by an admin, with something of everything."""
    local = factories.panel("Coventry Hate Crime Panel", PanelKind.LOCAL_HATE_CRIME_PANEL)
    scrutiny = factories.panel(
        "West Midlands Independent Scrutiny Panel", PanelKind.SCRUTINY_PANEL, "West Midlands"
    )
    police = factories.organisation("West Midlands Police, Coventry NPU")
    housing = factories.organisation("Coventry Homes Partnership")
    admin = factories.user(
        email="fuzz.admin@example.org", full_name="Sam Okafor", is_admin=True, organisation_=police
    )
    coordinator = factories.user(
        email="fuzz.coordinator@example.org", full_name="Imran Sadiq", organisation_=police
    )
    member = factories.user(
        email="fuzz.member@example.org", full_name="Grace Mensah", organisation_=housing
    )
    outsider = factories.user(email="fuzz.outsider@example.org", full_name="Nina Patel")
    for panel in (local, scrutiny):
        factories.membership(panel, admin, Role.CHAIR)
        factories.membership(panel, coordinator, Role.COORDINATOR)
        factories.membership(panel, member, Role.MEMBER)
    factories.membership(scrutiny, outsider, Role.READER)
    for person in (admin, coordinator, member):
        agreement.accept(person, scrutiny)
    # A passkey of the admin's (who has the app too), so that naming and removing one are tried
    # on a real one.
    _db.session.add(
        Passkey(
            user_id=admin.id,
            credential_id=b"fuzz credential",
            public_key=b"fuzz public key",
            name="Work laptop",
            transports=["usb"],
        )
    )
    _db.session.commit()

    with app.test_request_context():
        # A held scrutiny meeting with draft minutes, and an earlier one published.
        minuted_meeting.build(
            scrutiny,
            chair=admin,
            coordinator=coordinator,
            organisations=[police, housing],
            case_count=1,
            lessons_per_case=1,
            recommendations_per_lesson=1,
        )
        earlier = minuted_meeting.build(
            scrutiny,
            chair=admin,
            coordinator=coordinator,
            organisations=[police],
            case_count=1,
            lessons_per_case=1,
            recommendations_per_lesson=1,
            days_ago=60,
        )
        earlier.publish(lambda document, created: b"%PDF-1.7 not rendered for the fuzz tests")
        minutes_services.new_version(admin, earlier.minutes, earlier.minutes.edit_version)
        # A local panel's live case with an intervention, and a meeting of its own.
        case = live_case(coordinator, local)
        intervention(coordinator, case, housing)
        intervention(coordinator, case, police)
        minuted_meeting.build(
            local,
            chair=admin,
            coordinator=coordinator,
            organisations=[police, housing],
            case_count=0,
            days_ago=3,
        )
    return types.SimpleNamespace(id=admin.id, email=admin.email)


def _ids(arguments: set[str]) -> dict[str, list[int]]:
    tables = {table.name: table for table in _db.metadata.tables.values()}
    found = {}
    for name in arguments:
        table = tables.get(ARGUMENT_TABLES.get(name, name.removesuffix("_id")))
        if table is not None and "id" in table.c:
            found[name] = list(_db.session.scalars(_db.select(table.c.id).order_by("id")))
        elif name == "number":
            found[name] = [1, 2, 3]
        elif name == "year":  # a financial year's annual report
            this_year = date.today().year
            found[name] = [this_year - 2, this_year - 1, this_year]
    return found


def _combos(rule: Rule, ids_: dict[str, list[int]]) -> list[dict]:
    """Values for `rule`'s arguments that name real objects, the later ones belonging to the
    earlier (an agenda item of that meeting), e.g. [{"meeting_id": 3, "agenda_item_id": 7}]."""
    tables = {table.name: table for table in _db.metadata.tables.values()}
    combos: list[dict] = [{}]
    for name in _ordered_arguments(rule):
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            values = sorted(converter.items)
            combos = [{**c, name: v} for c in combos for v in values]
            continue
        if not isinstance(converter, IntegerConverter) or name not in ids_:
            combos = [{**c, name: "x"} for c in combos]
            continue
        table = tables.get(ARGUMENT_TABLES.get(name, name.removesuffix("_id")))
        grown = []
        for combo in combos:
            parents = [p for p in combo if table is not None and p in table.c]
            query = _db.select(table.c.id) if table is not None else None
            for parent in parents:
                query = query.where(table.c[parent] == combo[parent])
            values = list(_db.session.scalars(query)) if parents else ids_[name]
            grown.extend({**combo, name: value} for value in values[:4])
        combos = grown
    return combos[:12]


def _ordered_arguments(rule: Rule) -> list[str]:
    return [name for is_dynamic, name in rule._trace if is_dynamic]


class _Forms(HTMLParser):
    """Every form on a page: its method, action and fields with their values and choices."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, str, FormSeen]] = []
        self._form: FormSeen | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        name = attributes.get("name")
        if tag == "form":
            self._form = FormSeen()
            method = attributes.get("method", "get").lower()
            self.forms.append((method, attributes.get("action", ""), self._form))
        elif self._form is None:
            return
        elif tag == "input" and name and attributes.get("type") != "submit":
            kind = attributes.get("type", "text")
            if kind == "hidden":
                self._form.hidden.add(name)
            value = attributes.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio"):
                self._form.choices[name].add(value)
                if "checked" in attributes:
                    self._form.fields.setdefault(name, []).append(value)
            else:
                self._form.fields.setdefault(name, []).append(value)
        elif tag in ("input", "button") and name:  # a submit button that says what to do
            self._form.choices[name].add(attributes.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._form.fields.setdefault(name, [])
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            self._form.choices[self._select].add(value)
            if "selected" in attributes or not self._form.fields[self._select]:
                self._form.fields[self._select] = [value]
        elif tag == "textarea" and name:
            self._textarea = name
            self._form.fields[name] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form.fields[self._textarea][-1] += data


def _path(rule: Rule, values: dict) -> str:
    return rule.build(values, append_unknown=False)[1]


def _crawl(app: Flask, client, combos: dict[str, list[dict]]):
    """Open every page the admin can, and note each form: POST forms by the endpoint they post
    to, and the names a GET form (a filter) puts in the query string."""
    adapter = app.url_map.bind("localhost")
    forms: dict[str, list[FormSeen]] = defaultdict(list)
    query_names: set[str] = set()
    date_names: set[str] = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for values in combos[rule.endpoint][:2]:
            page = client.get(_path(rule, values))
            if page.status_code != 200 or page.mimetype != "text/html":
                continue
            parser = _Forms()
            parser.feed(page.get_data(as_text=True))
            for method, action, form in parser.forms:
                if method == "get":
                    query_names.update(form.fields, form.choices)
                    # A GOV.UK date input: day, month and year under one name.
                    date_names.update(n for n, values in form.fields.items() if len(values) == 3)
                    continue
                target = urlsplit(action).path or _path(rule, values)
                try:
                    endpoint, _ = adapter.match(target, method="POST")
                except RoutingException:
                    continue
                forms[endpoint].append(form)
    return forms, query_names, date_names


def _signed_in_client(app: Flask, admin: types.SimpleNamespace):
    """A client signed in as the admin (an id and email: the world's objects are not kept)."""
    client = app.test_client()
    sign_in(client, admin)
    return client


@pytest.fixture(scope="module")
def world(app: Flask) -> Iterator[World]:
    with rolled_back(app) as connection:
        admin = _build(app)
        rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
        ids_ = _ids({name for rule in rules for name in rule.arguments})
        combos = {rule.endpoint: _combos(rule, ids_) for rule in rules}
        _db.session.remove()
        client = _signed_in_client(app, admin)
        forms, query_names, date_names = _crawl(app, client, combos)
        query_names |= {"page", "next", "stage", "status", "when", "from", "to", "q"}
        _db.session.remove()  # its savepoint would otherwise hold the tests' savepoints
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
        yield World(
            app,
            connection,
            cookie,
            ids_,
            combos,
            forms,
            sorted(query_names),
            sorted(date_names),
        )


@pytest.fixture
def signed_in(world: World):
    """A client signed in as the admin, in a savepoint of the world rolled back afterwards."""
    _db.session.remove()
    savepoint = world.connection.begin_nested()
    try:
        client = world.app.test_client()
        client.set_cookie(world.app.config["SESSION_COOKIE_NAME"], world.session_cookie)
        assert client.get("/").status_code == 200  # signed in, not sent to the sign-in page
        yield client
    finally:
        _db.session.remove()
        savepoint.rollback()


def _rules(app_rules, method: str) -> list[Rule]:
    return sorted(
        (r for r in app_rules if method in r.methods and r.endpoint != "static"),
        key=lambda r: r.endpoint,
    )


def _all_rules() -> list[Rule]:
    from panel import create_app

    # Only to list the routes when collecting the tests; the tests use the session's app.
    return list(
        create_app(
            {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 40}
        ).url_map.iter_rules()
    )


RULES = _all_rules()
GET_ENDPOINTS = [rule.endpoint for rule in _rules(RULES, "GET")]
POST_ENDPOINTS = [rule.endpoint for rule in _rules(RULES, "POST")]


def _rule(app: Flask, endpoint: str, method: str) -> Rule:
    return next(r for r in app.url_map.iter_rules(endpoint) if method in r.methods)


def _arguments(world: World, rule: Rule, fuzz_share: int):
    """The route's argument values: real objects' (most of the time), or anything the converter
    accepts: huge and zero ids, arbitrary text."""
    by_name = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, IntegerConverter):
            by_name[name] = st.one_of(st.sampled_from(world.ids.get(name) or [1]), ids)
        elif isinstance(converter, AnyConverter):
            by_name[name] = st.sampled_from(sorted(converter.items))
        else:
            by_name[name] = st.text(min_size=1, max_size=30)
    fuzzed = st.fixed_dictionaries(by_name)
    real = world.combos[rule.endpoint]
    if not real:
        return fuzzed
    return st.one_of(*[st.sampled_from(real)] * fuzz_share, fuzzed)


def _query(world: World):
    names = st.one_of(st.sampled_from(world.query_names), st.text(max_size=6))
    values = st.one_of(anything, st.sampled_from(["-1", "0", "1", "2", str(10**20)]))
    pairs = st.lists(st.tuples(names, values), max_size=5)
    # A GOV.UK date filter posts day, month and year under one name.
    date = st.tuples(
        st.sampled_from(world.date_names or world.query_names),
        st.tuples(
            st.sampled_from(["31", "30", "0", "-1", "²", "99999999999999999999"]),
            st.sampled_from(["2", "13", "0", "1"]),
            st.sampled_from(["2025", "1", "999", "9999", "10000", "99999999999999999999"]),
        ),
    ).map(lambda named: [(named[0], v) for v in named[1]])
    return st.one_of(pairs, st.tuples(pairs, date).map(lambda both: both[0] + both[1]))


def _assert_handled(response, what):
    assert response.status_code != 500, what


# --- Every page --------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_no_page_fails_whatever_its_address_and_query_string(world, signed_in, endpoint):
    rule = _rule(world.app, endpoint, "GET")
    examples = 3 if endpoint in SLOW else EXAMPLES

    @_settings(examples)
    @given(arguments=_arguments(world, rule, fuzz_share=1), query=_query(world))
    def check(arguments, query):
        path = _path(rule, arguments)
        response = signed_in.get(path, query_string=query)
        _assert_handled(response, (path, query))

    check()


# Query strings that have broken list pages elsewhere, tried on every page as well as the above.
AWKWARD_QUERIES = [
    {"page": "-1"},
    {"page": str(10**20)},
    {"page": "²"},
    {
        "q": "a\x00b",
        "status": "\x00",
        "stage": "x" * 5000,
        "next": "//evil.example/",
        "when": "past",
        "from": "²",
        "to": str(2**63),
    },
]
# Each GOV.UK date filter on the page given the same day, month and year.
AWKWARD_DATES = [("31", "2", "2025"), ("1", "1", "99999999999999999999"), ("0", "-1", "²")]


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_no_page_fails_on_awkward_query_values(world, signed_in, endpoint):
    rule = _rule(world.app, endpoint, "GET")
    dates = [[(name, v) for name in world.date_names for v in day] for day in AWKWARD_DATES]
    for arguments in world.combos[endpoint][:1]:
        path = _path(rule, arguments)
        for query in [*AWKWARD_QUERIES, *dates]:
            _assert_handled(signed_in.get(path, query_string=query), (path, query))
        # An id past what the database's integer holds (SQLite raises OverflowError for it).
        for name in arguments:
            if isinstance(rule._converters[name], IntegerConverter):
                path = _path(rule, {**arguments, name: 2**63})
                assert signed_in.get(path).status_code == 404, path


# --- Every form --------------------------------------------------------------------------------


def _filled_in(form: FormSeen) -> dict[str, list[str]]:
    """The form as someone might complete it: what the page filled in, and for what it left
    blank, the first choice, a date a fortnight ahead, a time, or a few plain words."""
    soon = date.today() + timedelta(days=14)
    filled = {}
    for name in sorted(set(form.fields) | set(form.choices)):
        values = form.fields.get(name, [])
        choices = sorted(c for c in form.choices.get(name, ()) if c)
        if name in form.hidden or any(values):
            filled[name] = values
        elif choices:
            filled[name] = choices[:1]
        elif len(values) == 3:
            filled[name] = [str(soon.day), str(soon.month), str(soon.year)]
        elif "time" in name:
            filled[name] = ["18:00"]
        elif "email" in name:
            filled[name] = ["new.person@example.org"]
        else:
            filled[name] = ["Plain words for a test"]
    return filled


def _form_data(world: World, endpoint: str):
    """A form posting to `endpoint`, filled in, with one or two of its fields (or all of them)
    arbitrary: text, numbers, long or empty values, an unknown choice, another object's id,
    several values, or left out."""
    seen = world.forms.get(endpoint) or [FormSeen()]
    foreign = sorted({i for values in world.ids.values() for i in values})

    @st.composite
    def data(draw):
        form = draw(st.sampled_from(seen[:3]))
        filled = _filled_in(form)
        names = sorted(set(filled) | {"edit_version", "version"})
        fuzzed = draw(st.one_of(st.sets(st.sampled_from(names), max_size=2), st.just(names)))
        posted = {name: values for name, values in filled.items() if name not in fuzzed}
        for name in sorted(fuzzed):
            choices = sorted(form.choices.get(name, ())) + ["not-a-choice", "0"]
            value = st.one_of(anything, st.sampled_from(choices), st.sampled_from(foreign).map(str))
            values = draw(
                st.one_of(st.none(), value.map(lambda v: [v]), st.lists(value, max_size=4))
            )
            if values is not None:
                posted[name] = values
        extra = draw(st.dictionaries(texts, st.lists(anything, max_size=2), max_size=2))
        return {**extra, **posted}

    return data()


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_no_form_fails_whatever_is_posted(world, signed_in, endpoint):
    rule = _rule(world.app, endpoint, "POST")
    examples = 3 if endpoint in SLOW else EXAMPLES

    @_settings(examples)
    @given(arguments=_arguments(world, rule, fuzz_share=3), data=_form_data(world, endpoint))
    def check(arguments, data):
        path = _path(rule, arguments)
        response = signed_in.post(path, data=data)
        _assert_handled(response, (path, data))

    check()


def test_the_forms_were_found(world):
    """Guards the loops above: the crawl found the app's forms and the routes resolve."""
    assert len(world.forms) > 40
    assert len(world.query_names) > 10
    assert sum(bool(c) for c in world.combos.values()) > 80
