"""Panel's Jinja template class (panel/core/templating.py) answers imports faster than Jinja's own
but must give the same modules: the cached one when the importing template has no globals the
imported one lacks, and one rendered afresh with them when it has."""

from __future__ import annotations

import jinja2

from panel.core.templating import Template

MACROS = "{% macro greet() %}{{ greeting | default('hello') }} {{ who }}{% endmacro %}"
PAGE = '{% from "macros.html" import greet %}{{ greet() }}'


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"macros.html": MACROS, "page.html": PAGE}),
        autoescape=True,
    )
    env.template_class = Template
    env.globals["who"] = "world"
    return env


def test_an_import_sees_the_environment_globals_and_reuses_the_module():
    env = _environment()
    page = env.get_template("page.html")
    assert page.render() == "hello world"
    assert page.render() == "hello world"
    macros = env.get_template("macros.html")
    assert isinstance(macros, Template)
    assert macros._module is not None  # built once, then shared by every import


def test_an_import_sees_globals_only_the_importing_template_has():
    env = _environment()
    page = env.get_template("page.html", globals={"greeting": "good morning"})
    assert page.render() == "good morning world"


def test_the_app_renders_with_it(app):
    assert app.jinja_env.template_class is Template
