"""Templates compiled ahead of time for the form functions: a cold start imports them, never a stale one."""

import shutil
from urllib.parse import urlencode

import jinja2
import pytest

from migration_guide.forms.app import create_functions_app
from migration_guide.forms.views import PAGE_TEMPLATES
from migration_guide.publish.freeze import build_site
from migration_guide.templating import PrecompiledLoader, precompile

ORIGIN = "https://gp-practice-migration-guide.netlify.app"


@pytest.fixture
def compiles(monkeypatch):
    """The names of the templates Jinja compiles from source from now on."""
    compiled = []
    original = jinja2.Environment.compile

    def recording(self, source, name=None, *args, **kwargs):
        compiled.append(name)
        return original(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", recording)
    return compiled


@pytest.fixture
def templates_dir(tmp_path):
    from migration_guide.config import PROJECT_ROOT

    copy = tmp_path / "templates"
    shutil.copytree(PROJECT_ROOT / "templates", copy)
    return copy


def test_the_build_compiles_every_page_the_functions_answer_with(settings):
    build_site(settings)
    compiled = {path.name for path in settings.compiled_templates_dir.glob("tmpl_*.py")}
    for name in (*PAGE_TEMPLATES, "base.jinja", "nhsuk/components/radios/template.jinja"):
        assert jinja2.ModuleLoader.get_module_filename(name) in compiled, name


def test_the_functions_answer_with_pages_without_compiling_a_template(settings, compiles):
    build_site(settings)
    compiles.clear()
    client = create_functions_app(settings).test_client()
    headers = {"Origin": ORIGIN, "Accept": "text/html"}
    form = "application/x-www-form-urlencoded"
    good = {"page": "/guide/first-step/", "section": "check-dates", "answer": "yes", "comment": "", "website": ""}

    assert client.post("/api/feedback", data=urlencode(good), content_type=form, headers=headers).status_code == 200
    assert (
        client.post(
            "/api/feedback", data=urlencode({**good, "answer": ""}), content_type=form, headers=headers
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/api/feedback",
            data=urlencode(good),
            content_type=form,
            headers={**headers, "Origin": "https://elsewhere.example"},
        ).status_code
        == 403
    )
    assert client.post("/api/request-help", data="", content_type=form, headers=headers).status_code == 400
    assert compiles == []


def test_an_edited_template_is_compiled_afresh_not_served_stale(tmp_path, compiles):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "base.jinja").write_text("<p>{% block body %}{% endblock %}</p>")
    (templates / "page.jinja").write_text('{% extends "base.jinja" %}{% block body %}Before{% endblock %}')
    folder = tmp_path / "compiled"
    assert precompile(templates, folder, ["page.jinja"])
    (templates / "page.jinja").write_text('{% extends "base.jinja" %}{% block body %}After{% endblock %}')

    environment = jinja2.Environment(loader=PrecompiledLoader(folder, jinja2.FileSystemLoader(str(templates))))
    compiles.clear()

    assert environment.get_template("page.jinja").render() == "<p>After</p>"
    assert compiles == ["page.jinja"]  # base.jinja, unchanged, still comes compiled


def test_a_build_with_unchanged_templates_leaves_the_compiled_ones_alone(tmp_path, templates_dir):
    folder = tmp_path / "compiled"
    assert precompile(templates_dir, folder, PAGE_TEMPLATES)
    assert not precompile(templates_dir, folder, PAGE_TEMPLATES)
    assert precompile(templates_dir, folder, [*PAGE_TEMPLATES, "404.jinja"])  # a new entry
    (templates_dir / "base.jinja").write_text((templates_dir / "base.jinja").read_text() + "\n")
    assert precompile(templates_dir, folder, PAGE_TEMPLATES)


def test_the_markdown_components_compiled_by_one_build_are_loaded_by_the_next(tmp_path, monkeypatch):
    """Each build (and each of its workers) is a new process: it loads the compiled components from disk."""
    from jinja2 import Environment

    from migration_guide.config import PROJECT_ROOT
    from migration_guide.templating import standalone_environment

    templates = PROJECT_ROOT / "templates"
    first = standalone_environment(templates, tmp_path / "bytecode").get_template("components/markdown.jinja")
    expected = str(first.module)  # its imports (the nhsuk-frontend-jinja macros) loaded, so compiled, too
    assert list((tmp_path / "bytecode").iterdir()), "nothing was kept"

    def no_compiling(*args, **kwargs):
        raise AssertionError("a template was compiled again although its source is unchanged")

    monkeypatch.setattr(Environment, "compile", no_compiling)
    again = standalone_environment(templates, tmp_path / "bytecode").get_template("components/markdown.jinja")
    assert str(again.module) == expected
