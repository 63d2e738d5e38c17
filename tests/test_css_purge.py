"""The stylesheet is cut to the rules pages can use, and no page or function page loses a style."""

import re

import pytest

from migration_guide.app import create_functions_app
from migration_guide.config import Settings
from migration_guide.css_purge import _blocks, _selectors, purge_css
from migration_guide.freeze import build_site

from conftest import REAL_CONTENT

CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')


def selectors(css: str, context: str = "") -> set[str]:
    """Every selector of a stylesheet, with the at-rules it sits in."""
    found = set()
    for prelude, body in _blocks(css.removeprefix("\ufeff")):
        head = prelude.strip()
        if body is None:
            continue
        if head.startswith("@media") or head.startswith("@supports") or head.startswith("@container"):
            found |= selectors(body, context + head)
        elif not head.startswith("@"):
            found |= {context + selector for selector in _selectors(head)}
    return found


def lost_styles(html: str, full: str, cut: str) -> set[str]:
    """Selectors that could match this page's classes in the whole stylesheet but are not in the cut one."""
    return selectors(purge_css(full.removeprefix("\ufeff"), used_in(html))) - selectors(cut)


def used_in(html: str) -> set[str]:
    return {name for value in CLASS_ATTRIBUTE.findall(html) for name in value.split()}


def test_rules_are_kept_only_for_classes_that_can_be_used():
    css = ('\ufeff'[1:] + 'a{color:red}.used{x:1}.unused{x:2}.used .unused,.used>.used{x:3}'
           '@media(min-width: 40em){.unused{x:4}.used{x:5}}@media print{.unused{x:6}}'
           '.used:not(.unused){x:7}@font-face{font-family:"{x}"}.q::after{content:"}"}'
           '.nhsuk-error-message{x:8}.nhsuk-radios__input:checked{x:9}:is(.unused,.used){x:10}')
    assert purge_css(css, {"used"}) == (
        'a{color:red}.used{x:1}.used>.used{x:3}@media(min-width: 40em){.used{x:5}}'
        '.used:not(.unused){x:7}@font-face{font-family:"{x}"}'
        '.nhsuk-error-message{x:8}.nhsuk-radios__input:checked{x:9}:is(.unused,.used){x:10}')


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out, instance = tmp_path_factory.mktemp("site"), tmp_path_factory.mktemp("instance")
    settings = Settings.from_environment(content_dir=REAL_CONTENT, out_dir=out, instance_dir=instance,
                                         functions_manifest=instance / "manifest.json")
    build_site(settings)
    full = next((settings.asset_build_dir / "build").glob("app.*.css")).read_text(encoding="utf-8")
    stylesheets = list((out / "assets" / "build").glob("app.*.css"))
    assert len(stylesheets) == 1, "the uncut stylesheet is not published"
    return settings, full, stylesheets[0].read_text(encoding="utf-8")


def test_the_published_stylesheet_is_much_smaller(built):
    _, full, cut = built
    assert len(cut) < len(full) * 0.6


def test_every_class_of_every_frozen_page_keeps_its_styles(built):
    settings, full, cut = built
    missing = {}
    for page in settings.out_dir.rglob("*.html"):
        lost = lost_styles(page.read_text(encoding="utf-8"), full, cut)
        if lost:
            missing[str(page.relative_to(settings.out_dir))] = sorted(lost)
    assert not missing


def test_the_functions_error_pages_keep_their_styles(built):
    settings, full, cut = built
    app = create_functions_app(settings.with_overrides(database_url=f"sqlite:///{settings.instance_dir / 'f.sqlite3'}"))
    client = app.test_client()
    origin = {"Origin": settings.site_url, "Accept": "text/html"}
    pages = [
        client.post("/api/feedback", data={"page": "/guide/kick-off/", "section": "what-is-a-kick-off", "website": ""},
                    headers=origin),
        client.post("/api/request-help", data={"website": ""}, headers=origin),
    ]
    assert [page.status_code for page in pages] == [400, 400]
    for page in pages:
        html = page.get_data(as_text=True)
        assert "nhsuk-error-summary" in html
        assert re.search(r'href="/assets/build/app\.[0-9a-f]{10}\.css"', html)
        assert not lost_styles(html, full, cut)
