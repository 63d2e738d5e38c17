"""Section feedback: the form on every guide section, the endpoint's checks, storage and the report."""

import base64
import csv
import importlib
import io
import json
import re
import time
from pathlib import Path
from unittest.mock import ANY
from urllib.parse import urlencode

import jwt
import pytest
import yaml
from conftest import FIXTURE_CONTENT
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from migration_guide.forms import feedback, ratelimit
from migration_guide.forms.app import create_functions_app
from migration_guide.pages.app import create_app
from migration_guide.publish.freeze import build_site

ORIGIN = "https://gp-practice-migration-guide.netlify.app"
GOOD = {"page": "/guide/first-step/", "section": "check-dates", "answer": "no", "comment": "Too short", "website": ""}


@pytest.fixture
def app(settings, database_url, clock):
    app = create_app(settings.with_overrides(database_url=database_url))
    app.config["CLOCK"] = clock  # the rate limit's minute stands still unless a test moves it
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def post(
    client,
    data=None,
    origin=ORIGIN,
    accept="text/html",
    content_type="application/x-www-form-urlencoded",
    body=None,
    environ_base=None,
    **headers,
):
    headers = {"Accept": accept, **headers}
    if origin:
        headers["Origin"] = origin
    return client.post(
        "/api/feedback",
        data=body if body is not None else urlencode(data or GOOD),
        content_type=content_type,
        headers=headers,
        environ_base=environ_base or {},
    )


def stored(app):
    with app.extensions["database"].transaction() as cursor:
        return cursor.execute("SELECT page, section, answer, comment, content_version FROM feedback").all()


# What a reader sees on the page


def test_every_h2_section_of_a_guide_page_ends_with_its_own_feedback_form(settings):
    html = create_app(settings).test_client().get("/guide/").get_data(as_text=True)
    assert html.count('<form class="app-feedback"') == 3  # "Key phases", "Repeat", "Repeat" (as repeat_1)
    assert 'aria-label="Feedback on the section: Key phases"' in html
    assert 'name="section" value="repeat_1"' in html
    form = html.split('<form class="app-feedback"')[1].split("</form>")[0]
    assert "required" not in form
    # Yes and No are the form's two buttons, nothing else to fill in: the comment box comes after the answer.
    assert re.findall(r'<button[^>]*name="answer"[^>]*value="(\w+)"', form) == ["yes", "no"]
    assert form.count("<button") == 2 and "<textarea" not in form and 'type="radio"' not in form
    # …from the page's one <template>, still warning readers off personal information.
    template = html.split('<template id="app-feedback-comment">')[1].split("</template>")[0]
    assert html.count("<template") == 1
    assert 'name="token"' in template and "Do not include personal or patient information" in template


def test_the_forms_accessible_names_are_unique_per_section(settings):
    html = create_app(settings).test_client().get("/guide/first-step/").get_data(as_text=True)
    assert 'aria-label="Feedback on the section: Check dates"' in html
    assert 'id="feedback-check-dates-yes"' in html and 'id="feedback-check-dates-no"' in html
    assert 'Yes<span class="nhsuk-u-visually-hidden">, this section was helpful</span>' in html


def test_pages_that_are_not_guide_pages_have_no_feedback_forms(settings):
    assert "app-feedback" not in create_app(settings).test_client().get("/about/").get_data(as_text=True)


# The endpoint


def test_a_good_answer_is_stored_with_the_pages_content_version_and_nothing_about_the_reader(app, client):
    response = post(client)
    assert response.status_code == 200
    assert "Thank you for your feedback" in response.get_data(as_text=True)
    assert 'href="/guide/first-step/#check-dates"' in response.get_data(as_text=True)
    version = app.extensions["guide_source"].guide.pages["/guide/first-step/"].version
    assert stored(app) == [
        {
            "page": "/guide/first-step/",
            "section": "check-dates",
            "answer": "no",
            "comment": "Too short",
            "content_version": version,
        }
    ]
    with app.extensions["database"].transaction() as cursor:
        columns = cursor.execute("SELECT * FROM feedback").one().keys()
    # The idempotency key is random for each page view (see feedback.mjs): it says nothing about the reader.
    assert set(columns) == {
        "id",
        "page",
        "section",
        "answer",
        "comment",
        "content_version",
        "created_at",
        "idempotency_key",
    }


def test_javascript_gets_json_back(client):
    response = post(client, accept="application/json")
    assert response.status_code == 200
    reply = response.get_json()
    assert reply.pop("token")
    assert reply == {"ok": True, "message": "Thank you for your feedback."}


def test_a_missing_answer_gets_the_nhs_error_pattern(app, client):
    response = post(client, {**GOOD, "answer": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: Was this section helpful?" in html
    assert "There is a problem" in html and 'class="nhsuk-error-summary"' in html
    assert 'href="#feedback-check-dates-yes"' in html and 'id="feedback-check-dates-yes"' in html
    assert 'class="nhsuk-error-message"' in html and "nhsuk-form-group--error" in html
    assert "Select yes if this section was helpful, or no if it was not" in html
    assert stored(app) == []


# The second step: a comment on the answer just given


ANSWER = {"page": "/guide/first-step/", "section": "check-dates", "answer": "yes", "website": ""}


def answer_token(client, data=None) -> str:
    return post(client, data or ANSWER, accept="application/json").get_json()["token"]


def comment(client, token, text="Add an example", accept="text/html", **fields):
    data = {"page": ANSWER["page"], "section": ANSWER["section"], "token": token, "comment": text, "website": ""}
    return post(client, {**data, **fields}, accept=accept)


def test_without_javascript_the_thank_you_page_offers_the_comment_box_and_the_comment_joins_the_answer(app, client):
    page = post(client, ANSWER).get_data(as_text=True)
    assert "Thank you for your feedback" in page
    assert 'aria-label="Comment on the section: Check dates"' in page
    assert "Do not include personal or patient information" in page
    token = re.search(r'name="token" value="([^"]+)"', page)[1]
    assert stored(app)[0]["comment"] == ""
    response = comment(client, token)
    assert response.status_code == 200 and "Thank you for your comment" in response.get_data(as_text=True)
    assert 'name="token"' not in response.get_data(as_text=True)
    rows = stored(app)
    assert len(rows) == 1 and rows[0]["answer"] == "yes" and rows[0]["comment"] == "Add an example"


def test_with_javascript_the_comment_joins_the_answer_and_nothing_is_counted_twice(app, client):
    token = answer_token(client)
    reply = comment(client, token, accept="application/json")
    assert reply.get_json() == {"ok": True, "message": "Thank you for your comment."}
    # Sent again (a double click): thanked, and the first comment stays the only one.
    assert comment(client, token, "Second try", accept="application/json").status_code == 200
    assert [(row["answer"], row["comment"]) for row in stored(app)] == [("yes", "Add an example")]
    assert (feedback.report(app.extensions["database"], {})[0].before.yes, len(stored(app))) == (1, 1)


def test_a_comment_cannot_be_attached_to_someone_elses_answer(app, client):
    token = answer_token(client)
    other = answer_token(client)  # another reader's answer to the same section
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (forged, "", "1", other + "x"):
        response = comment(client, bad)
        assert response.status_code == 400
        assert "We could not add your comment" in response.get_data(as_text=True)
    # A real token, but for another page's section, is refused too.
    elsewhere = comment(client, token, page="/guide/", section="repeat")
    assert elsewhere.status_code == 400 and "We could not add your comment" in elsewhere.get_data(as_text=True)
    assert comment(client, token, accept="application/json", page="/guide/", section="repeat").status_code == 400
    assert [row["comment"] for row in stored(app)] == ["", ""]


def test_a_token_older_than_a_day_is_refused(app, client, monkeypatch):
    token = answer_token(client)
    monkeypatch.setattr(feedback, "COMMENT_WINDOW_SECONDS", -1)
    assert comment(client, token).status_code == 400
    assert stored(app)[0]["comment"] == ""


def test_an_empty_or_long_comment_gets_the_nhs_error_pattern_with_the_token_kept(app, client):
    token = answer_token(client)
    for text, message in (("", "Enter your comment"), ("x" * 1201, "Your comment must be 1,200 characters or fewer")):
        response = comment(client, token, text)
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "<title>Error: Tell us more about your answer" in html
        assert 'class="nhsuk-error-summary"' in html and 'href="#feedback-check-dates-comment"' in html
        assert message in html and f'name="token" value="{token}"' in html
    assert comment(client, token, accept="application/json", text="").get_json() == {
        "errors": {"comment": "Enter your comment"}
    }
    assert stored(app)[0]["comment"] == ""
    assert comment(client, token, "Fine now").status_code == 200
    assert stored(app)[0]["comment"] == "Fine now"


def test_errors_come_back_as_json_when_asked(client):
    response = post(client, {**GOOD, "answer": "maybe"}, accept="application/json")
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["answer"]


@pytest.mark.parametrize("length, status", [(1200, 200), (1201, 400)])
def test_comments_are_at_most_1200_characters(client, length, status):
    response = post(client, {**GOOD, "comment": "x" * length})
    assert response.status_code == status
    if status == 400:
        assert "Your comment must be 1,200 characters or fewer" in response.get_data(as_text=True)


def test_an_unknown_page_or_section_is_refused(app, client):
    for data in (
        {**GOOD, "page": "/nowhere/"},
        {**GOOD, "section": "no-such-heading"},
        {**GOOD, "page": "/about/", "section": "x"},
    ):
        response = post(client, data)
        assert response.status_code == 400
        assert "We could not find that section of the guide" in response.get_data(as_text=True)
    assert stored(app) == []


def test_a_section_of_a_page_that_shows_no_feedback_forms_takes_no_feedback(app, client):
    home = app.extensions["site_source"].site.pages["/"]
    assert "about-this-guide" in home.sections  # a real section of a page whose layout is not "guide"
    assert "app-feedback" not in client.get("/").get_data(as_text=True)
    on_the_home_page = {**GOOD, "page": "/", "section": "about-this-guide"}
    page = post(client, on_the_home_page)
    assert page.status_code == 400
    assert "We could not find that section of the guide" in page.get_data(as_text=True)
    reply = post(client, on_the_home_page, accept="application/json")
    assert reply.status_code == 400
    assert reply.get_json() == {"errors": {"section": "This section of the guide no longer exists"}}
    assert stored(app) == []


def test_a_filled_honeypot_is_thanked_and_dropped(app, client):
    response = post(client, {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 200
    assert stored(app) == []


def test_hostile_text_is_stored_as_text_and_escaped_wherever_it_is_shown(app, client):
    hostile = '<script>alert("x")</script> =HYPERLINK("http://evil") @SUM(1)'
    assert comment(client, answer_token(client), hostile).status_code == 200
    assert stored(app)[0]["comment"] == hostile
    page = comment(client, answer_token(client), hostile + "x" * 1200).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("comment", [b"%FF%FE%80bad", b"\xff\xfe\x80bad"], ids=["percent-encoded", "raw"])
def test_text_that_is_not_utf8_is_refused_without_breaking_the_page(app, client, comment):
    response = post(client, body=b"page=%2Fguide%2Ffirst-step%2F&section=check-dates&answer=yes&comment=" + comment)
    assert response.status_code == 400
    assert "contains characters we cannot read" in response.get_data(as_text=True)
    assert stored(app) == []


# A retried answer: the idempotency key

KEY = "c0ffee0123456789abcdef0123456789"


def test_each_answer_form_carries_an_empty_key_for_the_browser_to_fill(settings):
    """The frozen page is every reader's, so a key in it would be shared: feedback.mjs makes one per page view."""
    html = create_app(settings).test_client().get("/guide/").get_data(as_text=True)
    form = html.split('<form class="app-feedback"')[1].split("</form>")[0]
    assert '<input type="hidden" name="idempotency_key" value="" autocomplete="off">' in form


def test_a_post_retried_with_the_same_key_after_a_lost_response_is_stored_once_and_thanked(app, client):
    first = post(client, {**ANSWER, "idempotency_key": KEY}, accept="application/json")
    # The reply never reached the reader: feedback.mjs sends the same form again, without JavaScript's fetch.
    retried = post(client, {**ANSWER, "idempotency_key": KEY})
    assert first.status_code == retried.status_code == 200
    assert "Thank you for your feedback" in retried.get_data(as_text=True)
    assert len(stored(app)) == 1
    # The retry is thanked with the first answer's comment box, and the comment joins that one answer.
    token = re.search(r'name="token" value="([^"]+)"', retried.get_data(as_text=True))[1]
    assert comment(client, token).status_code == 200
    assert [(row["answer"], row["comment"]) for row in stored(app)] == [("yes", "Add an example")]
    assert post(client, {**ANSWER, "idempotency_key": KEY}, accept="application/json").get_json()["ok"] is True
    assert len(stored(app)) == 1


def test_a_different_key_is_a_new_answer_and_so_is_a_post_without_one(app, client):
    for key in (KEY, KEY.replace("c0ffee", "decade"), "", ""):
        assert post(client, {**ANSWER, "idempotency_key": key}).status_code == 200
    assert len(stored(app)) == 4


def test_the_key_is_kept_once_by_the_database_not_by_one_processs_memory(database_url, tmp_path):
    """Two workers (two Database objects, two connections) that both receive the post store one answer."""
    from migration_guide.forms.store import Database

    workers = [Database(database_url, tmp_path / "unused.sqlite3") for _ in range(2)]
    tokens = [feedback.save(db, "/guide/", "intro", "no", "", "v1", idempotency_key=KEY) for db in workers]
    assert tokens[0] == tokens[1] is not None
    with workers[0].transaction() as cursor:
        assert cursor.execute("SELECT COUNT(*) AS n FROM feedback").one()["n"] == 1
        with pytest.raises(Exception, match=r"(?i)unique|duplicate"):  # the constraint itself, without save()
            cursor.execute(
                "INSERT INTO feedback (page, section, answer, content_version, created_at, idempotency_key)"
                " VALUES ('/guide/', 'intro', 'yes', 'v1', '2026-12-02T00:00:00Z', ?)",
                (KEY,),
            )
    for db in workers:
        db.close()


def test_posts_with_one_key_arriving_together_are_stored_once(database_url, tmp_path):
    import threading

    from migration_guide.forms.store import Database

    workers = [Database(database_url, tmp_path / "unused.sqlite3") for _ in range(4)]
    workers[0].migrate()
    start, tokens = threading.Barrier(len(workers)), []

    def answer(db):
        start.wait()
        tokens.append(feedback.save(db, "/guide/", "intro", "yes", "", "v1", idempotency_key=KEY))

    threads = [threading.Thread(target=answer, args=(db,)) for db in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tokens) == 4 and len(set(tokens)) == 1 and None not in tokens
    with workers[0].transaction() as cursor:
        assert cursor.execute("SELECT COUNT(*) AS n FROM feedback").one()["n"] == 1
    for db in workers:
        db.close()


def test_a_key_already_used_on_another_section_is_refused_and_the_form_comes_back_with_a_new_key(app, client):
    assert post(client, {**ANSWER, "idempotency_key": KEY}).status_code == 200
    other_section = {**ANSWER, "page": "/guide/", "section": "key-phases", "idempotency_key": KEY}
    response = post(client, other_section)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nhsuk-error-summary" in html and "We could not save your answer. Select yes or no again" in html
    new_key = re.search(r'name="idempotency_key" value="([^"]+)"', html)[1]
    assert new_key != KEY and re.fullmatch(feedback.IDEMPOTENCY_KEY_PATTERN, new_key)
    assert post(client, {**other_section, "idempotency_key": new_key}).status_code == 200
    assert [(row["page"], row["section"]) for row in stored(app)] == [
        ("/guide/first-step/", "check-dates"),
        ("/guide/", "key-phases"),
    ]


@pytest.mark.parametrize("key", ["short", "x" * 65, "<script>alert(1)</script>0123456789", "a b c d e f g h i j"])
def test_a_malformed_key_is_refused_with_the_nhs_error_pattern(app, client, key):
    response = post(client, {**ANSWER, "idempotency_key": key})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "We could not save your answer. Select yes or no again" in html
    assert 'href="#feedback-check-dates-yes"' in html and "<script>alert" not in html
    assert stored(app) == []


# Refusals


def test_a_foreign_origin_is_refused(app, client):
    assert post(client, origin="https://evil.example").status_code == 403
    assert post(client, origin=None, Referer="https://evil.example/page").status_code == 403
    assert post(client, origin=None).status_code == 403
    assert post(client, origin=None, Referer=ORIGIN + "/guide/first-step/").status_code == 200
    assert post(client, origin="https://evil.example", accept="application/json").get_json()["status"] == 403


def test_the_dev_server_accepts_posts_from_itself(client):
    assert post(client, origin="http://localhost").status_code == 200


def test_a_body_over_16_kb_is_refused(app, client):
    response = post(client, {**GOOD, "comment": "x" * 17000})
    assert response.status_code == 413
    assert "What you sent is too long" in response.get_data(as_text=True)


def post_without_length(client, body: bytes):
    """Posts `body` as a chunked upload arrives: no Content-Length, and a server that ends the stream itself.

    Returns the response and how many bytes of the body the app read.
    """
    stream = io.BytesIO(body)
    environ = EnvironBuilder(
        path="/api/feedback",
        method="POST",
        input_stream=stream,
        content_type="application/x-www-form-urlencoded",
        headers={"Origin": ORIGIN, "Accept": "text/html", "Transfer-Encoding": "chunked"},
    ).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True  # what a WSGI server that decodes chunked bodies sets
    return client.open(Request(environ)), stream.tell()


def good_answer_of(size: int) -> bytes:
    """A good answer padded, with a field the form ignores, to `size` bytes."""
    body = urlencode(GOOD) + "&padding="
    return (body + "x" * (size - len(body))).encode()


def test_a_body_sent_without_a_length_is_read_up_to_16_kb(app, client):
    response, _ = post_without_length(client, good_answer_of(16 * 1024))
    assert response.status_code == 200
    assert len(stored(app)) == 1


def test_a_body_sent_without_a_length_is_refused_once_it_passes_16_kb(app, client):
    response, _ = post_without_length(client, good_answer_of(16 * 1024 + 1))
    assert response.status_code == 413
    assert "What you sent is too long" in response.get_data(as_text=True)
    assert stored(app) == []


def test_a_long_body_sent_without_a_length_is_not_read_past_16_kb(app, client):
    response, read = post_without_length(client, good_answer_of(1024 * 1024))
    assert response.status_code == 413
    assert read <= 16 * 1024 + 1
    assert stored(app) == []


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x"])
def test_other_content_types_are_refused(client, content_type):
    assert post(client, content_type=content_type, body=json.dumps(GOOD)).status_code == 415


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_other_methods_are_refused(client, method):
    response = getattr(client, method)("/api/feedback")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert "This address only accepts forms" in response.get_data(as_text=True)


def posts_from(client, address, count, data=None, **kwargs):
    return [post(client, data, environ_base={"REMOTE_ADDR": address}, **kwargs).status_code for _ in range(count)]


def test_more_than_30_posts_a_minute_from_one_address_to_one_form_are_refused(app, client):
    limit = ratelimit.POSTS_PER_MINUTE
    assert limit == 30
    assert posts_from(client, "203.0.113.9", limit + 2) == [200] * limit + [429] * 2
    assert posts_from(client, "203.0.113.10", 1) == [200]


def posts_across(client, network: str, count, data=None, **kwargs):
    """One post from each of `count` different addresses in an IPv6 /64, such as "2001:db8:1:2"."""
    return [
        post(client, data, environ_base={"REMOTE_ADDR": f"{network}::{n + 1:x}"}, **kwargs).status_code
        for n in range(count)
    ]


def test_every_address_of_one_ipv6_64_counts_as_one_reader(app, client):
    limit = ratelimit.POSTS_PER_MINUTE
    assert posts_across(client, "2001:db8:1:2", limit + 2) == [200] * limit + [429] * 2
    assert posts_from(client, "2001:db8:1:3::1", 1) == [200]  # the next /64 is another reader


def test_failed_validations_from_one_ipv6_64_meet_the_lower_ceiling_together(app, client):
    bad = {**GOOD, "answer": ""}
    statuses = posts_across(client, "2001:db8:1:2", ratelimit.FAILURES_PER_MINUTE + 1, bad)
    assert statuses == [400] * ratelimit.FAILURES_PER_MINUTE + [429]


def test_comments_from_one_ipv6_64_share_its_limit(app, client):
    answered = post(client, accept="application/json", environ_base={"REMOTE_ADDR": "2001:db8:1:2::1"})
    comment = {**GOOD, "token": answered.get_json()["token"], "comment": "Good section"}
    statuses = posts_across(client, "2001:db8:1:2", ratelimit.POSTS_PER_MINUTE, comment)
    assert statuses[-1] == 429 and statuses.count(429) == 1


@pytest.mark.parametrize(
    ("address", "bucket"),
    [
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:0DB8:0001:0002::1", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("203.0.113.9", "203.0.113.9"),
        ("not an address", "unparsed:not an address"),
        ("", "unparsed:"),
    ],
)
def test_a_reader_is_an_ipv4_address_or_an_ipv6_64_and_anything_else_its_own_bucket(address, bucket):
    assert ratelimit.reader(address) == bucket


def test_the_limit_counts_each_form_apart_so_a_busy_trust_can_still_ask_for_help(app, client):
    posts_from(client, "203.0.113.9", ratelimit.POSTS_PER_MINUTE + 1)
    help_request = client.post(
        "/api/request-help",
        data={"website": ""},
        headers={"Origin": ORIGIN},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert help_request.status_code == 400  # checked as a form (empty), not refused as too many


def test_posts_that_fail_validation_meet_a_lower_ceiling(app, client):
    bad = {**GOOD, "answer": ""}
    statuses = posts_from(client, "203.0.113.9", ratelimit.FAILURES_PER_MINUTE + 1, bad)
    assert statuses == [400] * ratelimit.FAILURES_PER_MINUTE + [429]
    assert posts_from(client, "203.0.113.9", 1) == [429]  # a good post too, until the minute turns


def test_a_refusal_for_too_many_says_when_to_try_again_and_keeps_what_was_typed(app, client, clock):
    answered = post(client, accept="application/json", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    token = answered.get_json()["token"]
    posts_from(client, "203.0.113.9", ratelimit.POSTS_PER_MINUTE - 1)
    comment = {
        "page": GOOD["page"],
        "section": GOOD["section"],
        "token": token,
        "website": "",
        "comment": "The dates table needs a row for cut-over <b>please</b>",
    }
    response = post(client, comment, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 429 and response.headers["Retry-After"] == "30"
    html = response.get_data(as_text=True)
    assert "nhsuk-error-summary" in html and "Wait 30 seconds" in html
    assert "The dates table needs a row for cut-over &lt;b&gt;please&lt;/b&gt;" in html
    as_json = post(client, comment, accept="application/json", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert as_json.status_code == 429 and as_json.get_json()["retry_after"] == 30


def test_a_client_refused_for_posting_too_often_may_post_again_when_the_minute_turns(client, clock):
    clock.now = clock.now.replace(second=59)
    limit = ratelimit.POSTS_PER_MINUTE
    assert posts_from(client, "203.0.113.9", limit + 1) == [200] * limit + [429]
    clock.advance(seconds=1)
    assert posts_from(client, "203.0.113.9", 1) == [200]


@pytest.mark.parametrize(
    "body",
    [
        "page=/guide/first-step/&section=check-dates&answer=yes%00",
        "page=/guide/first-step/&section=check-dates&answer=yes&comment=a\x00b",
    ],
    ids=["percent-encoded", "raw"],
)
def test_a_nul_anywhere_in_a_post_is_a_400_that_says_so(app, client, body):
    assert post(client, body=body.replace("\x00", "").replace("%00", "")).status_code == 200  # valid without it
    response = post(client, body=body)
    assert response.status_code == 400
    assert "Your answer contains characters we cannot read" in response.get_data(as_text=True)
    assert len(stored(app)) == 1  # only the post without the NUL


# Trust no header the proxy did not sign

SECRET = "a-long-random-secret-shared-with-netlify"
#: The Netlify site's ID, as Netlify's token names it (netlify_id) and NETLIFY_SITE_ID may name it.
SITE_ID = "3f1d2c4b-5a69-4e8f-9b0a-1c2d3e4f5a6b"


def netlify_signature(secret=SECRET, issuer="netlify", expires_in=300, issued_ago=0, **claims):
    """A token as Netlify's signed proxy makes it (netlify-cli's sign-redirect: iat, exp 5 minutes on, iss)."""
    issued = int(time.time()) - issued_ago
    claims = {
        "iss": issuer,
        "iat": issued,
        "exp": issued + expires_in,
        "deploy_context": "production",
        "site_url": ORIGIN,
        "netlify_id": SITE_ID,
        **claims,
    }
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm="HS256")


@pytest.fixture
def production_client(settings, database_url, clock):
    app = create_app(
        settings.with_overrides(database_url=database_url, site_env="production", proxy_signing_secret=SECRET)
    )
    app.config["CLOCK"] = clock
    return app.test_client()


def test_in_production_a_post_netlify_did_not_sign_is_refused(production_client):
    assert post(production_client).status_code == 403
    for token in (
        netlify_signature(secret="a-guessed-secret-of-the-same-length-0"),
        netlify_signature(issuer="someone"),
        netlify_signature(expires_in=-10),
        netlify_signature(expires_in=10 * 365 * 24 * 3600),  # a token that never ends
        netlify_signature(issued_ago=3600, expires_in=3900),  # made an hour ago, still "valid"
        netlify_signature(issued_ago=-600),  # made in the future
        netlify_signature(iat=None),
        netlify_signature(deploy_context="deploy-preview"),  # a preview built with the same secret
        netlify_signature(deploy_context=None),
        netlify_signature(site_url="https://a-fork-given-the-secret.netlify.app"),  # another site, same secret
        netlify_signature(site_url=ORIGIN + ".evil.example"),
        netlify_signature(site_url="gp-practice-migration-guide.netlify.app"),  # not an address: no host
        netlify_signature(site_url="https://gp-practice-migration-guide.netlify.app:8443"),
        netlify_signature(site_url=["https://gp-practice-migration-guide.netlify.app"]),
        netlify_signature(site_url=None),
        "not-a-token",
    ):
        assert post(production_client, **{"X-Nf-Sign": token}).status_code == 403, token
    assert post(production_client, **{"X-Nf-Sign": netlify_signature()}).status_code == 200
    # Netlify's site_url is the site's main address, compared by host: its path, the host's case and the scheme
    # (Netlify's record of a site's address may start http://) do not matter.
    for site_url in (ORIGIN + "/", ORIGIN.upper().replace("HTTPS", "https"), ORIGIN.replace("https", "http")):
        assert post(production_client, **{"X-Nf-Sign": netlify_signature(site_url=site_url)}).status_code == 200


def test_with_netlify_site_id_set_production_believes_only_tokens_that_name_that_site(settings, database_url, clock):
    app = create_app(
        settings.with_overrides(
            database_url=database_url, site_env="production", proxy_signing_secret=SECRET, netlify_site_id=SITE_ID
        )
    )
    app.config["CLOCK"] = clock
    client = app.test_client()
    for netlify_id in ("0b1c2d3e-another-site", None, ""):
        assert post(client, **{"X-Nf-Sign": netlify_signature(netlify_id=netlify_id)}).status_code == 403, netlify_id
    assert post(client, **{"X-Nf-Sign": netlify_signature()}).status_code == 200


def test_the_claims_production_expects_come_from_site_url_and_netlify_site_id(monkeypatch):
    from migration_guide.config import Settings

    monkeypatch.setenv("SITE_URL", "https://guide.example.nhs.uk/")
    monkeypatch.delenv("NETLIFY_SITE_ID", raising=False)
    assert Settings.from_environment().expected_proxy_claims == {
        "deploy_context": "production",
        "site_url": "guide.example.nhs.uk",
    }
    monkeypatch.setenv("NETLIFY_SITE_ID", f" {SITE_ID} ")
    assert Settings.from_environment().expected_proxy_claims["netlify_id"] == SITE_ID


def test_outside_production_a_deploy_previews_token_still_names_the_reader(app, client):
    """A deploy preview's own functions (SITE_ENV unset) take its tokens: only production is bound to its site."""
    app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides(proxy_signing_secret=SECRET)
    preview = netlify_signature(deploy_context="deploy-preview", site_url="https://deploy-preview-7--x.netlify.app")
    limit = ratelimit.POSTS_PER_MINUTE
    statuses = [
        post(client, **{"X-Nf-Sign": preview, "X-Nf-Client-Connection-Ip": "198.51.100.1"}).status_code
        for _ in range(limit)
    ]
    other_reader = post(client, **{"X-Nf-Sign": preview, "X-Nf-Client-Connection-Ip": "198.51.100.2"})
    assert statuses == [200] * limit and other_reader.status_code == 200
    assert post(client, **{"X-Nf-Sign": preview, "X-Nf-Client-Connection-Ip": "198.51.100.1"}).status_code == 429


def test_the_readers_address_comes_from_netlify_only_when_netlify_signed_the_request(production_client):
    signed = {"X-Nf-Sign": netlify_signature()}
    limit = ratelimit.POSTS_PER_MINUTE
    by_reader = [
        post(production_client, **signed, **{"X-Nf-Client-Connection-Ip": "198.51.100.1"}).status_code
        for _ in range(limit + 1)
    ]
    assert by_reader[-1] == 429
    another_reader = post(production_client, **signed, **{"X-Nf-Client-Connection-Ip": "198.51.100.2"})
    assert another_reader.status_code == 200


def test_an_unsigned_client_header_neither_escapes_the_limit_nor_locks_out_its_victim(app, client):
    limit = ratelimit.POSTS_PER_MINUTE
    rotating = [
        post(
            client, environ_base={"REMOTE_ADDR": "203.0.113.9"}, **{"X-Nf-Client-Connection-Ip": f"10.0.0.{n}"}
        ).status_code
        for n in range(limit + 1)
    ]
    assert rotating[-1] == 429  # a new header each time, the same socket: one count
    victim = post(client, environ_base={"REMOTE_ADDR": "203.0.113.50"})
    assert victim.status_code == 200


def test_the_rate_limit_never_stores_the_address(app, client):
    for _ in range(3):
        post(client, environ_base={"REMOTE_ADDR": "203.0.113.77"})
    with app.extensions["database"].transaction() as cursor:
        rows = cursor.execute("SELECT client FROM rate_limit").all()
    assert rows and all("203.0.113.77" not in row["client"] and len(row["client"]) == 32 for row in rows)


def test_function_responses_carry_their_own_security_headers(client):
    response = post(client)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# The Lambda function


@pytest.fixture
def lambda_handler(settings, database_url, monkeypatch):
    build_site(settings)
    from apig_wsgi import make_lambda_handler

    app = create_functions_app(settings.with_overrides(database_url=database_url))
    return app, make_lambda_handler(app, binary_support=True)


def lambda_event(name: str, body: str, base64_body: bool) -> dict:
    event = json.loads((Path(__file__).parent / "fixtures" / "lambda" / name).read_text())
    event["body"] = base64.b64encode(body.encode()).decode() if base64_body else body
    event["isBase64Encoded"] = base64_body
    if event["headers"].get("content-length") == "LENGTH":
        event["headers"]["content-length"] = str(len(body.encode()))
    return event


def test_the_function_url_event_with_a_base64_body_is_stored(lambda_handler):
    app, handler = lambda_handler
    reply = handler(lambda_event("function-url.json", urlencode(GOOD), base64_body=True), None)
    assert reply["statusCode"] == 200
    assert json.loads(reply["body"]) == {"ok": True, "message": "Thank you for your feedback.", "token": ANY}
    assert "Content-Security-Policy" in {k.title(): v for k, v in reply["headers"].items()}
    assert len(stored(app)) == 1


def test_the_api_gateway_v2_event_gets_an_html_page(lambda_handler):
    app, handler = lambda_handler
    reply = handler(lambda_event("api-gateway-v2.json", urlencode({**GOOD, "answer": ""}), base64_body=False), None)
    assert reply["statusCode"] == 400
    assert "There is a problem" in reply["body"]
    assert stored(app) == []


def lambda_handlers() -> list[str]:
    """Every `Handler:` that template.yaml names (CloudFormation's !Ref and !GetAtt tags read as plain values)."""
    loader = type("TemplateLoader", (yaml.SafeLoader,), {})
    loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load((Path(__file__).parent.parent / "template.yaml").read_text(), Loader=loader)
    return [
        resource["Properties"]["Handler"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
    ]


@pytest.mark.slow  # builds a site of its own
def test_every_function_in_template_yaml_has_its_lambda_handler_and_no_other_entry_point_exists(settings, monkeypatch):
    build_site(settings)
    monkeypatch.setenv("FUNCTIONS_MANIFEST", str(settings.functions_manifest))
    handlers = lambda_handlers()
    assert sorted(handlers) == ["functions/digest.handler", "functions/forms.handler", "functions/outbox.handler"]
    functions_dir = Path(__file__).parent.parent / "functions"
    assert sorted(path.stem for path in functions_dir.glob("*.py")) == sorted(
        h.split("/")[1].split(".")[0] for h in handlers
    )
    monkeypatch.syspath_prepend(str(functions_dir))
    for handler in handlers:
        module_name, function_name = handler.split("/")[1].split(".")
        module = importlib.import_module(module_name)
        assert callable(getattr(module, function_name))


# The report (the HTML report's and the digest's own tests are in test_feedback_report.py and test_digest.py)

VERSIONS = {"/guide/": "v2", "/guide/kick-off/": "v2"}


def add(db, page, section, answer, comment="", version="v2"):
    feedback.save(db, page, section, answer, comment, version)


def test_a_section_needs_review_on_the_answers_since_its_page_last_changed(database):
    for answer in ["no", "no", "no", "yes"]:
        add(database, "/guide/", "intro", answer)
    for answer in ["no", "no", "yes", "yes", "yes"]:
        add(database, "/guide/", "phases", answer)
    add(database, "/guide/kick-off/", "who", "no")
    add(database, "/guide/kick-off/", "who", "no")
    reports = {(r.page, r.section): r for r in feedback.report(database, VERSIONS)}
    intro, phases, who = (
        reports[("/guide/", "intro")],
        reports[("/guide/", "phases")],
        reports[("/guide/kick-off/", "who")],
    )
    assert (intro.since.yes, intro.since.no, intro.since.helpful_percent, intro.needs_review) == (1, 3, 25, True)
    assert (phases.since.yes, phases.since.no, phases.since.helpful_percent, phases.needs_review) == (3, 2, 60, False)
    assert (who.since.no, who.needs_review) == (2, False)  # none helpful, but fewer than 3 answers


def test_answers_to_an_earlier_version_are_before_the_change_and_never_decide_the_flag(database):
    """Rewritten after readers said no: 12% helpful before, 80% since. It no longer needs review."""
    for answer in ["no"] * 7 + ["yes"]:
        add(database, "/guide/", "intro", answer, version="v1")
    for answer in ["yes"] * 4 + ["no"]:
        add(database, "/guide/", "intro", answer)
    [intro] = feedback.report(database, VERSIONS)
    assert (intro.before.helpful_percent, intro.before.answers) == (12, 8)
    assert (intro.since.helpful_percent, intro.since.answers) == (80, 5)
    assert not intro.needs_review
    # With only the earlier answers, the rewritten page has no answers yet: not flagged either.
    assert not feedback.report(database, {"/guide/": "v3"})[0].needs_review


def test_sections_come_most_in_need_first(database):
    for answer in ["no", "no", "no"]:
        add(database, "/guide/", "worst", answer)
    for answer in ["no", "no", "yes", "no"]:
        add(database, "/guide/", "bad", answer)
    for answer in ["yes", "yes", "yes"]:
        add(database, "/guide/", "fine", answer)
    add(database, "/gone/", "old", "no")
    order = [r.section for r in feedback.report(database, VERSIONS)]
    assert order == ["worst", "bad", "fine", "old"]


def test_the_report_is_counted_in_sql_not_row_by_row(database):
    """Each version of a section is one row: 500 answers come back as 2 counted rows, and 20 comments."""
    for number in range(250):
        add(database, "/guide/", "intro", "no", f"Comment {number}", version="v1")
        add(database, "/guide/", "intro", "yes", "")
    [intro] = feedback.report(database, VERSIONS)
    assert (intro.before.no, intro.since.yes, intro.comment_count) == (250, 250, 250)
    assert len(intro.comments) == feedback.COMMENTS_PER_VERSION
    assert intro.comments[0].text == "Comment 249" and not intro.comments[0].since_change


def test_each_comment_carries_its_date_answer_and_whether_it_came_before_the_change(database):
    add(database, "/guide/", "intro", "no", "Too long", version="v1")
    add(database, "/guide/", "intro", "yes", "Clearer now")
    [intro] = feedback.report(database, VERSIONS)
    newest, oldest = intro.comments
    assert (newest.text, newest.answer, newest.since_change) == ("Clearer now", "yes", True)
    assert (oldest.text, oldest.answer, oldest.since_change) == ("Too long", "no", False)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", newest.date)


#: What a spreadsheet reads as the start of a formula, each tested in a cell of its own.
FORMULA_STARTS = {"equals": "=", "plus": "+", "minus": "-", "at": "@", "tab": "\t", "carriage-return": "\r"}


@pytest.mark.parametrize("start", FORMULA_STARTS.values(), ids=FORMULA_STARTS.keys())
def test_the_report_csv_keeps_a_comment_that_starts_like_a_formula_as_text(database, start):
    comment = start + 'HYPERLINK("http://evil")'
    add(database, "/guide/", "intro", "no", comment)
    rows = list(csv.reader(io.StringIO(feedback.report_csv(feedback.report(database, VERSIONS)), newline="")))
    assert rows[0][:9] == [
        "page",
        "section",
        "yes_since_change",
        "no_since_change",
        "percent_helpful_since_change",
        "yes_before_change",
        "no_before_change",
        "percent_helpful_before_change",
        "needs_review",
    ]
    assert rows[1][:9] == ["/guide/", "intro", "0", "1", "0", "0", "0", "", "no"]
    assert rows[1][9].endswith(" no since the change: " + comment)
    # A cell starting with a date cannot be a formula; the comment in it is kept as typed.
    assert rows[1][9][0].isdigit()


def test_the_report_can_start_from_a_date(database):
    add(database, "/guide/", "intro", "yes", "Good")
    assert feedback.report(database, VERSIONS, since="2999-01-01") == []
    [intro] = feedback.report(database, VERSIONS, since="2000-01-01")
    assert intro.comments[0].text == "Good"


def test_guide_feedback_report_prints_a_table_or_csv(database, database_url, monkeypatch, settings):
    from click.testing import CliRunner

    from migration_guide.cli import main
    from migration_guide.content.loading import load_guide

    pages = load_guide(settings).pages
    for answer in ["no", "no", "no"]:
        feedback.save(database, "/guide/", "key-phases", answer, "Needs an example", pages["/guide/"].version)
    feedback.save(database, "/guide/", "key-phases", "yes", "", "an-earlier-version")
    feedback.save(database, "/guide/first-step/", "check-dates", "yes", "", pages["/guide/first-step/"].version)
    monkeypatch.setenv("DATABASE_URL", database_url)
    content = ["--content", str(FIXTURE_CONTENT)]
    table = CliRunner().invoke(main, ["feedback", "report", *content])
    assert table.exit_code == 0, table.output
    assert re.search(r"/guide/ +key-phases +0% of 3 +100% of 1 +REVIEW", table.output)
    assert "2 sections, 1 flagged for review (at least 3 answers since the page last changed" in table.output
    assert re.search(r"  - \d{4}-\d{2}-\d{2}, no, since the change: Needs an example", table.output)
    csv_out = CliRunner().invoke(main, ["feedback", "report", "--format", "csv", "--since", "2000-01-01", *content])
    assert csv_out.output.splitlines()[1].startswith("/guide/,key-phases,0,3,0,1,0,100,yes,")


def test_the_sam_template_runs_the_entry_points_on_python_312_with_a_function_url():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)  # CloudFormation's !Ref and !GetAtt
    root = Path(__file__).parent.parent
    template = yaml.load((root / "template.yaml").read_text(), Loader=Loader)
    assert template["Globals"]["Function"]["Runtime"] == "python3.12"
    functions = template["Resources"]
    assert functions["FormsFunction"]["Properties"]["FunctionUrlConfig"]["AuthType"] == "NONE"
    for resource in functions.values():
        module, _, name = resource["Properties"]["Handler"].rpartition(".")
        assert (root / f"{module}.py").is_file() and name == "handler"


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_when_the_database_is_down_the_form_answers_503_in_the_nhs_style_with_retry_after(settings, accept):
    down = create_app(settings.with_overrides(database_url="postgresql://guide:guide@127.0.0.1:1/none"))
    response = post(down.test_client(), accept=accept)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Content-Security-Policy"]
    if accept == "text/html":
        html = response.get_data(as_text=True)
        assert "Sorry, there is a problem with the service" in html and "nhsuk-header" in html
        assert "Traceback" not in html and "Internal Server Error" not in html
    else:
        assert response.get_json()["status"] == 503


def test_a_section_exactly_half_helpful_is_not_flagged_and_one_answer_less_helpful_is(database):
    for answer in ["yes", "yes", "no", "no"]:
        add(database, "/guide/", "half", answer)
    for answer in ["yes", "no", "no"]:
        add(database, "/guide/", "less", answer)
    reports = {r.section: r for r in feedback.report(database, VERSIONS)}
    assert (reports["half"].since.helpful_percent, reports["half"].needs_review) == (50, False)
    assert (reports["less"].since.helpful_percent, reports["less"].needs_review) == (33, True)
