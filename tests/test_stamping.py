"""Stamped macros give exactly what rendering each call would give."""

import pytest
from jinja2 import Environment

from migration_guide.web.stamping import CHECKED_CALLS, Stamper


def render(source: str, calls: list[tuple]) -> list[str]:
    environment = Environment(autoescape=True)
    environment.globals["stamped"] = Stamper()
    template = environment.from_string(source + "{% for args in calls %}{{ stamped(m, *args) }}|{% endfor %}")
    return template.render(calls=calls).split("|")[:-1]


def expected(source: str, calls: list[tuple]) -> list[str]:
    template = Environment(autoescape=True).from_string(source + "{% for args in calls %}{{ m(*args) }}|{% endfor %}")
    return template.render(calls=calls).split("|")[:-1]


CALLS = [(f"/page-{n}/", f"id-{n}", f'Title <{n}> & "quotes"') for n in range(CHECKED_CALLS + 5)]


def test_a_plain_substitution_is_stamped_with_its_arguments_escaped():
    source = (
        '{% macro m(page, id, title) %}<form id="f-{{ id }}" data-page="{{ page }}"><b>{{ title }}</b></form>'
        "{% endmacro %}"
    )
    assert render(source, CALLS) == expected(source, CALLS)


def test_a_macro_that_transforms_an_argument_is_rendered_normally():
    source = "{% macro m(page, id, title) %}{{ title | upper }} {{ id | length }}{% endmacro %}"
    assert render(source, CALLS) == expected(source, CALLS)


def test_the_real_section_feedback_form_is_stamped_identically(settings):
    from migration_guide.pages.app import create_app

    app = create_app(settings)
    with app.test_request_context():
        module = app.jinja_env.get_template("partials/feedback.jinja").make_module({"settings": settings})
        stamper = app.jinja_env.globals["stamped"]
        for permalink, section, title in CALLS:
            assert str(stamper(module.section_feedback, permalink, section, title)) == str(
                module.section_feedback(permalink, section, title)
            )
        assert [stamp.trusted for stamp in stamper._stamps.values()] == [True]  # stamped, not rendered each time


def test_memo_renders_a_component_once_per_set_of_parameters():
    from markupsafe import Markup

    from migration_guide.web.stamping import Memo

    calls = []
    environment = Environment(autoescape=True)
    environment.globals["memo"] = Memo()
    environment.globals["record"] = lambda: calls.append(1) or ""
    template = environment.from_string(
        "{% macro m(params) %}{{ record() }}<b>{{ params.text }}</b>"
        "{% for i in params['items'] %}{{ i }}{% endfor %}{% endmacro %}"
        "{% for params in many %}{{ memo(m, params) }}|{% endfor %}"
    )
    many = [
        {"text": "a&b", "items": [1, 2]},
        {"text": "a&b", "items": [1, 2]},
        {"text": Markup("a&amp;b"), "items": [1, 2]},
        {"text": "a&b", "items": [2, 1]},
    ]
    assert template.render(many=many).split("|")[:-1] == ["<b>a&amp;b</b>12"] * 3 + ["<b>a&amp;b</b>21"]
    assert len(calls) == 3  # the second set of parameters is the first again; Markup is not the same as text


@pytest.mark.slow  # builds a site of its own
def test_the_site_is_the_same_with_and_without_stamps_and_memos(settings, tmp_path, monkeypatch):
    import filecmp

    import migration_guide.web.app as app_module
    from migration_guide.publish.freeze import build_site

    def build(out):
        build_site(
            settings.with_overrides(
                out_dir=out, use_render_cache=False, functions_manifest=tmp_path / f"{out.name}.json"
            )
        )
        return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and "pagefind" not in p.parts)

    with_them = build(tmp_path / "with")

    class Plain:
        def __call__(self, macro, *args):
            return macro(*args)

    monkeypatch.setattr(app_module, "Stamper", Plain)
    monkeypatch.setattr(app_module, "Memo", Plain)
    without = build(tmp_path / "without")
    assert with_them == without
    assert filecmp.cmpfiles(tmp_path / "with", tmp_path / "without", with_them, shallow=False)[1] == []
