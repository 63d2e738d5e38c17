"""`guide preview`: the frozen site served by Netlify's rules, checked with werkzeug's test client."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask, request
from werkzeug.test import Client

from migration_guide.config import PROJECT_ROOT
from migration_guide.preview import (
    NetlifyConfig,
    RedirectRule,
    create_preview_app,
    iter_pages,
    parse_redirects_file,
)
from migration_guide.publish.freeze import build_site
from migration_guide.web.security import SECURITY_HEADERS

NETLIFY_TOML = PROJECT_ROOT / "netlify.toml"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The fixture guide, frozen once for this module."""
    from conftest import FIXTURE_CONTENT

    from migration_guide.config import Settings

    out = tmp_path_factory.mktemp("site")
    settings = Settings.from_environment(
        content_dir=FIXTURE_CONTENT,
        out_dir=out,
        instance_dir=tmp_path_factory.mktemp("instance"),
        functions_manifest=out.with_name(out.name + "-manifest.json"),
    )
    build_site(settings)
    return out


def fake_functions():
    app = Flask("functions")

    @app.post("/api/feedback")
    def feedback():
        return f"stored {request.form['answer']} for {request.path}", 200

    return app


@pytest.fixture
def client(site):
    return Client(create_preview_app(site, NETLIFY_TOML, functions=fake_functions()))


def test_pages_are_served_at_their_pretty_url(client):
    response = client.get("/guide/first-step/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>First step</h1>" in response.get_data(as_text=True)
    assert "<h1" in client.get("/").get_data(as_text=True)


def test_an_address_without_the_trailing_slash_redirects_permanently(client):
    response = client.get("/guide/first-step?from=email")
    assert (response.status_code, response.headers["Location"]) == (301, "/guide/first-step/?from=email")


def test_misses_get_the_404_page_with_status_404(client, site):
    for url in ("/no-such-page/", "/no-such-page", "/guide/first-step/nothing.css", "/../etc/passwd"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_data(as_text=True) == (site / "404.html").read_text()


def test_every_response_carries_the_headers_of_netlify_toml(client):
    for url in ("/", "/guide/", "/guide", "/no-such-page/", "/robots.txt"):
        response = client.get(url)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (url, name)
        assert response.headers["Cache-Control"] == "public, max-age=0, must-revalidate"


def test_hashed_assets_are_cached_for_a_year(client, site):
    css = next((site / "assets" / "build").glob("app.*.css")).name
    response = client.get(f"/assets/build/{css}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]


def test_text_is_compressed_as_netlify_does_brotli_first_then_gzip(client, site):
    import gzip

    import brotli

    css = next((site / "assets" / "build").glob("app.*.css"))
    for url, file in (
        ("/guide/first-step/", site / "guide" / "first-step" / "index.html"),
        (f"/assets/build/{css.name}", css),
    ):
        raw = file.read_bytes()
        plain = client.get(url)
        assert plain.get_data() == raw and "Content-Encoding" not in plain.headers
        assert plain.headers["Vary"] == "Accept-Encoding"
        br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert br.headers["Content-Encoding"] == "br" and br.headers["Vary"] == "Accept-Encoding"
        assert brotli.decompress(br.get_data()) == raw
        assert int(br.headers["Content-Length"]) == len(br.get_data()) < len(raw) / 2
        gz = client.get(url, headers={"Accept-Encoding": "br;q=0, gzip"})
        assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.get_data()) == raw
        assert "Content-Encoding" not in client.get(url, headers={"Accept-Encoding": "identity"}).headers
    # The 404 page and the headers of netlify.toml come compressed too; images never are.
    missing = client.get("/no-such-page/", headers={"Accept-Encoding": "br"})
    assert missing.status_code == 404 and brotli.decompress(missing.get_data()) == (site / "404.html").read_bytes()
    assert missing.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    png = next(site.rglob("*.png"))
    image = client.get("/" + png.relative_to(site).as_posix(), headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in image.headers and image.get_data() == png.read_bytes()


def test_the_old_base_path_redirects_with_the_splat(client):
    response = client.get("/prm-practice-migration/guide/first-step/")
    assert (response.status_code, response.headers["Location"]) == (301, "/guide/first-step/")
    assert client.get("/prm-practice-migration").headers["Location"] == "/"


def test_a_redirect_from_address_redirects_permanently_in_one_hop(client, site):
    # The build writes a meta-refresh page (for hosts without _redirects) and a forced rule,
    # so on Netlify the rule wins over the file and readers get a real 301.
    assert "/old-about/ /about/ 301!" in (site / "_redirects").read_text()
    response = client.get("/old-about/")
    assert (response.status_code, response.headers["Location"]) == (301, "/about/")


def test_api_requests_go_to_the_functions_with_their_path_unchanged(client):
    response = client.post("/api/feedback", data={"answer": "yes"})
    assert (response.status_code, response.get_data(as_text=True)) == (200, "stored yes for /api/feedback")


def test_other_methods_on_static_files_are_refused(client):
    assert client.post("/guide/").status_code == 405
    assert client.head("/guide/").status_code == 200


def test_the_functions_are_the_functions_app_with_the_builds_manifest(site, settings, tmp_path):
    manifest = site.with_name(site.name + "-manifest.json")
    assert manifest.is_file()
    app = create_preview_app(site, NETLIFY_TOML, settings=settings.with_overrides(functions_manifest=manifest))
    rules = {rule.rule for rule in app.functions().url_map.iter_rules()}
    assert "/api/feedback" in rules and "/guide/" not in str(rules)
    whole = create_preview_app(
        site, NETLIFY_TOML, settings=settings.with_overrides(functions_manifest=tmp_path / "none.json")
    )
    assert "/api/feedback" in {rule.rule for rule in whole.functions().url_map.iter_rules()}


def test_every_frozen_page_is_listed(site):
    pages = list(iter_pages(site))
    assert "/" in pages and "/guide/first-step/" in pages and pages[-1] == "/404.html"


def test_redirect_rules(tmp_path):
    (tmp_path / "index.html").write_text("home")
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "index.html").write_text("kept")
    (tmp_path / "new.html").write_text("new")
    (tmp_path / "404.html").write_text("missing")
    (tmp_path / "_redirects").write_text(
        textwrap.dedent("""\
        # comments and blank lines are skipped

        /kept/ /elsewhere/ 301
        /forced/* /new.html 200!
        /news/:year/:slug /articles/:slug?y=:year 302
        /moved /kept/ 308!
    """)
    )
    toml = tmp_path / "netlify.toml"
    toml.write_text(
        textwrap.dedent("""\
        [[redirects]]
          from = "/rewrite"
          to = "/new.html"
          status = 200
        [[redirects]]
          from = "/kept/"
          to = "/forced-away/"
          status = 302
          force = true
        [[headers]]
          for = "/*"
          [headers.values]
            X-One = "a"
        [[headers]]
          for = "/kept/*"
          [headers.values]
            X-One = "b"
            Cache-Control = "no-store"
    """)
    )
    client = Client(create_preview_app(tmp_path, toml, functions=fake_functions()))
    assert client.get("/kept/").get_data(as_text=True) == "kept"  # shadowed: _redirects is read first, and unforced
    assert client.get("/forced/anything").get_data(as_text=True) == "new"
    news = client.get("/news/2026/launch")
    assert (news.status_code, news.headers["Location"]) == (302, "/articles/launch?y=2026")
    assert client.get("/moved").headers["Location"] == "/kept/"
    assert (client.get("/rewrite").status_code, client.get("/rewrite").get_data(as_text=True)) == (200, "new")
    kept = client.get("/kept/")
    assert kept.headers["X-One"] == "a, b" and kept.headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["X-One"] == "a"
    assert client.get("/nothing/").status_code == 404


def test_parse_redirects_file():
    assert parse_redirects_file("/a /b\n/c/* /d/:splat 302!  # note\n") == [
        RedirectRule("/a", "/b", 301, False),
        RedirectRule("/c/*", "/d/:splat", 302, True),
    ]


def test_the_real_netlify_toml_is_understood():
    config = NetlifyConfig.load(NETLIFY_TOML)
    assert config.headers_for("/guide/")["X-Frame-Options"] == "DENY"
    assert "Cache-Control" not in config.headers_for("/guide/")
    first_match = next(t for rule in config.redirects if (t := rule.target("/prm-practice-migration/guide/kick-off/")))
    assert first_match == "/guide/kick-off/"
    doubled = next(t for rule in config.redirects if (t := rule.target("/prm-practice-migration//evil.example")))
    assert doubled == "/evil.example"


def test_guide_preview_refuses_a_folder_with_no_site(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "migration_guide.cli", "preview", "--site", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "run 'guide build' first" in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "/prm-practice-migration//evil.example",
        "/prm-practice-migration///evil.example/x",
        "/prm-practice-migration/\\evil.example",
        "/prm-practice-migration/%09/evil.example/",
        "/prm-practice-migration/%09%09/evil.example/",
        "/prm-practice-migration/%2f%09/evil.example/",
        "/prm-practice-migration/%20/evil.example/",
        "/prm-practice-migration/%0a/evil.example/",
        "/prm-practice-migration/%0d%0a/evil.example/",
        "/prm-practice-migration/%E2%80%8B/evil.example/",
    ],
)
def test_the_old_address_prefix_is_no_open_redirect(client, url):
    response = client.get(url)
    assert response.status_code == 301
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert location == "/evil.example/" or location.startswith("/evil.example")
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, (url, name)


@pytest.mark.parametrize("location", ["//evil.example/", "/\t/evil.example", "/\\/evil.example", " //evil.example"])
def test_a_redirect_target_is_normalised_to_stay_on_this_host(location):
    from migration_guide.preview import same_site_location

    assert same_site_location(location) == "/evil.example" + ("/" if location.endswith("/") else "")


def test_the_netlify_toml_rules_with_the_same_normalising_never_leave_the_site():
    from migration_guide.preview import NetlifyConfig, same_site_location

    config = NetlifyConfig.load(Path(__file__).parent.parent / "netlify.toml")
    for path in ["/prm-practice-migration//evil.example", "/prm-practice-migration/\t/evil.example"]:
        target = next(t for rule in config.redirects if (t := rule.target(path)))
        assert not same_site_location(target).startswith(("//", "/\\")), (path, target)


def test_a_path_segment_over_255_bytes_is_a_404_with_every_header_and_not_a_bare_500(client):
    response = client.get("/" + "a" * 256 + "/")
    assert response.status_code == 404
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name


def test_netlifys_own_files_are_not_served(client, site):
    (site / "_redirects").write_text("/old /new 301\n")
    assert client.get("/_redirects").status_code == 404


def test_paths_are_decoded_once(client, site):
    (site / "guide" / "%41.txt").write_text("the file named percent-41")
    assert client.get("/guide/%2541.txt").get_data(as_text=True) == "the file named percent-41"
    assert client.get("/guide/%41.txt").status_code == 404  # "/guide/A.txt": no such file


@pytest.mark.parametrize("url", ["/%00", "/guide/%00/", "/a%00b.html"])
def test_a_nul_in_the_path_is_a_400_with_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]


@pytest.mark.parametrize(
    "url", ["/a%0Ab/", "/%0D%0A", "/..%2F..%2Fetc%2Fpasswd", "/guide/first-step/%0A", "/%E2%80%AE/"]
)
def test_odd_paths_get_a_404_with_every_security_header(client, url):
    response = client.get(url)
    assert response.status_code == 404, url
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, (url, name)


def test_the_dev_servers_405_speaks_for_the_form_endpoints_only(tmp_path):
    from conftest import FIXTURE_CONTENT

    from migration_guide.config import Settings
    from migration_guide.pages.app import create_app

    app = create_app(Settings.from_environment(content_dir=FIXTURE_CONTENT, instance_dir=tmp_path))
    client = app.test_client()
    page = client.post("/guide/")
    assert page.status_code == 405 and "only accepts forms" not in page.get_data(as_text=True)
    assert page.headers["Content-Security-Policy"]
    endpoint = client.get("/api/feedback")
    assert endpoint.status_code == 405 and "only accepts forms" in endpoint.get_data(as_text=True)


# `guide deploy-check URL` against a running `guide preview`


@pytest.fixture
def running_preview(site, tmp_path):
    """`guide preview`'s app on a real socket, with the real functions storing in a temporary SQLite file."""
    import threading

    from conftest import FIXTURE_CONTENT
    from werkzeug.serving import make_server

    from migration_guide.config import Settings

    settings = Settings.from_environment(
        content_dir=FIXTURE_CONTENT,
        instance_dir=tmp_path / "instance",
        functions_manifest=tmp_path / "no-manifest.json",
        database_url="",
    )
    server = make_server("127.0.0.1", 0, create_preview_app(site, NETLIFY_TOML, settings=settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_deploy_check_passes_against_guide_preview_and_says_what_it_could_not_check(running_preview):
    from click.testing import CliRunner

    from migration_guide.cli import main

    result = CliRunner().invoke(main, ["deploy-check", running_preview])
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output
    for check in (
        "PASS         home page carries every security header",
        "PASS         a missing page is a 404 with every security header",
        "PASS         the API refuses a GET",
        "PASS         the API refuses a post from another site",
        "PASS         /prm-practice-migration/%09/evil.example/ does not redirect off-site",
        "PASS         a post through the site reaches the form (its proxy signature is believed) (status 400)",
        "PASS         the check's own posts are counted as one reader",
        "NOT CHECKED  an unsigned post straight to the functions is refused (no --functions-url given)",
        "NOT CHECKED  different readers are counted apart",
    ):
        assert check in result.output, check


def test_deploy_check_fails_a_site_that_redirects_off_site_or_drops_its_headers(monkeypatch):
    from migration_guide.cli import deploy_check

    def careless_site(base, method, path, body=None, headers=None):
        if path.startswith(deploy_check.LEGACY_PREFIX):
            return deploy_check.Answer(301, {"location": "//evil.example/"}, "")
        return deploy_check.Answer(200, {}, "")

    monkeypatch.setattr(deploy_check, "ask", careless_site)
    outcomes = deploy_check.run_checks("http://127.0.0.1:1")
    off_site = [o for o in outcomes if "redirect off-site" in o.check]
    assert len(off_site) == 4 and not any(o.passed for o in off_site)
    headers = next(o for o in outcomes if o.check == "home page carries every security header")
    assert headers.passed is False and "Content-Security-Policy" in headers.detail


def test_deploy_check_fails_a_site_whose_functions_refuse_netlifys_signature(monkeypatch):
    """As when the functions' SITE_URL or NETLIFY_SITE_ID does not match the site Netlify signs for."""
    from migration_guide.cli import deploy_check

    def functions_that_believe_no_one(base, method, path, body=None, headers=None):
        return deploy_check.Answer(403 if method == "POST" else 200, {}, "")

    monkeypatch.setattr(deploy_check, "ask", functions_that_believe_no_one)
    outcomes = {o.check: o for o in deploy_check.run_checks("http://127.0.0.1:1")}
    believed = outcomes["a post through the site reaches the form (its proxy signature is believed)"]
    assert believed.passed is False and believed.detail == "status 403 (refused as not from the guide)"
