"""The Flask app as a reader meets it: pages, navigation, errors, redirects and headers."""

import os
import time
import tomllib

import pytest
from conftest import REAL_CONTENT, page

from migration_guide.config import PROJECT_ROOT
from migration_guide.pages.app import create_app
from migration_guide.web.security import SECURITY_HEADERS


@pytest.fixture
def client(settings):
    return create_app(settings).test_client()


def test_pages_render_at_their_canonical_url(client):
    response = client.get("/guide/first-step/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>First step</h1>" in html
    assert "<title>First step - Test guide</title>" in html


def test_a_url_without_the_trailing_slash_redirects_to_the_canonical_one(client):
    response = client.get("/guide/first-step")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/guide/first-step/")


def test_the_old_base_path_redirects_permanently(client):
    response = client.get("/prm-practice-migration/guide/first-step")
    assert response.status_code == 301
    assert response.headers["Location"] == "/guide/first-step/"


def test_redirect_from_sends_old_addresses_to_the_page(client):
    response = client.get("/old-about/")
    assert (response.status_code, response.headers["Location"]) == (301, "/about/")


def test_unknown_pages_get_the_nhs_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.get_data(as_text=True)


def test_guide_pages_have_the_sidebar_with_the_current_page_marked(client):
    html = client.get("/guide/first-step/").get_data(as_text=True)
    assert '<nav class="app-side-nav" aria-label="Guide">' in html
    assert '<a href="/guide/first-step/" aria-current="page">First step</a>' in html
    assert 'aria-current="page">Get started' not in html


def test_plain_pages_have_no_sidebar(client):
    assert "app-side-nav" not in client.get("/about/").get_data(as_text=True)


def test_header_skip_link_breadcrumbs_and_footer(client):
    html = client.get("/guide/first-step/").get_data(as_text=True)
    assert 'class="nhsuk-skip-link"' in html and 'href="#maincontent"' in html
    assert '<header class="nhsuk-header"' in html and ">The guide</a>" in html
    assert 'aria-label="Breadcrumb"' in html and 'href="/guide/"' in html
    assert '<footer class="nhsuk-footer"' in html and 'href="/about/">About</a>' in html


def test_previous_and_next_links(client):
    html = client.get("/guide/first-step/").get_data(as_text=True)
    assert 'href="/guide/" rel="prev"' in html
    assert 'href="/guide/second-step/" rel="next"' in html


def test_review_dates_show_where_the_front_matter_gives_them(client):
    html = client.get("/about/").get_data(as_text=True)
    assert "Page last reviewed: 27 November 2026" in html
    assert "Next review due: 27 May 2027" in html
    assert "Page last reviewed" not in client.get("/guide/").get_data(as_text=True)


def test_the_home_page_has_a_card_per_role(client):
    html = client.get("/").get_data(as_text=True)
    assert "nhsuk-card--clickable" in html and "Practice staff" in html
    assert "Everything you need to test the engine." in html


def test_the_home_pages_heading_and_way_in_are_inside_main_after_the_beta_banner(settings):
    html = create_app(settings.with_overrides(content_dir=REAL_CONTENT)).test_client().get("/").get_data(as_text=True)
    header_end, banner, main = html.index("</header>"), html.index("app-phase-banner"), html.index("<main")
    assert header_end < banner < main < html.index("<h1") < html.index("Start now") < html.index("</main>")
    assert "nhsuk-hero" not in html
    way_in = html[html.index("Start now") - 300 : html.rindex("Get help") + 40]
    assert 'href="/guide/"' in way_in and 'href="/plan/"' in way_in and 'href="/request-help/"' in way_in


def test_on_this_page_lists_the_sections_of_long_pages_only(client):
    guide_html = client.get("/guide/").get_data(as_text=True)
    assert "On this page" in guide_html and 'href="#key-phases"' in guide_html
    assert "On this page" not in client.get("/guide/first-step/").get_data(as_text=True)


def test_pages_are_not_indexed_while_in_beta(client):
    assert '<meta name="robots" content="noindex, nofollow">' in client.get("/").get_data(as_text=True)
    assert client.get("/robots.txt").get_data(as_text=True) == "User-agent: *\nDisallow: /\n"


def test_the_sitemap_lists_absolute_canonical_urls(settings):
    client = create_app(settings.with_overrides(site_url="https://guide.example.org", base_path="/base")).test_client()
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    assert "<loc>https://guide.example.org/base/guide/first-step/</loc>" in xml
    for app_page in ("/search/", "/plan/", "/guide/print/", "/request-help/"):  # pages the app makes, not Markdown
        assert f"<loc>https://guide.example.org/base{app_page}</loc>" in xml


def test_every_response_carries_the_security_headers(client):
    for url in ("/", "/no-such-page/", "/robots.txt"):
        response = client.get(url)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
    assert "unsafe-inline" not in SECURITY_HEADERS["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in SECURITY_HEADERS["Content-Security-Policy"]


def test_netlify_sends_the_same_headers_as_the_dev_server():
    config = tomllib.loads((PROJECT_ROOT / "netlify.toml").read_text())
    every_path = next(rule for rule in config["headers"] if rule["for"] == "/*")
    assert every_path["values"] == SECURITY_HEADERS
    assert config["build"]["publish"] == "site"
    legacy = next(rule for rule in config["redirects"] if rule["from"] == "/prm-practice-migration/*")
    assert (legacy["to"], legacy["status"]) == ("/:splat", 301)


def test_pages_contain_no_inline_script_or_style(client):
    html = client.get("/guide/").get_data(as_text=True)
    assert "<script>" not in html and "<script " not in html.replace('<script type="module" src=', "")
    assert "style=" not in html and "<style" not in html


def test_hostile_text_in_front_matter_is_escaped_in_the_jinja_templates(settings, write_content):
    # nhsuk-frontend-jinja templates are .jinja files, which Flask does not escape by default.
    content = write_content(
        {
            "index.md": page(
                '"<script>alert(1)</script>"', "/", description='"<img src=x onerror=alert(1)>"', layout="guide"
            ),
            "data/navigation.yml": 'service_name: "<b>bold</b>"\nsidebar:\n  - heading: "<i>x</i>"\n    pages: [/]\n',
        }
    )
    html = create_app(settings.with_overrides(content_dir=content)).test_client().get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<i>x</i>" not in html


def test_the_dev_server_picks_up_content_changes_without_a_restart(settings, write_content):
    content = write_content({"index.md": page("Before", "/")})
    client = create_app(settings.with_overrides(content_dir=content), watch=True).test_client()
    assert "<h1>Before</h1>" in client.get("/").get_data(as_text=True)
    (content / "index.md").write_text(page("After", "/"))
    later = time.time() + 5
    os.utime(content / "index.md", (later, later))
    assert "<h1>After</h1>" in client.get("/").get_data(as_text=True)
