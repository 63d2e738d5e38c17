"""Stamped macros give exactly what rendering each call would give."""

from jinja2 import Environment

from migration_guide.stamping import CHECKED_CALLS, Stamper


def render(source: str, calls: list[tuple]) -> list[str]:
    environment = Environment(autoescape=True)
    environment.globals["stamped"] = Stamper()
    template = environment.from_string(
        source + "{% for args in calls %}{{ stamped(m, *args) }}|{% endfor %}"
    )
    return template.render(calls=calls).split("|")[:-1]


def expected(source: str, calls: list[tuple]) -> list[str]:
    template = Environment(autoescape=True).from_string(source + "{% for args in calls %}{{ m(*args) }}|{% endfor %}")
    return template.render(calls=calls).split("|")[:-1]


CALLS = [(f"/page-{n}/", f"id-{n}", f'Title <{n}> & "quotes"') for n in range(CHECKED_CALLS + 5)]


def test_a_plain_substitution_is_stamped_with_its_arguments_escaped():
    source = '{% macro m(page, id, title) %}<form id="f-{{ id }}" data-page="{{ page }}"><b>{{ title }}</b></form>{% endmacro %}'
    assert render(source, CALLS) == expected(source, CALLS)


def test_a_macro_that_transforms_an_argument_is_rendered_normally():
    source = "{% macro m(page, id, title) %}{{ title | upper }} {{ id | length }}{% endmacro %}"
    assert render(source, CALLS) == expected(source, CALLS)


def test_the_real_section_feedback_form_is_stamped_identically(settings):
    from migration_guide.app import create_app

    app = create_app(settings)
    with app.test_request_context():
        module = app.jinja_env.get_template("partials/feedback.jinja").make_module({"settings": settings})
        stamper = app.jinja_env.globals["stamped"]
        for permalink, section, title in CALLS:
            assert str(stamper(module.section_feedback, permalink, section, title)) == str(
                module.section_feedback(permalink, section, title))
        assert [stamp.trusted for stamp in stamper._stamps.values()] == [True]  # stamped, not rendered each time
