"""The delivery-partner list the team keeps as a CSV: every row checked, then the directory replaced whole.

A list has one row per ICB: `icb_code,partner_name,email`, and optionally `phone` and
`reply_within_working_days`. Either every row is good and both directory files are replaced
(`data/delivery_partners.yml`, and each ICB's `delivery_partner` in `data/icbs.yml`), or nothing
changes and every bad line is named by its line in the file (the header is line 1).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from .directory import Directory, Partner, is_example_address

REQUIRED_COLUMNS = ("icb_code", "partner_name", "email")
OPTIONAL_COLUMNS = ("phone", "reply_within_working_days")
DEFAULT_REPLY_DAYS = 2
#: England has 42 ICBs: a real list is a few kilobytes, so a bigger file is refused before it is parsed.
MAX_FILE_CHARACTERS = 1_000_000
#: No cell of a real list is longer than an email address may be.
MAX_CELL_CHARACTERS = 254
MAX_NAME_CHARACTERS = 120
#: A broken file is named by its first problems, not by hundreds of thousands of lines.
MAX_PROBLEMS = 50
#: Characters a partner name never needs that would start a formula in a spreadsheet or shape an email.
FORMULA_STARTS = ("=", "+", "-", "@")
MARKUP_CHARACTERS = frozenset("[]<>`*^#|{}\\")
EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
#: Personal mailboxes: a partner's requests carry practice details, so they go to a work address.
PERSONAL_DOMAINS = frozenset(
    {
        "aol.com",
        "btinternet.com",
        "gmail.com",
        "googlemail.com",
        "hotmail.co.uk",
        "hotmail.com",
        "icloud.com",
        "live.co.uk",
        "outlook.com",
        "yahoo.co.uk",
        "yahoo.com",
    }
)
PARTNERS_HEADER = """\
# Delivery partners that take help requests, and the ICBs each one covers (`delivery_partner` in icbs.yml).
# Written by `guide partners import` from the team's partner list: change the list and import it again
# rather than editing this file by hand. `guide partners check` shows every ICB's route.
"""


class PartnerListError(Exception):
    """A list that was refused; carries every problem, each naming its line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class PartnerList:
    #: Partner key → partner, in the order the list first names them.
    partners: dict[str, Partner]
    #: ICB code → partner key.
    routes: dict[str, str]


def read_partner_list(text: str, directory: Directory) -> PartnerList:
    """The list in `text`, checked against the ICBs of `directory`. Raises `PartnerListError`."""
    if len(text) > MAX_FILE_CHARACTERS:
        raise PartnerListError(
            [f"line 1: the file has {len(text):,} characters; a partner list is at most {MAX_FILE_CHARACTERS:,}"]
        )
    try:
        rows = list(_rows_with_lines(text))
    except csv.Error as error:  # a cell past the csv module's own limit, or a NUL
        raise PartnerListError([f"line {error.args[1] if len(error.args) > 1 else 1}: {error.args[0]}"]) from None
    if not rows or not any(cells for _, cells in rows):
        raise PartnerListError(["line 1: the file is empty: it needs a header and a row for each ICB"])
    (_, header), body = rows[0], rows[1:]
    header = [name.strip().lower() for name in header]
    problems = _header_problems(header)
    if problems:
        raise PartnerListError(problems)

    partners: dict[str, Partner] = {}
    partner_lines: dict[str, int] = {}
    routes: dict[str, str] = {}
    icb_lines: dict[str, int] = {}
    for line, cells in body:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) > len(header):
            problems.append(f"line {line}: {len(cells)} cells, but the header names {len(header)} columns")
            continue
        row = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
        found = _row_problems(row, directory)
        code = row.get("icb_code", "").upper()
        if code in icb_lines:
            found.append(f"ICB {code} is also on line {icb_lines[code]}: give each ICB one partner")
        if found:
            problems.extend(f"line {line}: {problem}" for problem in found)
            continue
        icb_lines[code] = line
        partner = _partner(row, partners)
        earlier = partners.get(partner.key)
        if earlier and earlier != partner:
            problems.append(
                f"line {line}: {partner.name} has other contact details here than on line {partner_lines[partner.key]}"
            )
            continue
        partners.setdefault(partner.key, partner)
        partner_lines.setdefault(partner.key, line)
        routes[code] = partner.key
    if not problems and not routes:
        problems.append("line 2: the list has no rows: no ICB would have a delivery partner")
    if problems:
        if len(problems) > MAX_PROBLEMS:
            problems = [*problems[:MAX_PROBLEMS], f"and {len(problems) - MAX_PROBLEMS:,} more problems not listed"]
        raise PartnerListError(problems)
    return PartnerList(partners, routes)


def _rows_with_lines(text: str):
    """Each CSV row with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))  # Excel starts UTF-8 files with a BOM
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise csv.Error(str(error), line) from None
        yield line, cells
        line = reader.line_num + 1


def _header_problems(header: list[str]) -> list[str]:
    problems = []
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        problems.append(
            f"line 1: the header has no {', '.join(missing)} column (it needs {','.join(REQUIRED_COLUMNS)})"
        )
    unknown = [name for name in header if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        problems.append(f"line 1: unknown column {', '.join(repr(name) for name in unknown)}")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        problems.append(f"line 1: column {', '.join(repeated)} is named twice")
    return problems


def _row_problems(row: dict[str, str], directory: Directory) -> list[str]:
    problems = []
    code = row.get("icb_code", "").upper()
    icb = directory.icbs.get(code)
    if not code:
        problems.append("icb_code is empty")
    elif icb is None:
        problems.append(f"ICB code {code} is not in data/icbs.yml")
    elif not icb.is_active:
        successors = f": give {' or '.join(icb.successors)} instead" if icb.successors else ""
        problems.append(f"ICB {code} ({icb.name}) is {icb.status}, not active{successors}")
    long_cells = [name for name, cell in row.items() if len(cell) > MAX_CELL_CHARACTERS]
    if long_cells:
        return [f"{name} is over {MAX_CELL_CHARACTERS} characters long" for name in long_cells]
    name = row.get("partner_name", "")
    if not name:
        problems.append("partner_name is empty")
    elif len(name) > MAX_NAME_CHARACTERS:
        problems.append(f"partner_name is over {MAX_NAME_CHARACTERS} characters long")
    elif any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        problems.append("partner_name holds a control or invisible character: type the name again")
    elif name.startswith(FORMULA_STARTS):
        problems.append(f"partner_name {name} starts with {name[0]}, which a spreadsheet would run as a formula")
    elif found := sorted(MARKUP_CHARACTERS.intersection(name)):
        problems.append(f"partner_name {name} holds {' '.join(found)}: a partner's name needs only words")
    problems.extend(_email_problems(row.get("email", "")))
    phone = row.get("phone", "")
    digits = re.sub(r"[\s()+-]", "", phone)
    if phone and (not digits.isdigit() or not 10 <= len(digits) <= 13):
        problems.append(f"phone {phone} is not a phone number, like 01632 960 001")
    days = row.get("reply_within_working_days", "")
    if days and not (days.isdigit() and 1 <= int(days) <= 20):
        problems.append(f"reply_within_working_days {days} is not a whole number of days from 1 to 20")
    return problems


def _email_problems(email: str) -> list[str]:
    if not email:
        return ["email is empty"]
    if not EMAIL.match(email):
        return [f"email {email} is not an email address, like gp-migrations@nhs.net"]
    domain = email.rsplit("@", 1)[1].lower()
    if domain in PERSONAL_DOMAINS:
        return [f"email {email} is a personal mailbox: give the partner's work address"]
    if is_example_address(email):
        return [f"email {email} is on a reserved example domain: give the partner's real work address"]
    return []


def _partner(row: dict[str, str], partners: dict[str, Partner]) -> Partner:
    name = row["partner_name"]
    key = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "partner"
    taken = {p.key for p in partners.values() if p.name != name}
    base, number = key, 2
    while key in taken:  # two names that make the same key
        key, number = f"{base}-{number}", number + 1
    days = int(row.get("reply_within_working_days") or DEFAULT_REPLY_DAYS)
    replies_within = f"{days} working day{'' if days == 1 else 's'}"
    return Partner(key, name, row["email"], replies_within, row.get("phone", ""))


def partners_text(partner_list: PartnerList) -> str:
    partners = {}
    for partner in partner_list.partners.values():
        entry = {"name": partner.name, "email": partner.email, "replies_within": partner.replies_within}
        if partner.phone:
            entry["phone"] = partner.phone
        partners[partner.key] = entry
    return PARTNERS_HEADER + yaml.safe_dump({"partners": partners}, sort_keys=False, allow_unicode=True, width=1000)


def icbs_text(text: str, routes: dict[str, str], directory: Directory) -> str:
    """icbs.yml with each active ICB's `delivery_partner` set from `routes` (removed where it has none).

    Edited line by line, so the file's comments and layout stay as the team wrote them.
    """
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    code = None
    pending = None  # the line to add before this entry ends, when it had no delivery_partner line yet

    def finish_entry():
        nonlocal pending
        if pending:
            at = len(out)
            while at and not out[at - 1].strip():  # before trailing blank lines
                at -= 1
            out.insert(at, pending)
        pending = None

    for line in lines:
        stripped = line.strip()
        entry = re.match(r"^(\s*)- code:\s*(\S+)", line)
        if entry or (line[:1] not in (" ", "\t") and stripped and not stripped.startswith("#")):
            finish_entry()
            code = entry.group(2).strip("'\"") if entry else None
            icb = directory.icbs.get(code) if code else None
            if icb and icb.is_active and code in routes:
                indent = " " * (len(entry.group(1)) + 2)
                pending = f"{indent}delivery_partner: {routes[code]}\n"
            out.append(line)
            continue
        if code and re.match(r"^\s+delivery_partner:", line):
            icb = directory.icbs.get(code)
            if icb and icb.is_active:
                if pending:
                    out.append(pending)
                    pending = None
                continue  # an active ICB the list leaves without a partner loses its line
        out.append(line)
    finish_entry()
    return "".join(out)


def replace_directory(data_dir: Path, partner_list: PartnerList) -> Directory:
    """Writes both files, each atomically, after checking that what they say is exactly the list."""
    icbs_path, partners_path = data_dir / "icbs.yml", data_dir / "delivery_partners.yml"
    old_icbs = icbs_path.read_text(encoding="utf-8")
    directory = Directory.from_data({"icbs": yaml.safe_load(old_icbs)})
    new_icbs, new_partners = icbs_text(old_icbs, partner_list.routes, directory), partners_text(partner_list)
    written = Directory.from_data({"icbs": yaml.safe_load(new_icbs), "delivery_partners": yaml.safe_load(new_partners)})
    expected_routes = {icb.code: partner_list.routes.get(icb.code, "") for icb in directory.active_icbs()}
    if {icb.code: icb.partner_key for icb in written.active_icbs()} != expected_routes or set(written.icbs) != set(
        directory.icbs
    ):
        raise RuntimeError("the new icbs.yml would not say what the list says; nothing was written")
    _write_atomically(partners_path, new_partners)
    _write_atomically(icbs_path, new_icbs)
    return written


def _write_atomically(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode)  # mkstemp makes it private; keep the file's own mode
        os.replace(temporary, path)  # a reader sees the old file or the new one, never half of one
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
