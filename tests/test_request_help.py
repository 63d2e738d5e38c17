"""Request help from a delivery partner: the form, routing, the one-transaction store, email and personal data."""

import csv
import io
import json
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import psycopg
import pytest
from markupsafe import escape
from werkzeug import Response

from migration_guide.config import Settings
from migration_guide.content.directory import Directory
from migration_guide.content.loading import load_guide
from migration_guide.content.problems import ContentError
from migration_guide.forms import help_requests, outbox, request_fields
from migration_guide.forms.request_fields import RequestField
from migration_guide.pages.app import create_app

ORIGIN = "https://gp-practice-migration-guide.netlify.app"
GOOD = {
    "full_name": "Ann Smith",
    "email": "ann.smith@nhs.net",
    "phone": "01632 960 001",
    "role": "Practice manager",
    "practice_name": "High Street Surgery",
    "ods_code": "B86022",
    "icb": "QWO",
    "phase": "Kick-off",
    "go_live_day": "27",
    "go_live_month": "3",
    "go_live_year": "2027",
    "current_system": "EMIS Web",
    "new_system": "SystmOne",
    "message": "We need help choosing cut-over dates.",
    "website": "",
}


@pytest.fixture(scope="module")
def real_guide(tmp_path_factory):
    """The real guide, loaded once for the module: each test's app is handed it instead of reloading."""
    return load_guide(Settings.from_environment(instance_dir=tmp_path_factory.mktemp("instance")))


@pytest.fixture
def settings_for(tmp_path):
    def make(database_url="", **overrides):
        return Settings.from_environment(
            instance_dir=tmp_path / "instance",
            database_url=database_url,
            outbox_dir=tmp_path / "outbox",
            functions_manifest=tmp_path / "manifest.json",
            **overrides,
        )

    return make


@pytest.fixture
def app(settings_for, database_url, real_guide, clock):
    app = create_app(settings_for(database_url), guide=real_guide)
    app.config["CLOCK"] = clock  # the rate limit's minute stands still unless a test moves it
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def directory(real_guide):
    return Directory.from_data(real_guide.data)


def send(client, data=None, accept="text/html", origin=ORIGIN, **kwargs):
    headers = {"Accept": accept}
    if origin:
        headers["Origin"] = origin
    return client.post(
        "/api/request-help",
        data=urlencode(data if data is not None else GOOD),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
        **kwargs,
    )


def rows(app, table):
    with app.extensions["database"].transaction() as cursor:
        return cursor.execute(f"SELECT * FROM {table} ORDER BY id").all()


# The page


def test_the_form_page_uses_nhs_patterns_and_no_html5_validation(settings_for, real_guide):
    html = create_app(settings_for(), guide=real_guide).test_client().get("/request-help/").get_data(as_text=True)
    for name in (
        "full_name",
        "email",
        "phone",
        "role",
        "practice_name",
        "ods_code",
        "icb",
        "phase",
        "go_live_day",
        "go_live_month",
        "go_live_year",
        "current_system",
        "new_system",
        "message",
    ):
        assert f'name="{name}"' in html, name
    form = html.split('<form method="post"')[1].split("</form>")[0]
    assert " required" not in form and "pattern=" not in form
    assert 'class="nhsuk-input nhsuk-input--width-10 nhsuk-input--code"' in form
    assert "Do not include patient information" in form
    assert 'data-module="nhsuk-character-count"' in form and 'data-maxlength="3000"' in form
    assert "None" not in form


def test_the_form_is_linked_from_the_header_and_every_guide_page(settings_for, real_guide):
    client = create_app(settings_for(), guide=real_guide).test_client()
    for url in ("/", "/guide/", "/guide/kick-off/"):
        assert 'href="/request-help/"' in client.get(url).get_data(as_text=True), url
    assert "Need help with your migration?" in client.get("/guide/training/").get_data(as_text=True)


def test_only_active_icbs_are_offered_and_the_phases_follow_the_guide(settings_for, directory, real_guide):
    html = create_app(settings_for(), guide=real_guide).test_client().get("/request-help/").get_data(as_text=True)
    for icb in directory.icbs.values():
        assert (f'value="{icb.code}"' in html) == icb.is_active, icb.code
    assert len(directory.active_icbs()) == 36
    assert '<option value="Kick-off"' in html and '<option value="Go live"' in html


# Validation of every field


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("full_name", "", "Enter your full name"),
        ("full_name", "x" * 101, "Full name must be 100 characters or fewer"),
        ("email", "", "Enter your work email address"),
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("email", "a@b.c" + "x" * 260, "254 characters or fewer"),
        ("email", "someone@gmail.com", "Enter your work email address. It must end in nhs.net or nhs.uk"),
        ("email", "someone@nhs.net.evil.example", "It must end in nhs.net or nhs.uk"),
        ("email", "someone@notnhs.uk", "It must end in nhs.net or nhs.uk"),
        ("full_name", "Ann\r\nBcc: victim@nhs.net", "Full name must be on one line"),
        ("full_name", "Ann\x1b[31m Smith", "Full name must be on one line"),
        ("practice_name", "High Street\nSurgery", "Practice name must be on one line"),
        ("phone", "01632\r\n960001", "Phone number (optional) must be on one line"),
        ("phone", "call me", "Enter a phone number"),
        ("phone", "123", "Enter a phone number"),
        ("role", "", "Select your role"),
        ("role", "Hacker", "Select your role"),
        ("practice_name", "", "Enter the practice name"),
        ("ods_code", "", "Enter the practice ODS code"),
        ("ods_code", "B8602", "1 letter and 5 numbers"),
        ("ods_code", "886022", "1 letter and 5 numbers"),
        ("icb", "", "Select the practice&#39;s Integrated Care Board"),
        ("icb", "QHG", "Select the practice&#39;s Integrated Care Board"),  # merged on 1 April 2026
        ("icb", "<script>", "Select the practice&#39;s Integrated Care Board"),
        ("phase", "", "Select the phase you are in"),
        ("phase", "Phase 99", "Select the phase you are in"),
        ("go_live_day", "31", "must be a real date"),  # 31 March is real: see next line for the combination
        ("current_system", "", "Select the practice&#39;s current clinical system"),
        ("current_system", "Not decided", "Select the practice&#39;s current clinical system"),
        ("new_system", "Windows 95", "Select the new clinical system"),
        ("message", "", "Enter how we can help"),
        ("message", "x" * 3001, "Your message must be 3,000 characters or fewer"),
    ],
)
def test_each_field_is_checked_by_the_server(client, app, field, value, message):
    data = {**GOOD, field: value}
    if field == "go_live_day":
        data["go_live_month"] = "2"
    response = send(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: Request help from a delivery partner" in html
    assert "There is a problem" in html and message in html
    assert rows(app, "help_requests") == []


def test_a_partly_filled_date_names_what_is_missing(client):
    html = send(client, {**GOOD, "go_live_month": "", "go_live_year": ""}).get_data(as_text=True)
    assert "Planned go-live date must include a month and a year" in html


def test_errors_keep_every_input_and_link_to_their_field(client):
    html = send(client, {**GOOD, "ods_code": "bad", "message": "Keep <this> text"}).get_data(as_text=True)
    assert 'href="#ods-code"' in html
    assert 'value="BAD"' in html and 'value="Ann Smith"' in html and 'value="ann.smith@nhs.net"' in html
    assert "Keep &lt;this&gt; text</textarea>" in html
    assert '<option value="QWO" selected>' in html
    assert 'value="Practice manager" checked' in html


def test_optional_fields_may_be_left_out_and_the_ods_code_is_tidied(client, app):
    data = {**GOOD, "phone": "", "go_live_day": "", "go_live_month": "", "go_live_year": "", "ods_code": "  b86022 "}
    assert send(client, data).status_code == 200
    stored = rows(app, "help_requests")[0]
    assert (stored["ods_code"], stored["phone"], stored["go_live_date"]) == ("B86022", "", "")


HOSTILE = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
#: As hostile as an address Notify accepts can be: apostrophes, ampersands and braces are allowed before the @
#: (angle brackets are not: such addresses are refused, see test_an_address_notify_would_refuse…).
HOSTILE_EMAIL = "o'brien&{x}'@nhs.net"
#: The fields whose typed text the form shows again when it has errors (choices show only their own options).
SHOWN_AGAIN = [
    "full_name",
    "email",
    "phone",
    "practice_name",
    "ods_code",
    "go_live_day",
    "go_live_month",
    "go_live_year",
    "message",
]


class PageReader(HTMLParser):
    """What a browser makes of a page: the form's values, and every script and event handler in it."""

    def __init__(self, html: str):
        super().__init__()
        self.values: dict[str, str] = {}
        self.scripts: list[dict] = []
        self.images: list[dict] = []
        self.handlers: list[tuple[str, str]] = []
        self._textarea = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.handlers += [(tag, name) for name in attributes if name.startswith("on")]
        if tag == "script":
            self.scripts.append(attributes)
        elif tag == "img":
            self.images.append(attributes)
        elif tag == "input" and attributes.get("type") not in ("radio", "checkbox") and "value" in attributes:
            self.values[attributes["name"]] = attributes["value"]
        elif tag == "textarea":
            self._textarea = attributes["name"]
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def test_the_form_shown_again_with_errors_gives_back_every_typed_value_as_text_only(client, app):
    clean = PageReader(client.get("/request-help/").get_data(as_text=True))
    response = send(client, {name: "" if name == "website" else HOSTILE for name in GOOD})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in html
    shown = PageReader(html)
    typed = dict.fromkeys(SHOWN_AGAIN, HOSTILE) | {"ods_code": HOSTILE.upper().replace(" ", "")}  # tidied
    assert {name: shown.values.get(name) for name in SHOWN_AGAIN} == typed
    for value in typed.values():
        assert str(escape(value)) in html
    assert HOSTILE not in html and "<script>alert" not in html.lower() and "<img" not in html.lower()
    assert (shown.scripts, shown.images, shown.handlers) == (clean.scripts, [], [])
    assert rows(app, "help_requests") == []


def test_the_confirmation_shows_the_reference_and_partner_and_no_typed_markup(client, app):
    clean = PageReader(send(client, {**GOOD, "ods_code": "C12345"}).get_data(as_text=True))
    hostile = {"full_name": HOSTILE, "email": HOSTILE_EMAIL, "practice_name": HOSTILE, "message": HOSTILE}
    response = send(client, {**GOOD, **hostile})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Request sent" in html
    stored = rows(app, "help_requests")[-1]
    assert {name: stored[name] for name in hostile} == hostile  # stored as typed, as text
    assert f'<strong class="app-reference">{stored["reference"]}</strong>' in html
    assert "North East and Yorkshire GP IT delivery partner (example)" in html
    assert "<script>alert" not in html.lower() and "<img" not in html.lower() and "onerror=alert(1)>" not in html
    shown = PageReader(html)
    assert (shown.scripts, shown.images, shown.handlers) == (clean.scripts, [], [])


# Routing, the transaction and the reference


def test_every_active_icb_routes_to_its_regions_delivery_partner(directory):
    for icb in directory.active_icbs():
        partner = directory.partner_for(icb.code)
        assert partner is not None and partner.key == icb.region.lower().replace(" ", "-"), icb.code
        assert partner.email.endswith("@example.org") and partner.replies_within
    for icb in directory.icbs.values():
        if not icb.is_active:
            assert directory.partner_for(icb.code) is None
            assert icb.successors and all(directory.icbs[s].is_active for s in icb.successors), icb.code


def test_a_request_is_stored_with_a_reference_and_two_messages(client, app):
    response = send(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="nhsuk-panel' in html and "Request sent" in html
    assert "North East and Yorkshire GP IT delivery partner (example)" in html
    assert "What happens next" in html
    request_row = rows(app, "help_requests")[0]
    assert request_row["reference"] in html
    assert request_row["partner"] == "north-east-and-yorkshire"
    messages = rows(app, "outbox")
    assert [(m["recipient_role"], m["recipient"], m["status"]) for m in messages] == [
        ("partner", "gp-migrations.north-east-and-yorkshire@example.org", "sent"),
        ("requester", "ann.smith@nhs.net", "sent"),
    ]
    reference = request_row["reference"]
    to_partner = json.loads(messages[0]["personalisation"])
    assert set(to_partner) == {"reference", "subject", "body"}
    assert to_partner["subject"] == f"Help request {reference}"
    assert to_partner["body"].splitlines()[:10] == [
        f"Reference: {reference}",
        "",
        "A GP practice has asked North East and Yorkshire GP IT delivery partner (example) for help with its"
        " clinical system migration.",
        "Reply to the person who asked by email. Quote the reference in your reply.",
        "",
        "Full name: Ann Smith",
        "Work email address: ann.smith@nhs.net",
        "Phone number: 01632 960 001",
        "Role: Practice manager",
        "Practice name: High Street Surgery",
    ]
    assert "Integrated Care Board: NHS West Yorkshire Integrated Care Board (QWO)" in to_partner["body"]
    assert "Planned go-live date: 27 March 2027" in to_partner["body"]
    assert to_partner["body"].endswith("Message\n" + GOOD["message"])
    to_requester = json.loads(messages[1]["personalisation"])
    assert set(to_requester) == {"reference", "subject", "body"}
    assert to_requester["subject"] == f"Your help request {reference}"
    assert to_requester["body"] == "\n".join(
        [
            f"Your reference number is {reference}.",
            "",
            "We have sent your request to North East and Yorkshire GP IT delivery partner (example)."
            " They aim to reply within 2 working days.",
            "",
            "Your request is about:",
            "Integrated Care Board: NHS West Yorkshire Integrated Care Board (QWO)",
            "Phase: Kick-off",
            "",
            "The delivery partner will read your request and reply to you by email."
            " If your request is urgent, contact your Integrated Care Board's GP IT team as well.",
            "",
            f"How we use your details: {ORIGIN}/privacy/",
        ]
    )


def test_references_are_short_and_unambiguous():
    for _ in range(200):
        reference = help_requests.new_reference()
        assert len(reference) == 13 and reference.startswith("PMG-")
        assert not set(reference[4:].replace("-", "")) & set("01ILOU")


def test_the_request_and_its_messages_are_stored_together_or_not_at_all(client, app, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the outbox insert failed")

    monkeypatch.setattr(outbox, "enqueue_for_request", fail)
    assert send(client).status_code == 500
    assert rows(app, "help_requests") == [] and rows(app, "outbox") == []


def test_an_identical_request_within_15_minutes_gets_the_same_reference(app, directory):
    db = app.extensions["database"]
    details = {**help_requests.cleaned_from(GOOD)}
    now = datetime.now(UTC)
    first = help_requests.store_request(db, details, directory, now=now)
    again = help_requests.store_request(
        db, {**details, "message": "  " + details["message"].upper()}, directory, now=now + timedelta(minutes=5)
    )
    assert (again.reference, again.created) == (first.reference, False)
    assert len(rows(app, "help_requests")) == 1 and len(rows(app, "outbox")) == 2
    different = help_requests.store_request(db, {**details, "ods_code": "B86023"}, directory, now=now)
    assert different.reference != first.reference


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite runs one writer at a time anyway
def test_identical_requests_posted_at_the_same_moment_are_stored_once(app, database_url, monkeypatch):
    posters = 2
    rows(app, "help_requests")  # the schema first: its migration takes an advisory lock of its own
    start = threading.Barrier(posters, timeout=10)
    checked = threading.Condition()
    arrived = []
    pick_reference = help_requests.new_reference

    with psycopg.connect(database_url, autocommit=True) as watcher:

        def others_wait_for_the_lock() -> bool:
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ).fetchone()[0]
            return waiting >= posters - len(arrived)

        def reference_once_every_poster_has_checked() -> str:
            # Between the duplicate check and the insert, wait here until every poster has checked too (both
            # found no earlier request: the race) or the others are held back by this poster's lock.
            with checked:
                arrived.append(threading.get_ident())
                checked.notify_all()
                deadline = time.monotonic() + 10  # never hang: a stuck poster fails the assertions below
                while len(arrived) < posters and not others_wait_for_the_lock() and time.monotonic() < deadline:
                    checked.wait(0.01)
            return pick_reference()

        monkeypatch.setattr(help_requests, "new_reference", reference_once_every_poster_has_checked)

        def post_at_once(_):
            client = app.test_client()
            start.wait()
            return send(client)

        with ThreadPoolExecutor(posters) as pool:
            responses = list(pool.map(post_at_once, range(posters)))

    pages = [response.get_data(as_text=True) for response in responses]
    assert [response.status_code for response in responses] == [200] * posters
    stored = rows(app, "help_requests")
    assert len(stored) == 1
    assert len(rows(app, "outbox")) == 2
    assert all(stored[0]["reference"] in page for page in pages)
    assert sum("so we have not sent it again" in page for page in pages) == posters - 1


def test_the_same_request_after_15_minutes_is_a_new_request(app, directory, monkeypatch):
    db = app.extensions["database"]
    details = help_requests.cleaned_from(GOOD)
    first = help_requests.store_request(db, details, directory)
    with db.transaction() as cursor:
        cursor.execute("UPDATE help_requests SET created_at = ?", ("2026-01-01T00:00:00.000000Z",))
    assert help_requests.store_request(db, details, directory).reference != first.reference


def test_the_confirmation_says_when_a_resubmission_was_not_sent_again(client):
    first = send(client).get_data(as_text=True)
    second = send(client).get_data(as_text=True)
    assert "so we have not sent it again" in second and "so we have not sent it again" not in first


def test_javascript_clients_get_json(client):
    reply = send(client, accept="application/json").get_json()
    assert reply["reference"].startswith("PMG-") and reply["created"] is True


def test_a_filled_honeypot_is_thanked_and_dropped(client, app):
    assert send(client, {**GOOD, "website": "spam"}).status_code == 200
    assert rows(app, "help_requests") == []


@pytest.mark.parametrize(
    "status, kwargs",
    [
        (403, {"origin": "https://evil.example"}),
        (415, {"content_type": "application/json"}),
        (413, {"data": {**GOOD, "message": "é" * 12000}}),
    ],
)
def test_the_same_refusals_as_feedback(client, app, status, kwargs):
    kwargs = dict(kwargs)  # parameters are shared between the SQLite and PostgreSQL runs
    data = kwargs.pop("data", GOOD)
    if "content_type" in kwargs:
        response = client.post(
            "/api/request-help", data=json.dumps(data), content_type=kwargs["content_type"], headers={"Origin": ORIGIN}
        )
    else:
        response = send(client, data, **kwargs)
    assert response.status_code == status
    assert rows(app, "help_requests") == []


def test_get_is_not_allowed(client):
    assert client.get("/api/request-help").status_code == 405


def test_too_many_requests_from_one_client_are_refused_with_the_form_shown_again_as_typed(client):
    from migration_guide.forms import ratelimit

    limit = ratelimit.POSTS_PER_MINUTE
    statuses = [send(client, {**GOOD, "ods_code": f"B{86000 + n}"}).status_code for n in range(limit)]
    assert statuses == [200] * limit
    refused = send(client, {**GOOD, "ods_code": "B99999", "message": "Please keep <this> text"})
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    html = refused.get_data(as_text=True)
    assert "nhsuk-error-summary" in html and "Please keep &lt;this&gt; text" in html and 'value="B99999"' in html


def test_help_requests_from_every_address_of_one_ipv6_64_share_one_limit(client):
    from migration_guide.forms import ratelimit

    limit = ratelimit.POSTS_PER_MINUTE
    statuses = [
        send(
            client, {**GOOD, "ods_code": f"B{86000 + n}"}, environ_base={"REMOTE_ADDR": f"2001:db8:5:6::{n + 1:x}"}
        ).status_code
        for n in range(limit + 1)
    ]
    assert statuses == [200] * limit + [429]


# Email through GOV.UK Notify (a local fake) and the outbox


@pytest.fixture
def notify(httpserver, settings_for, database_url, real_guide):
    settings = settings_for(
        database_url,
        notify_api_key=f"test-{uuid.uuid4()}-{uuid.uuid4()}",
        notify_base_url=httpserver.url_for("/").rstrip("/"),
        notify_templates={"partner": "tpl-partner", "requester": "tpl-requester"},
    )
    app = create_app(settings, guide=real_guide)
    return app, settings, httpserver


def notify_replies(httpserver, status, count=1):
    body = {"id": str(uuid.uuid4())} if status == 201 else {"errors": [{"error": "Error", "message": "no"}]}
    for _ in range(count):
        httpserver.expect_ordered_request("/v2/notifications/email", method="POST").respond_with_json(
            body, status=status
        )


def test_notify_success_sends_both_messages_with_their_templates(notify):
    app, _, server = notify
    notify_replies(server, 201, count=2)
    assert send(app.test_client()).status_code == 200
    sent = [json.loads(request.data) for request, _ in server.log]
    assert [m["template_id"] for m in sent] == ["tpl-partner", "tpl-requester"]
    assert [m["status"] for m in rows(app, "outbox")] == ["sent", "sent"]


def test_notify_4xx_marks_the_message_failed_but_keeps_the_request(notify):
    app, _, server = notify
    notify_replies(server, 400, count=2)
    response = send(app.test_client())
    assert response.status_code == 200 and "Request sent" in response.get_data(as_text=True)
    assert [(m["status"], m["attempts"]) for m in rows(app, "outbox")] == [("failed", 1), ("failed", 1)]
    assert len(rows(app, "help_requests")) == 1


def test_notify_5xx_leaves_messages_queued_and_retry_sends_them_when_due(notify):
    app, settings, server = notify
    notify_replies(server, 500, count=2)
    assert send(app.test_client()).status_code == 200
    queued = rows(app, "outbox")
    assert [(m["status"], m["attempts"]) for m in queued] == [("queued", 1), ("queued", 1)]
    assert all(m["next_attempt_at"] > m["created_at"] for m in queued)
    db = app.extensions["database"]
    assert outbox.deliver_due(db, outbox.sender_for(settings)) == []  # not due yet
    notify_replies(server, 503, count=2)
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert [d.status for d in outbox.deliver_due(db, outbox.sender_for(settings), now=later)] == ["queued", "queued"]
    notify_replies(server, 201, count=2)
    much_later = later + timedelta(minutes=10)
    assert [d.status for d in outbox.deliver_due(db, outbox.sender_for(settings), now=much_later)] == ["sent", "sent"]
    assert [(m["status"], m["attempts"]) for m in rows(app, "outbox")] == [("sent", 3), ("sent", 3)]


def test_a_notify_timeout_keeps_the_message_queued(notify):
    app, settings, server = notify

    def slow(request):
        time.sleep(1.5)
        return Response(json.dumps({"id": "late"}), status=201, content_type="application/json")

    server.expect_request("/v2/notifications/email").respond_with_handler(slow)
    db = app.extensions["database"]
    stored = help_requests.store_request(
        db, help_requests.cleaned_from(GOOD), Directory.from_data(app.extensions["site_source"].site.data)
    )
    sender = outbox.NotifySender(
        settings.notify_api_key, settings.notify_base_url, settings.notify_templates, timeout=0.5
    )
    deliveries = outbox.deliver_due(db, sender, ids=stored.message_ids)
    assert [d.status for d in deliveries] == ["queued", "queued"]
    assert all(m["last_error"] for m in rows(app, "outbox"))


class RecordingSender:
    """Sends by noting each message's id; `while_sending` runs once, during its first send, as other senders do."""

    def __init__(self, while_sending=None):
        self.sent: list[int] = []
        self.while_sending = while_sending

    def send(self, message) -> str:
        self.sent.append(message.id)
        if self.while_sending:
            during, self.while_sending = self.while_sending, None
            during()
        return f"provider-{message.id}"


def outbox_states(app) -> list[tuple[str, int]]:
    return [(m["status"], m["attempts"]) for m in rows(app, "outbox")]


def test_a_message_another_sender_has_sent_is_not_sent_again_even_after_its_lease(app, directory):
    db = app.extensions["database"]
    first, second = help_requests.store_request(db, help_requests.cleaned_from(GOOD), directory).message_ids
    now = datetime.now(UTC)
    other = RecordingSender()
    # This sender's list of due messages is made before the other sender runs, during its first send; its
    # clock is past the other's lease, so only the second message's status says it has gone.
    this = RecordingSender(while_sending=lambda: outbox.deliver_due(db, other, now=now))
    deliveries = outbox.deliver_due(db, this, now=now + outbox.SENDING_LEASE + timedelta(minutes=1))
    assert (this.sent, other.sent) == ([first], [second])
    assert [(d.id, d.status) for d in deliveries] == [(first, "sent")]
    assert outbox_states(app) == [("sent", 1), ("sent", 1)]


def test_a_message_another_sender_is_sending_is_left_to_it(app, directory):
    db = app.extensions["database"]
    first, second = help_requests.store_request(db, help_requests.cleaned_from(GOOD), directory).message_ids
    now = datetime.now(UTC)
    other_is_sending, other_may_finish = threading.Event(), threading.Event()
    other = RecordingSender(while_sending=lambda: (other_is_sending.set(), other_may_finish.wait(10)))
    other_thread = threading.Thread(target=outbox.deliver_due, args=(db, other), kwargs={"now": now})

    def other_sender_takes_the_second_message():
        other_thread.start()
        assert other_is_sending.wait(10), "the other sender never started sending"

    # This sender's list is made first; while it sends the first message the other takes the second,
    # and is still sending it (its lease) when this sender comes to it.
    this = RecordingSender(while_sending=other_sender_takes_the_second_message)
    try:
        deliveries = outbox.deliver_due(db, this, now=now)
    finally:
        other_may_finish.set()
        other_thread.join(10)
    assert (this.sent, other.sent) == ([first], [second])
    assert [(d.id, d.status) for d in deliveries] == [(first, "sent")]
    assert outbox_states(app) == [("sent", 1), ("sent", 1)]


def test_without_notify_each_message_is_a_file_in_the_outbox_folder(client, app):
    send(client)
    settings = app.config["SETTINGS"]
    files = sorted(p.name for p in settings.outbox_dir.iterdir())
    reference = rows(app, "help_requests")[0]["reference"]
    assert files == [f"{reference}-partner-1.json", f"{reference}-requester-2.json"]
    written = json.loads((settings.outbox_dir / files[1]).read_text())
    assert written["to"] == "ann.smith@nhs.net" and written["personalisation"]["reference"] == reference


def test_guide_outbox_list_and_retry(app, database_url, settings_for, monkeypatch):
    from click.testing import CliRunner

    from migration_guide.cli import main

    settings = app.config["SETTINGS"]
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("OUTBOX_DIR", str(settings.outbox_dir))
    db = app.extensions["database"]
    help_requests.store_request(
        db, help_requests.cleaned_from(GOOD), Directory.from_data(app.extensions["site_source"].site.data)
    )
    listing = CliRunner().invoke(main, ["outbox", "list"]).output
    assert "partner" in listing and "requester" in listing and "queued" in listing
    assert "Tried 2 message(s): 2 sent" in CliRunner().invoke(main, ["outbox", "retry"]).output
    assert listing.count("@") == 0  # recipients are not printed


# Personal data


def test_names_emails_and_phone_numbers_never_reach_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    send(client)
    send(client, {**GOOD, "ods_code": "bad"})
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert caplog.records, "the submission should have logged something to inspect"
    for personal in ("Ann Smith", "ann.smith@nhs.net", "01632 960 001", "High Street Surgery"):
        assert personal not in logged


def test_export_as_formula_safe_csv_and_as_json(app, database_url, monkeypatch, directory):
    from click.testing import CliRunner

    from migration_guide.cli import main

    db = app.extensions["database"]
    help_requests.store_request(db, help_requests.cleaned_from({**GOOD, "practice_name": '=HYPERLINK("x")'}), directory)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(app.config["SETTINGS"].instance_dir))
    exported = list(csv.reader(io.StringIO(CliRunner().invoke(main, ["requests", "export"]).output)))
    assert exported[0][:3] == ["reference", "created_at", "full_name"]
    assert exported[1][6] == '\'=HYPERLINK("x")'
    as_json = json.loads(
        CliRunner().invoke(main, ["requests", "export", "--format", "json", "--since", "2000-01-01"]).output
    )
    assert as_json[0]["email"] == "ann.smith@nhs.net"
    assert CliRunner().invoke(main, ["requests", "export", "--since", "2999-01-01"]).output.count("\n") == 1


#: What a spreadsheet reads as the start of a formula, each tested in a cell of its own.
FORMULA_STARTS = {"equals": "=", "plus": "+", "minus": "-", "at": "@", "tab": "\t", "carriage-return": "\r"}
#: The export's columns that hold what the requester typed.
TYPED_COLUMNS = ["full_name", "email", "phone", "practice_name", "message"]


@pytest.mark.parametrize("start", FORMULA_STARTS.values(), ids=FORMULA_STARTS.keys())
def test_the_export_keeps_each_typed_value_that_starts_like_a_formula_as_text(
    app, database_url, monkeypatch, directory, start
):
    from click.testing import CliRunner

    from migration_guide.cli import main

    typed = {column: f"{start}{column.upper()}(1)" for column in TYPED_COLUMNS}
    help_requests.store_request(app.extensions["database"], {**help_requests.cleaned_from(GOOD), **typed}, directory)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(app.config["SETTINGS"].instance_dir))
    output = CliRunner().invoke(main, ["requests", "export"]).output
    header, row = list(csv.reader(io.StringIO(output, newline="")))
    exported = dict(zip(header, row, strict=True))
    assert {column: exported[column] for column in TYPED_COLUMNS} == {
        column: "'" + value for column, value in typed.items()
    }


def test_purge_deletes_old_requests_and_their_messages(app, directory, database_url, monkeypatch):
    from click.testing import CliRunner

    from migration_guide.cli import main

    db = app.extensions["database"]
    help_requests.store_request(db, help_requests.cleaned_from(GOOD), directory)
    help_requests.store_request(db, help_requests.cleaned_from({**GOOD, "ods_code": "C12345"}), directory)
    with db.transaction() as cursor:
        cursor.execute(
            "UPDATE help_requests SET created_at = ? WHERE ods_code = 'B86022'", ("2026-01-01T00:00:00.000000Z",)
        )
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(app.config["SETTINGS"].instance_dir))
    assert (
        CliRunner().invoke(main, ["requests", "purge", "--older-than", "30"]).output.strip()
        == "Deleted 1 request(s) older than 30 days."
    )
    assert [r["ods_code"] for r in rows(app, "help_requests")] == ["C12345"]
    assert len(rows(app, "outbox")) == 2


def test_a_production_build_refuses_example_contacts(tmp_path):
    with pytest.raises(ContentError) as caught:
        load_guide(Settings.from_environment(site_env="production", instance_dir=tmp_path, use_render_cache=False))
    assert "still has the example contact gp-migrations.london@example.org" in str(caught.value)


def test_the_scheduled_function_sends_what_is_due_and_purges_expired_requests(
    app, directory, database_url, monkeypatch
):
    import importlib
    import sys
    from pathlib import Path

    settings = app.config["SETTINGS"]
    db = app.extensions["database"]
    help_requests.store_request(db, help_requests.cleaned_from(GOOD), directory)
    help_requests.store_request(db, help_requests.cleaned_from({**GOOD, "ods_code": "C12345"}), directory)
    with db.transaction() as cursor:
        cursor.execute(
            "UPDATE help_requests SET created_at = ? WHERE ods_code = 'C12345'", ("2020-01-01T00:00:00.000000Z",)
        )
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("OUTBOX_DIR", str(settings.outbox_dir))
    sys.path.insert(0, str(Path(__file__).parent.parent / "functions"))
    try:
        outbox_function = importlib.import_module("outbox")
    finally:
        sys.path.pop(0)
    from test_outbox import LambdaContext

    daily = {"retention": True}  # template.yaml's daily schedule
    # Retention runs first: the expired request's two messages go with it, unsent.
    assert outbox_function.handler(daily, LambdaContext(seconds=15)) == {
        "tried": 2,
        "sent": 2,
        "purged": 1,
        "comments_forgotten": 0,
    }
    assert [r["ods_code"] for r in rows(app, "help_requests")] == ["B86022"]


# No email relay


def test_the_confirmation_carries_nothing_the_sender_typed(client, app):
    chosen = "Visit https://evil.example to claim your refund"
    send(client, {**GOOD, "full_name": chosen, "practice_name": chosen, "message": chosen})
    confirmation = next(m for m in rows(app, "outbox") if m["recipient_role"] == "requester")
    assert chosen not in confirmation["personalisation"]
    assert "evil.example" not in confirmation["personalisation"]


@pytest.mark.parametrize("address", ["ann.smith@nhs.net", "ann.smith@wyicb.nhs.uk", "Ann.Smith@NHS.NET"])
def test_nhs_work_addresses_and_their_subdomains_are_accepted(client, app, address):
    assert send(client, {**GOOD, "email": address}).status_code == 200


def test_more_work_email_domains_can_be_allowed(settings_for, database_url, real_guide):
    settings = settings_for(database_url, allowed_email_domains=("nhs.net", "nhs.uk", "example-trust.org.uk"))
    client = create_app(settings, guide=real_guide).test_client()
    assert send(client, {**GOOD, "email": "ann@example-trust.org.uk"}).status_code == 200
    refused = send(client, {**GOOD, "email": "ann@gmail.com"})
    assert refused.status_code == 400 and "example-trust.org.uk" in refused.get_data(as_text=True)


def test_at_most_3_confirmations_go_to_one_address_a_day_and_every_request_still_reaches_its_partner(client, app):
    for number in range(5):
        assert send(client, {**GOOD, "message": f"Request number {number}"}).status_code == 200
    messages = rows(app, "outbox")
    assert sum(m["recipient_role"] == "partner" for m in messages) == 5
    assert sum(m["recipient_role"] == "requester" for m in messages) == outbox.CONFIRMATIONS_PER_DAY == 3


@pytest.mark.parametrize(
    "spelling",
    [
        "victim\u200b@nhs.net",  # zero-width space
        "vic\u200dtim@nhs.net",  # zero-width joiner
        "\ufeffvictim@nhs.net",  # byte order mark
        "vic\u00adtim@nhs.net",  # soft hyphen
        "vic\u2028tim@nhs.net",  # line separator
        "victim\u202e@nhs.net",  # right-to-left override
    ],
)
def test_an_address_with_invisible_characters_is_refused_with_a_field_error(client, app, spelling):
    refused = send(client, {**GOOD, "email": spelling})
    assert refused.status_code == 400
    assert "Work email address must be on one line, without special characters" in refused.get_data(as_text=True)
    assert rows(app, "outbox") == []


@pytest.mark.parametrize(
    "address", ["x@.nhs.net", "x@a..nhs.net", "x,y@nhs.net", "<script>@nhs.net", "(comment)x@nhs.net", '"x y"@nhs.net']
)
def test_an_address_notify_would_refuse_is_refused_before_we_say_we_have_emailed_it(client, app, address):
    refused = send(client, {**GOOD, "email": address})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Enter an email address in the correct format" in html
    assert "We have emailed" not in html and rows(app, "outbox") == []


def test_the_confirmation_cap_counts_one_mailbox_however_it_is_spelt(client, app):
    spellings = ["Victim@nhs.net", "VICTIM@NHS.NET", "victim@Nhs.Net", "\u212aate@nhs.net", "kate@nhs.net"]
    for number, spelling in enumerate(spellings[:3]):
        assert send(client, {**GOOD, "email": spelling, "message": f"Request {number}"}).status_code == 200
    assert send(client, {**GOOD, "email": "victim@nhs.net", "message": "Request 4"}).status_code == 200
    kelvin = [
        send(client, {**GOOD, "email": spelling, "message": f"K {n}"}) for n, spelling in enumerate(spellings[3:])
    ]
    assert [response.status_code for response in kelvin] == [200, 200]
    confirmations = [m["recipient"] for m in rows(app, "outbox") if m["recipient_role"] == "requester"]
    assert confirmations == ["victim@nhs.net"] * 3 + ["kate@nhs.net"] * 2


def test_a_mailbox_has_one_canonical_spelling():
    assert outbox.mailbox("Ann.Smith@NHS.NET") == "ann.smith@nhs.net"
    assert outbox.mailbox("\u212aate@nhs.net") == "kate@nhs.net"  # the Kelvin sign folds to K
    assert outbox.mailbox("ann@bücher.nhs.uk") == "ann@xn--bcher-kva.nhs.uk"


@pytest.mark.parametrize("field", ["full_name", "practice_name", "phone"])
@pytest.mark.parametrize("character", ["\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069", "\u200b"])
def test_every_single_line_field_refuses_separators_bidi_controls_and_zero_width_characters(client, field, character):
    value = {"full_name": "Ann Smith", "practice_name": "The Surgery", "phone": "01632 960 001"}[field]
    refused = send(client, {**GOOD, field: value[:3] + character + value[3:]})
    assert refused.status_code == 400 and "must be on one line, without special characters" in refused.get_data(
        as_text=True
    )


# One list of fields drives the form, its checks, the store, the export, purge and the emails

#: A field as someone would add it: nothing else in the code or the templates is edited for it.
PATIENTS = RequestField(
    "registered_patients",
    "Number of registered patients (optional)",
    "text",
    "practice",
    email_label="Registered patients",
    required=False,
    max_length=7,
)
#: A personal field as someone would add it.
MOBILE = RequestField("mobile", "Mobile number (optional)", "tel", "you", required=False, max_length=20, personal=True)


def export_of(app, database_url, monkeypatch, output="json"):
    from click.testing import CliRunner

    from migration_guide.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(app.config["SETTINGS"].instance_dir))
    text = CliRunner().invoke(main, ["requests", "export", "--format", output]).output
    if output == "json":
        return json.loads(text)
    header, *lines = list(csv.reader(io.StringIO(text, newline="")))
    return [dict(zip(header, line, strict=True)) for line in lines]


def test_a_field_added_to_the_list_reaches_the_form_its_checks_the_store_the_export_and_the_partner(
    app, client, monkeypatch, database_url
):
    monkeypatch.setattr(request_fields, "FIELDS", (*request_fields.FIELDS, PATIENTS))
    page = client.get("/request-help/").get_data(as_text=True)
    assert 'name="registered_patients"' in page and "Number of registered patients (optional)" in page
    practice_part = page.split(">About the practice<")[1].split(">About the migration<")[0]
    assert 'id="registered-patients"' in practice_part  # in its section of the form

    refused = send(client, {**GOOD, "registered_patients": "12345678"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Number of registered patients (optional) must be 7 characters or fewer" in html
    assert 'href="#registered-patients"' in html and 'value="12345678"' in html  # linked, and kept as typed

    assert send(client, {**GOOD, "registered_patients": "9 500"}).status_code == 200
    assert rows(app, "help_requests")[0]["registered_patients"] == "9 500"
    to_partner, to_requester = (json.loads(m["personalisation"])["body"] for m in rows(app, "outbox"))
    assert "\nRegistered patients: 9 500\n" in to_partner
    assert "9 500" not in to_requester  # typed text never goes to the address that was typed
    assert [row["registered_patients"] for row in export_of(app, database_url, monkeypatch)] == ["9 500"]
    assert [row["registered_patients"] for row in export_of(app, database_url, monkeypatch, "csv")] == ["9 500"]


def test_a_field_left_blank_is_not_given_in_the_partners_email(app, client, monkeypatch):
    monkeypatch.setattr(request_fields, "FIELDS", (*request_fields.FIELDS, PATIENTS))
    assert send(client, {**GOOD, "phone": ""}).status_code == 200
    body = json.loads(rows(app, "outbox")[0]["personalisation"])["body"]
    assert "\nPhone number: Not given\n" in body and "\nRegistered patients: Not given" in body


def test_every_personal_field_is_exported_and_then_purged_with_its_request(app, directory, monkeypatch, database_url):
    monkeypatch.setattr(request_fields, "FIELDS", (*request_fields.FIELDS, MOBILE))
    personal = [spec for spec in request_fields.FIELDS if spec.personal]
    # Who the person is and how to reach them; the list's flags say so (a flag dropped would fail here).
    assert [spec.name for spec in personal] == ["full_name", "email", "phone", "mobile"]
    values = {"full_name": "Zed Quillfeather", "email": "zed.quillfeather@nhs.net", "phone": "01632 960 999"}
    values["mobile"] = "07700 900 999"
    settings = app.config["SETTINGS"]
    db = app.extensions["database"]
    stored = help_requests.store_request(db, help_requests.cleaned_from({**GOOD, **values}), directory)
    outbox.deliver_due(db, outbox.sender_for(settings), ids=stored.message_ids)  # message files too

    for output in ("json", "csv"):
        [exported] = export_of(app, database_url, monkeypatch, output)
        assert {spec.name: exported[spec.name] for spec in personal} == values, output

    later = datetime.now(UTC) + timedelta(days=settings.request_retention_days + 1)
    assert help_requests.purge(db, settings.request_retention_days, outbox.outbox_dir(settings), now=later) == 1
    left = json.dumps([rows(app, "help_requests"), rows(app, "outbox")])
    left += "".join(path.read_text() for path in settings.outbox_dir.glob("*.json"))
    assert [value for value in values.values() if value in left] == []
    assert export_of(app, database_url, monkeypatch) == []


def test_the_list_refuses_a_personal_field_left_out_of_the_export():
    with pytest.raises(ValueError, match="mobile is personal data, so it must be exported"):
        RequestField("mobile", "Mobile number", "tel", "you", personal=True, exported=False)


def test_the_list_refuses_typed_text_in_the_requesters_email():
    with pytest.raises(ValueError, match="only a choice may go in the requester's email"):
        RequestField("nickname", "Nickname", "text", "you", to_requester=True)
    assert RequestField("region", "Region", "select", "practice", choices=("North",), to_requester=True)


def test_a_required_field_added_without_its_own_message_still_says_what_to_do(app, client, monkeypatch):
    trust = RequestField("trust_name", "Trust name", "text", "practice", max_length=80)
    go_live = RequestField("go_live_date", "Planned go-live date", "date", "migration", input_name="go_live")
    fields = tuple(spec for spec in request_fields.FIELDS if spec.name != "go_live_date")
    monkeypatch.setattr(request_fields, "FIELDS", (*fields, trust, go_live))
    data = {**GOOD, "go_live_day": "", "go_live_month": "", "go_live_year": ""}
    html = send(client, data).get_data(as_text=True)
    assert "Enter trust name" in html and 'href="#trust-name"' in html
    assert "Enter planned go-live date" in html and 'href="#go-live-day"' in html
    assert rows(app, "help_requests") == []


def test_every_field_of_the_list_is_on_the_form_in_order(client):
    page = client.get("/request-help/").get_data(as_text=True)
    positions = [page.index(f'id="{spec.element_id}') for spec in request_fields.FIELDS]
    assert positions == sorted(positions)


# Personal data really goes


def test_purge_reaches_every_copy_the_outbox_files_and_sqlites_write_ahead_log(settings_for, real_guide, directory):
    settings = settings_for()  # SQLite, messages written as files
    app = create_app(settings, guide=real_guide)
    db = app.extensions["database"]
    secret = "purge.me.please@nhs.net"
    stored = help_requests.store_request(db, help_requests.cleaned_from({**GOOD, "email": secret}), directory)
    outbox.deliver_due(db, outbox.sender_for(settings), ids=stored.message_ids)
    files = list(settings.outbox_dir.glob(f"{stored.reference}-*.json"))
    assert len(files) == 2 and any(secret in path.read_text() for path in files)

    later = datetime.now(UTC) + timedelta(days=91)
    assert help_requests.purge(db, 90, outbox.outbox_dir(settings), now=later) == 1
    assert list(settings.outbox_dir.glob(f"{stored.reference}-*.json")) == []
    database_file = settings.instance_dir / "guide.sqlite3"
    wal = database_file.with_name(database_file.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert secret.encode() not in database_file.read_bytes()


def test_feedback_comments_are_forgotten_after_their_retention_but_the_answers_stay(database):
    from migration_guide.forms import feedback

    feedback.save(database, "/guide/", "intro", "no", "My name is Ann and my number is 01632 960001", "v1")
    assert feedback.forget_old_comments(database, 365) == 0
    assert feedback.forget_old_comments(database, 365, now=datetime.now(UTC) + timedelta(days=366)) == 1
    [section] = feedback.report(database, {"/guide/": "v1"})
    assert (section.since.no, section.comments, section.comment_count) == (1, [], 0)


def test_terminal_control_characters_in_stored_text_never_reach_a_terminal_raw(
    app, database_url, monkeypatch, directory
):
    from click.testing import CliRunner

    from migration_guide.cli import main
    from migration_guide.forms import feedback

    escape = "\x1b]0;pwned\x07\x1b[2J"
    db = app.extensions["database"]
    feedback.save(db, "/guide/", "intro", "no", f"Bad {escape} comment", "v1")
    help_requests.store_request(db, help_requests.cleaned_from({**GOOD, "message": f"Help {escape}"}), directory)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(app.config["SETTINGS"].instance_dir))
    for command in (
        ["feedback", "report"],
        ["feedback", "report", "--format", "csv"],
        ["requests", "export"],
        ["requests", "export", "--format", "json"],
    ):
        output = CliRunner().invoke(main, [*command, "--since", "2000-01-01"]).output
        assert "\x1b" not in output and "\x07" not in output, command


def test_the_partners_email_shows_the_message_as_plain_text_not_notify_formatting(client, app):
    message = (
        "# Action needed\n^ Your account is locked\n---\n* [Log in here](https://evil.example/login) ((reference))"
    )
    assert send(client, {**GOOD, "message": message}).status_code == 200
    to_partner = json.loads(next(m for m in rows(app, "outbox") if m["recipient_role"] == "partner")["personalisation"])
    assert to_partner["body"].endswith(
        "Message\n| # Action needed\n| ^ Your account is locked\n| ---\n"
        "| * [Log in here] (https://evil.example/login) ( (reference) )"
    )
    assert rows(app, "help_requests")[-1]["message"] == message  # stored as typed


def test_json_export_carries_no_c1_bidi_or_separator_characters_raw(app, database_url, monkeypatch, directory):
    from click.testing import CliRunner

    from migration_guide.cli import main

    hidden = "\u009b2J \u202e \u2028 \u2066"
    db = app.extensions["database"]
    help_requests.store_request(db, help_requests.cleaned_from({**GOOD, "message": f"Help {hidden}"}), directory)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(app.config["SETTINGS"].instance_dir))
    output = CliRunner().invoke(main, ["requests", "export", "--format", "json"]).output
    assert not any(c in output for c in "\u009b\u202e\u2028\u2066")
    assert json.loads(output)[0]["message"] == f"Help {hidden}"  # the data itself is kept, escaped


def test_a_hanging_notify_never_holds_the_request_past_its_send_budget(notify, monkeypatch):
    from migration_guide.forms import views

    app, _, server = notify
    monkeypatch.setattr(views, "SEND_BUDGET", 0.5)

    answered = threading.Event()

    def hanging(request):
        time.sleep(2)
        answered.set()
        return Response(json.dumps({"id": "late"}), status=201, content_type="application/json")

    server.expect_request("/v2/notifications/email").respond_with_handler(hanging)
    started = time.monotonic()
    response = send(app.test_client())
    assert response.status_code == 200 and "Request sent" in response.get_data(as_text=True)
    assert time.monotonic() - started < 1.5
    statuses = [(m["recipient_role"], m["status"], m["attempts"]) for m in rows(app, "outbox")]
    assert statuses == [("partner", "queued", 1), ("requester", "queued", 0)]  # the second is left for later
    answered.wait(5)  # the fake Notify finishes before the next test uses it


def test_a_timed_out_send_is_logged_as_possibly_delivered_twice_with_its_reference(notify, caplog):
    app, settings, server = notify

    answered = threading.Event()

    def slow(request):
        time.sleep(1)
        answered.set()
        return Response(json.dumps({"id": "late"}), status=201, content_type="application/json")

    server.expect_request("/v2/notifications/email").respond_with_handler(slow)
    db = app.extensions["database"]
    stored = help_requests.store_request(
        db, help_requests.cleaned_from(GOOD), Directory.from_data(app.extensions["site_source"].site.data)
    )
    with caplog.at_level(logging.WARNING, logger="migration_guide.forms.outbox"):
        outbox.deliver_due(db, outbox.sender_for(settings, timeout=0.3), ids=stored.message_ids[:1])
    [warning] = [
        r.getMessage()
        for r in caplog.records
        if r.name == "migration_guide.forms.outbox" and r.levelno == logging.WARNING
    ]
    assert stored.reference in warning and "at least once" in warning
    assert GOOD["email"] not in warning
    answered.wait(5)  # the fake Notify finishes before the next test uses it


def test_failed_messages_can_be_queued_again_and_the_outbox_reports_them(notify, monkeypatch, database_url):
    from click.testing import CliRunner

    from migration_guide.cli import main

    app, settings, server = notify
    notify_replies(server, 400, count=2)
    send(app.test_client())
    assert [m["status"] for m in rows(app, "outbox")] == ["failed", "failed"]
    for name, value in (
        ("DATABASE_URL", database_url),
        ("INSTANCE_DIR", str(settings.instance_dir)),
        ("NOTIFY_API_KEY", settings.notify_api_key),
        ("NOTIFY_BASE_URL", settings.notify_base_url),
        ("NOTIFY_TEMPLATE_PARTNER", "tpl-partner"),
        ("NOTIFY_TEMPLATE_REQUESTER", "tpl-requester"),
    ):
        monkeypatch.setenv(name, value)
    listing = CliRunner().invoke(main, ["outbox", "list"]).output
    assert "2 message(s) failed" in listing and "retry --failed" in listing
    notify_replies(server, 201, count=2)
    output = CliRunner().invoke(main, ["outbox", "retry", "--failed"]).output
    assert "Queued 2 failed message(s) again." in output and "2 sent" in output
    assert [m["status"] for m in rows(app, "outbox")] == ["sent", "sent"]
