"""The delivery-partner directory as data the team keeps: imported whole from a CSV or not at all, checked,
and a fallback so that no help request is ever routed nowhere."""

import dataclasses
import json
import shutil
from urllib.parse import urlencode

import pytest
import yaml
from click.testing import CliRunner
from conftest import REAL_CONTENT

from migration_guide.cli import main
from migration_guide.config import Settings
from migration_guide.content.directory import Directory, Partner
from migration_guide.content.loading import load_guide
from migration_guide.forms import help_requests
from migration_guide.pages.app import create_app

HEADER = "icb_code,partner_name,email,phone,reply_within_working_days\n"


@pytest.fixture
def content(tmp_path):
    """A content folder holding a copy of the real directory files."""
    data = tmp_path / "content" / "data"
    data.mkdir(parents=True)
    for name in ("icbs.yml", "delivery_partners.yml"):
        shutil.copy(REAL_CONTENT / "data" / name, data / name)
    return tmp_path / "content"


def active_icbs() -> list[dict]:
    icbs = yaml.safe_load((REAL_CONTENT / "data" / "icbs.yml").read_text())["icbs"]
    return [icb for icb in icbs if icb["status"] == "active"]


def full_list() -> str:
    """A real-looking list: one partner per region, every active ICB."""
    rows = [
        f"{icb['code']},{icb['region']} GP IT Delivery,gp-it.{icb['region'].lower().replace(' ', '-')}@nhs.net,,\n"
        for icb in active_icbs()
    ]
    return HEADER + "".join(rows)


def run(*args):
    return CliRunner().invoke(main, [*(str(arg) for arg in args)])


def directory_of(content) -> Directory:
    data = {
        name: yaml.safe_load((content / "data" / f"{name}.yml").read_text()) for name in ("icbs", "delivery_partners")
    }
    return Directory.from_data(data)


def test_a_good_list_replaces_the_directory_whole(content, tmp_path):
    listing = tmp_path / "partners.csv"
    listing.write_text(full_list().replace("QWO,North East and Yorkshire GP IT Delivery,", "QWO,West Yorkshire ICS,"))
    result = run("partners", "import", listing, "--content", content)
    assert result.exit_code == 0, result.output
    assert "Imported 36 ICB(s) and 8 delivery partner(s)" in result.output
    directory = directory_of(content)
    assert directory.partner_for("QWO").name == "West Yorkshire ICS"
    assert directory.partner_for("QHL") == Partner(
        "midlands-gp-it-delivery", "Midlands GP IT Delivery", "gp-it.midlands@nhs.net", "2 working days"
    )
    assert not any(partner.is_example for partner in directory.partners.values())
    assert directory.problems(production=True) == []


def test_the_import_keeps_icbs_yml_as_written_and_changes_only_delivery_partner_lines(content, tmp_path):
    before = (content / "data" / "icbs.yml").read_text().splitlines()
    listing = tmp_path / "partners.csv"
    listing.write_text(full_list())
    assert run("partners", "import", listing, "--content", content).exit_code == 0
    after = (content / "data" / "icbs.yml").read_text().splitlines()
    assert len(after) == len(before)
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert changed and all(new.startswith("    delivery_partner: ") for _, new in changed)
    assert after[:3] == before[:3]  # the comments at the top stay


def test_phone_and_reply_time_are_optional_columns(content, tmp_path):
    listing = tmp_path / "partners.csv"
    listing.write_text(
        "icb_code,partner_name,email,phone,reply_within_working_days\n"
        "QWO,West Yorkshire ICS,gp-migrations@wyics.nhs.uk,0113 496 0000,1\n"
    )
    assert run("partners", "import", listing, "--content", content).exit_code == 0
    partners = yaml.safe_load((content / "data" / "delivery_partners.yml").read_text())["partners"]
    assert partners == {
        "west-yorkshire-ics": {
            "name": "West Yorkshire ICS",
            "email": "gp-migrations@wyics.nhs.uk",
            "replies_within": "1 working day",
            "phone": "0113 496 0000",
        }
    }
    only_required = tmp_path / "required.csv"
    only_required.write_text("icb_code,partner_name,email\nqwo,West Yorkshire ICS,gp-migrations@wyics.nhs.uk\n")
    assert run("partners", "import", only_required, "--content", content).exit_code == 0
    assert directory_of(content).partner_for("QWO").replies_within == "2 working days"


def test_a_bad_list_changes_nothing_and_names_every_bad_line(content, tmp_path):
    files = {name: (content / "data" / name).read_bytes() for name in ("icbs.yml", "delivery_partners.yml")}
    listing = tmp_path / "partners.csv"
    listing.write_text(
        HEADER
        + "QWO,West Yorkshire ICS,gp-migrations@wyics.nhs.uk,,\n"  # line 2: good
        + "XXX,Nobody,someone@nhs.net,,\n"  # line 3
        + "QHG,Old ICB partner,old@nhs.net,,\n"  # line 4: merged
        + "QHL,Midlands,not-an-address,,\n"  # line 5
        + "QUA,Midlands,someone@gmail.com,,\n"  # line 6
        + "QWO,Another partner,another@nhs.net,,\n"  # line 7: QWO again
        + "QUY,,south-west@nhs.net,,\n"  # line 8
        + "QT6,South West,south-west@example.org,,\n"  # line 9
        + 'QYG,North West,"north-west@nhs.net",12,ten\n'  # line 10
        + "\n"  # a blank line is skipped
        + "QJ2,West Yorkshire ICS,other@wyics.nhs.uk,,\n"  # line 12: same partner, other address
    )
    result = run("partners", "import", listing, "--content", content)
    assert result.exit_code == 1
    assert f"{listing} has 10 problem(s); nothing changed:" in result.stderr
    named = [line.strip().removeprefix(f"{listing}: ") for line in result.stderr.splitlines()[1:]]
    assert named == [
        "line 3: ICB code XXX is not in data/icbs.yml",
        "line 4: ICB QHG (NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board) is merged, not active: "
        "give S1Y5D instead",
        "line 5: email not-an-address is not an email address, like gp-migrations@nhs.net",
        "line 6: email someone@gmail.com is a personal mailbox: give the partner's work address",
        "line 7: ICB QWO is also on line 2: give each ICB one partner",
        "line 8: partner_name is empty",
        "line 9: email south-west@example.org is on a reserved example domain: give the partner's real work address",
        "line 10: phone 12 is not a phone number, like 01632 960 001",
        "line 10: reply_within_working_days ten is not a whole number of days from 1 to 20",
        "line 12: West Yorkshire ICS has other contact details here than on line 2",
    ]
    assert {name: (content / "data" / name).read_bytes() for name in files} == files


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ('=HYPERLINK("https://evil.example")', "starts with =, which a spreadsheet would run as a formula"),
        ("[Click here](https://evil.example)", "holds [ ]: a partner's name needs only words"),
        ("# Action needed", "holds #: a partner's name needs only words"),
        ("North\u202eEast", "holds a control or invisible character"),
        ("N" * 121, "partner_name is over 120 characters long"),
    ],
)
def test_a_partner_name_is_checked_like_every_other_cell(content, tmp_path, name, problem):
    listing = tmp_path / "partners.csv"
    quoted = name.replace('"', '""')
    listing.write_text(HEADER + f'QWO,"{quoted}",gp-migrations@wyics.nhs.uk,,\n', encoding="utf-8")
    result = run("partners", "import", listing, "--content", content)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{listing}: line 2: " in result.stderr and problem in result.stderr


def test_an_oversize_cell_or_file_is_refused_quickly_by_line_without_a_traceback(content, tmp_path):
    import time

    listing = tmp_path / "partners.csv"
    listing.write_text(HEADER + "QWO,West Yorkshire," + "a" * 200_000 + "@nhs.net,,\n")
    result = run("partners", "import", listing, "--content", content)
    assert result.exit_code == 1 and "Traceback" not in result.output and f"{listing}: line 2: " in result.stderr
    listing.write_text(HEADER + "XXX,Nobody,someone@nhs.net,,\n" * 2_000_000)  # 54 MB
    started = time.monotonic()
    result = run("partners", "import", listing, "--content", content)
    assert time.monotonic() - started < 5
    assert result.exit_code == 1 and "a partner list is at most 1,000,000" in result.stderr
    assert len(result.stderr.splitlines()) < 10
    listing.write_text(HEADER + "XXX,Nobody,someone@nhs.net,,\n" * 1000)
    result = run("partners", "import", listing, "--content", content)
    assert "and 950 more problems not listed" in result.stderr and len(result.stderr.splitlines()) == 52


def test_a_header_without_the_required_columns_is_line_1(content, tmp_path):
    files = {name: (content / "data" / name).read_bytes() for name in ("icbs.yml", "delivery_partners.yml")}
    listing = tmp_path / "partners.csv"
    listing.write_text("icb,partner_name,mail\nQWO,West Yorkshire ICS,a@nhs.net\n")
    result = run("partners", "import", listing, "--content", content)
    assert result.exit_code == 1
    assert "line 1: the header has no icb_code, email column" in result.stderr
    assert "line 1: unknown column 'icb', 'mail'" in result.stderr
    assert {name: (content / "data" / name).read_bytes() for name in files} == files


def test_a_quoted_cell_over_two_lines_still_names_the_line_each_row_starts_on(content, tmp_path):
    listing = tmp_path / "partners.csv"
    listing.write_text(HEADER + 'QWO,"West Yorkshire\nICS",a@nhs.net,,\nXXX,B,b@nhs.net,,\n')
    assert (
        "line 4: ICB code XXX is not in data/icbs.yml"
        in run("partners", "import", listing, "--content", content).stderr
    )


def test_an_icb_the_list_leaves_out_has_no_partner_and_is_reported(content, tmp_path):
    listing = tmp_path / "partners.csv"
    listing.write_text("icb_code,partner_name,email\nQWO,West Yorkshire ICS,gp-migrations@wyics.nhs.uk\n")
    result = run("partners", "import", listing, "--content", content)
    assert result.exit_code == 0
    assert "35 active ICB(s) have no partner, so their requests go to the fallback" in result.output
    directory = directory_of(content)
    assert directory.partner_for("QHL") is None and directory.partner_for("QWO").name == "West Yorkshire ICS"
    assert directory.problems(production=False) == []
    assert (
        "ICB QHL (NHS Birmingham and Solihull Integrated Care Board) has no delivery partner: "
        "its requests would go to the fallback"
    ) in directory.problems(production=True)
    listing.write_text(full_list())  # a full list again gives each of them its line back
    assert run("partners", "import", listing, "--content", content).exit_code == 0
    assert directory_of(content).problems(production=True) == []
    original = (REAL_CONTENT / "data" / "icbs.yml").read_text().splitlines()
    assert len((content / "data" / "icbs.yml").read_text().splitlines()) == len(original)


def test_partners_check_lists_every_active_icbs_route_and_what_is_wrong(content, tmp_path, monkeypatch):
    monkeypatch.setenv("FALLBACK_PARTNER_EMAIL", "guide-team@nhs.net")
    listing = tmp_path / "partners.csv"
    listing.write_text("icb_code,partner_name,email\nQWO,West Yorkshire ICS,gp-migrations@wyics.nhs.uk\n")
    run("partners", "import", listing, "--content", content)
    (content / "data" / "delivery_partners.yml").write_text(
        (content / "data" / "delivery_partners.yml").read_text().replace("wyics.nhs.uk", "example.org")
    )
    result = run("partners", "check", "--content", content)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].split()[:5] == ["ICB", "name", "route", "email", "problem"]
    assert len([line for line in lines if "Integrated Care Board" in line and "route" not in line]) >= 36
    qwo = next(line for line in lines if line.startswith("QWO "))
    assert "West Yorkshire ICS" in qwo and "gp-migrations@example.org" in qwo and qwo.endswith("EXAMPLE address")
    qhl = next(line for line in lines if line.startswith("QHL "))
    assert "GP practice migration guide team" in qhl and "guide-team@nhs.net" in qhl
    assert qhl.endswith("NO PARTNER: goes to the fallback")
    assert "Fallback (FALLBACK_PARTNER_EMAIL): guide-team@nhs.net" in result.output
    assert "36 problem(s) a production build refuses:" in result.output


def test_partners_check_passes_when_every_icb_has_a_real_partner(content, tmp_path):
    listing = tmp_path / "partners.csv"
    listing.write_text(full_list())
    run("partners", "import", listing, "--content", content)
    result = run("partners", "check", "--content", content)
    assert result.exit_code == 0, result.output
    assert "All 36 active ICBs route to a real delivery partner." in result.output


def test_the_real_guide_still_has_example_partners_and_check_says_so():
    result = run("partners", "check")
    assert result.exit_code == 1
    assert "EXAMPLE address" in result.output
    assert "delivery partner 'london' still has the example contact gp-migrations.london@example.org" in result.output


# The fallback route


#: A help request from a practice in the ICB these tests leave without a partner.
REQUEST_FOR_QWO = {
    "full_name": "Ann Smith",
    "email": "ann.smith@nhs.net",
    "role": "Practice manager",
    "practice_name": "High Street Surgery",
    "ods_code": "B86022",
    "icb": "QWO",
    "phase": "Kick-off",
    "current_system": "EMIS Web",
    "new_system": "SystmOne",
}


def test_a_request_for_an_icb_with_no_partner_goes_to_the_fallback(database):
    directory = Directory.from_data(
        {"icbs": {"icbs": [{"code": "QWO", "name": "West Yorkshire", "status": "active"}]}},
        Partner.fallback("guide-team@nhs.net"),
    )
    details = help_requests.cleaned_from({**REQUEST_FOR_QWO, "message": "Help"})
    stored = help_requests.store_request(database, details, directory)
    assert stored.partner.key == "fallback"
    with database.transaction() as cursor:
        assert cursor.execute("SELECT partner FROM help_requests").one()["partner"] == "fallback"
        to_partner = cursor.execute("SELECT recipient FROM outbox WHERE recipient_role = 'partner'").one()
    assert to_partner["recipient"] == "guide-team@nhs.net"


@pytest.fixture(scope="module")
def guide_without_a_partner_for_qwo(tmp_path_factory):
    guide = load_guide(Settings.from_environment(instance_dir=tmp_path_factory.mktemp("instance")))
    icbs = [
        {key: value for key, value in icb.items() if not (icb["code"] == "QWO" and key == "delivery_partner")}
        for icb in guide.data["icbs"]["icbs"]
    ]
    return dataclasses.replace(guide, data={**guide.data, "icbs": {"icbs": icbs}})


def test_the_form_routes_an_icb_with_no_partner_to_the_fallback_setting(guide_without_a_partner_for_qwo, tmp_path):
    settings = Settings.from_environment(
        instance_dir=tmp_path / "instance",
        database_url="",
        outbox_dir=tmp_path / "outbox",
        fallback_partner_email="guide-team@nhs.net",
    )
    app = create_app(settings, guide=guide_without_a_partner_for_qwo)
    form = {**REQUEST_FOR_QWO, "message": "We need help."}
    response = app.test_client().post(
        "/api/request-help",
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
        headers={"Origin": settings.site_url, "Accept": "application/json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["partner"] == "GP practice migration guide team"
    sent = [json.loads(path.read_text()) for path in sorted((tmp_path / "outbox").iterdir())]
    assert [message["to"] for message in sent] == ["guide-team@nhs.net", "ann.smith@nhs.net"]


def test_the_fallback_address_is_a_setting_with_a_development_default(monkeypatch):
    assert Settings.from_environment().fallback_partner_email == "gp-migrations.fallback@example.org"
    monkeypatch.setenv("FALLBACK_PARTNER_EMAIL", "guide-team@nhs.net")
    assert Settings.from_environment().fallback_partner_email == "guide-team@nhs.net"


def test_a_row_with_more_cells_than_the_header_is_refused_naming_its_line(content, tmp_path):
    listing = tmp_path / "partners.csv"
    listing.write_text(HEADER + "QWO,West Yorkshire ICS,a@nhs.net,,3,surplus\n")
    result = run("partners", "import", listing, "--content", content)
    assert result.exit_code == 1
    assert "line 2: 6 cells, but the header names 5 columns" in result.stderr


@pytest.mark.parametrize("days, accepted", [("0", False), ("1", True), ("20", True), ("21", False)])
def test_a_partner_replies_within_1_to_20_working_days(content, tmp_path, days, accepted):
    listing = tmp_path / "partners.csv"
    listing.write_text(HEADER + f"QWO,West Yorkshire ICS,gp-migrations@wyicb.nhs.uk,,{days}\n")
    result = run("partners", "import", listing, "--content", content)
    message = f"line 2: reply_within_working_days {days} is not a whole number of days from 1 to 20"
    assert (message in result.stderr) is not accepted, result.stderr
