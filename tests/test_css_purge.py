"""The stylesheet is cut to the rules pages can use, and no page or function page loses a style.

The oracle is tinycss2, not PurgeCSS: a selector of the whole stylesheet whose classes all sit in a
page's class attributes must still be in the cut one, inside the same at-rules.
"""

import itertools
import re

import pytest
import tinycss2

from migration_guide.config import Settings
from migration_guide.fingerprints import PACKAGE_DIR
from migration_guide.forms.app import create_functions_app
from migration_guide.publish import css_purge
from migration_guide.publish.css_purge import cached_purge, class_sources, page_classes, purge
from migration_guide.web.assets import AssetError

CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
#: PurgeCSS looks inside :is() and :where() and may drop part of them; we do not model that here.
CONSERVATIVE = ("is", "where", "has")
GROUPING = ("media", "supports", "container", "layer")


def test_rules_are_kept_only_for_classes_that_can_be_used(tmp_path):
    # Classes have hyphens, as all of ours do: the safelist keeps every hyphenless name (elements).
    page = '<p class="app-used">Words such as app-unused in text are no class.</p>'
    (tmp_path / "views.py").write_text('CLASSES = ["nhsuk-button--secondary"]  # a class only Python names')
    (tmp_path / "app.css").write_text(
        "a{color:red}.app-used{x:1}.app-unused{x:2}.app-used .app-unused,.app-used>.app-used{x:3}"
        "@media (min-width:40em){.app-unused{x:4}.app-used{x:5}}@media print{.app-unused{x:6}}"
        '.app-used:not(.app-unused){x:7}@font-face{font-family:"{x}"}@keyframes spin{to{x:1}}'
        ".nhsuk-button--secondary{x:8}.nhsuk-button--reverse{x:9}"
        ".nhsuk-error-message{x:10}.app-used .nhsuk-radios__input:checked{x:11}"
        ".app-unused .nhsuk-input{x:12}[hidden]{x:13}"
    )
    cut = purge(tmp_path / "app.css", [tmp_path / "views.py"], classes=page_classes(page))
    assert cut == (
        "a{color:red}.app-used{x:1}.app-used>.app-used{x:3}"  # used classes, and elements
        "@media (min-width:40em){.app-used{x:5}}"  # inside @media the same; an emptied @media goes
        '.app-used:not(.app-unused){x:7}@font-face{font-family:"{x}"}@keyframes spin{to{x:1}}'
        ".nhsuk-button--secondary{x:8}"  # named in Python: the functions may render it
        ".nhsuk-error-message{x:10}.app-used .nhsuk-radios__input:checked{x:11}"  # form components count as used
        "[hidden]{x:13}"
    )  # no class: kept


def _selectors(tokens) -> list[list]:
    parts = [[]]
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def selectors(css: str) -> dict[str, set[str] | None]:
    """Every selector of a stylesheet, prefixed by its at-rules → the classes it needs (None: not judged)."""
    found = {}

    def walk(rules, context):
        for rule in rules:
            if rule.type == "at-rule" and rule.lower_at_keyword in GROUPING and rule.content is not None:
                head = f"@{rule.lower_at_keyword} {tinycss2.serialize(rule.prelude).strip()}"
                walk(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), context + head)
            elif rule.type == "qualified-rule":
                for tokens in _selectors(rule.prelude):
                    text = " ".join(tinycss2.serialize(tokens).split())
                    classes = {
                        after.value
                        for before, after in itertools.pairwise(tokens)
                        if before.type == "literal" and before.value == "." and after.type == "ident"
                    }
                    judged = not any(t.type == "function" and t.lower_name in CONSERVATIVE for t in tokens)
                    found[context + text] = classes if judged else None

    walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), "")
    return found


def lost_styles(html: str, full: dict, cut: dict) -> set[str]:
    """Selectors of the whole stylesheet this page's classes can match, missing from the cut one."""
    used = {name for value in CLASS_ATTRIBUTE.findall(html) for name in value.split()}
    return {
        selector
        for selector, classes in full.items()
        if classes is not None and classes <= used and selector not in cut
    }


@pytest.fixture(scope="module")
def built(built_sites):
    settings, _ = built_sites()
    out = settings.out_dir
    full = next((settings.asset_build_dir / "build").glob("app.*.css")).read_text(encoding="utf-8")
    stylesheets = list((out / "assets" / "build").glob("app.*.css"))
    assert len(stylesheets) == 1, "the uncut stylesheet is not published"
    cut = stylesheets[0].read_text(encoding="utf-8")
    classes = set().union(*filter(None, selectors(full).values()))
    assert all("-" in name for name in classes), "css_purge.SAFELIST keeps hyphenless names whole: elements only"
    assert cut.startswith("\ufeff") == full.startswith("\ufeff"), "the byte order mark (UTF-8) is kept"
    return settings, full, cut


def test_the_published_stylesheet_is_much_smaller(built):
    _, full, cut = built
    assert len(cut) < len(full) * 0.6


def test_every_class_of_every_frozen_page_keeps_its_styles(built):
    settings, full, cut = built
    full, cut = selectors(full), selectors(cut)
    assert sum(classes is None for classes in full.values()) < len(full) * 0.1, "most selectors are judged"
    missing = {}
    for page in settings.out_dir.rglob("*.html"):
        if lost := lost_styles(page.read_text(encoding="utf-8"), full, cut):
            missing[str(page.relative_to(settings.out_dir))] = sorted(lost)
    assert not missing


def test_the_functions_error_pages_keep_their_styles(built):
    settings, full, cut = built
    app = create_functions_app(settings.with_overrides(database_url=f"sqlite:///{settings.instance_dir / 'f.sqlite3'}"))
    client = app.test_client()
    origin = {"Origin": settings.site_url, "Accept": "text/html"}
    pages = [
        client.post(
            "/api/feedback",
            data={"page": "/guide/kick-off/", "section": "what-is-a-kick-off", "website": ""},
            headers=origin,
        ),
        client.post("/api/request-help", data={"website": ""}, headers=origin),
    ]
    assert [page.status_code for page in pages] == [400, 400]
    full, cut = selectors(full), selectors(cut)
    for page in pages:
        html = page.get_data(as_text=True)
        assert "nhsuk-error-summary" in html
        assert re.search(r'href="/assets/build/app\.[0-9a-f]{10}\.css"', html)
        assert not lost_styles(html, full, cut)


def test_a_purgecss_failure_is_an_error_not_an_uncut_site(tmp_path):
    (tmp_path / "app.css").write_text(".a{x:1")  # unclosed
    with pytest.raises(AssetError, match=r"PurgeCSS failed on app\.css"):
        purge(tmp_path / "app.css", [])


def test_class_names_are_looked_for_in_every_module_of_the_package_at_any_depth():
    sources = set(class_sources(Settings.from_environment()))
    for module in ("forms/views.py", "forms/guard.py", "pages/views.py", "web/app.py", "templating.py"):
        assert PACKAGE_DIR / module in sources, module
    assert any(path.name == "feedback.jinja" for path in sources)


def test_an_unchanged_purge_is_reused_and_a_template_that_adds_a_class_runs_it_again(tmp_path, monkeypatch):
    (tmp_path / "app.css").write_text(".app-used{x:1}.app-new{x:2}")
    template = tmp_path / "page.jinja"
    template.write_text('<p class="app-used">Text</p>')
    cache = tmp_path / "cache"
    first = cached_purge(cache, tmp_path / "app.css", [template], {"app-used"})
    assert first == ".app-used{x:1}"

    def no_node(*args):
        raise AssertionError("PurgeCSS ran again although nothing it reads changed")

    with monkeypatch.context() as patched:
        patched.setattr(css_purge, "purge", no_node)
        assert cached_purge(cache, tmp_path / "app.css", [template], {"app-used"}) == first

    template.write_text('<p class="app-used app-new">Text</p>')
    assert cached_purge(cache, tmp_path / "app.css", [template], {"app-used"}) == ".app-used{x:1}.app-new{x:2}"
    assert len(list(cache.glob("*.css"))) == 2, "recent cuts are kept, so switching back costs nothing"


STYLESHEET_LINK = re.compile(r'href="/assets/(build/app\.[0-9a-f]{10}\.css)"')


@pytest.mark.slow  # builds a site of its own, three times
def test_a_rebuild_freezes_pages_naming_the_last_cut_so_no_page_is_written_twice(settings, tmp_path):
    from support.sitecheck import check_site

    from migration_guide.publish.freeze import build_site

    settings = settings.with_overrides(purged_css_dir=tmp_path / "cuts")
    build_site(settings)
    pages = sorted(settings.out_dir.rglob("*.html"))
    cut = STYLESHEET_LINK.search(pages[0].read_text(encoding="utf-8"))[1]
    assert (settings.out_dir / "assets" / cut).is_file()
    written = {page: page.stat().st_mtime_ns for page in pages}

    build_site(settings.with_overrides(use_render_cache=False))  # every page rendered again
    assert {page: page.stat().st_mtime_ns for page in pages} == written, "a page was written again"
    assert check_site(settings.out_dir, "") == []

    # A record naming a cut that is not the one the build makes: the pages are pointed at the real one.
    record = tmp_path / "cuts" / css_purge.LAST_CUTS
    record.write_text(re.sub(r"app\.[0-9a-f]{10}\.css", "app.0123456789.css", record.read_text()))
    build_site(settings.with_overrides(use_render_cache=False))
    assert {name for page in pages for name in STYLESHEET_LINK.findall(page.read_text(encoding="utf-8"))} == {cut}
    assert not (settings.out_dir / "assets" / "build" / "app.0123456789.css").exists()
    assert check_site(settings.out_dir, "") == []
