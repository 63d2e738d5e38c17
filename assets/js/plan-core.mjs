// The planner's arithmetic and file formats, with no DOM: the same rules as
// migration_guide/content/phases.py, which the tests hold this file to (they run it in Node).

const DAY = 24 * 60 * 60 * 1000;

/** A calendar day as a UTC timestamp, so daylight saving time never moves a date. */
export function makeDay(year, month, day) {
  return Date.UTC(year, month - 1, day);
}

/** The timestamp, or null when day/month/year is not a real date. */
export function realDay(year, month, day) {
  const time = makeDay(year, month, day);
  const date = new Date(time);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return null;
  }
  return time;
}

export function addDays(time, days) {
  return time + days * DAY;
}

export function isoDate(time) {
  return new Date(time).toISOString().slice(0, 10);
}

// Written out, not Intl.DateTimeFormat: making that formatter costs 70 to 350 ms on a slow phone
// (it loads locale data), one long task on every page that imports this file, for words that never change.
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

/** "Monday 26 April 2027", the NHS way of writing a date. */
export function longDate(time) {
  const date = new Date(time);
  return `${WEEKDAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

// Working days: the same rules as migration_guide/content/working_days.py. `bank` is the plan
// data's bankHolidays ({"2026-12-25": "Christmas Day", ...}), written by the build from the
// `holidays` library, so this file carries no holiday list of its own.

export function isWorkingDay(time, bank) {
  const weekday = new Date(time).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !(isoDate(time) in bank);
}

export function nextWorkingDay(time, bank) {
  while (!isWorkingDay(time, bank)) time = addDays(time, 1);
  return time;
}

export function previousWorkingDay(time, bank) {
  while (!isWorkingDay(time, bank)) time = addDays(time, -1);
  return time;
}

/**
 * Every phase with its first and last day (both inclusive), worked back from go-live, on working
 * days: a start moves to the next working day, a finish to the previous one; go-live itself stays.
 */
export function planDates(goLive, phases, bank = {}) {
  return phases.map((phase) => {
    let start = addDays(goLive, -7 * phase.startsWeeks);
    let end = addDays(goLive, -7 * phase.endsWeeks);
    if (start !== goLive) start = nextWorkingDay(start, bank);
    if (end !== goLive) end = previousWorkingDay(end, bank);
    return { ...phase, start, end: Math.max(start, end) };
  });
}

/** The cut-over planning meeting's day: moved back to a working day, so it is never less notice than planned. */
export function meetingDate(goLive, meeting, bank = {}) {
  return previousWorkingDay(addDays(goLive, -7 * meeting.weeksBeforeGoLive), bank);
}

// Warnings: the same rules and words as migration_guide/content/plan_warnings.py (one table of
// cases, tests/fixtures/plan-warnings.json, tests both).

const EXTRACT_SLUG = "request-data-extract";
const ICB_CHANGES = [makeDay(2027, 4, 1)];
const QOF_WEEKS = 6;
const REENTRY_DAYS = 14;
const WINTER_MONTHS = [12, 1, 2];

function wordList(words) {
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** One or 2 phases by name; more as a count and the first and last, so no sentence runs past 25 words. */
function phaseList(titles) {
  return titles.length <= 2 ? wordList(titles) : `${titles.length} phases, from ${titles[0]} to ${titles[titles.length - 1]}`;
}

/** One sentence for a key day that is not a working day: a bank holiday by its name, else the weekend. */
function closedDay(label, day, bank) {
  const name = bank[isoDate(day)];
  return name ? `${label}, ${longDate(day)}, is a bank holiday: ${name}.` : `${label}, ${longDate(day)}, falls at a weekend.`;
}

const weeksText = (count) => `${count} week${count === 1 ? "" : "s"}`;
const monthOf = (time) => new Date(time).getUTCMonth() + 1;
const dayOf = (time) => new Date(time).getUTCDate();
const yearOf = (time) => new Date(time).getUTCFullYear();

/** Every warning for this plan, most urgent first: [{key, title, text}]. */
export function planWarnings(today, goLive, planned, bank) {
  if (goLive < today) {
    return [{
      key: "go-live-passed",
      title: "Your go-live date has passed",
      text: `${longDate(goLive)} is in the past. The plan shows when each phase should have happened. ` +
        "If your go-live has moved, enter the new date.",
    }];
  }
  const found = [];
  const late = planned.filter((phase) => phase.start < today).map((phase) => phase.title);
  const extract = planned.find((phase) => phase.slug === EXTRACT_SLUG)?.start;
  if (extract !== undefined && extract < today) {
    const short = Math.ceil((today - extract) / DAY / 7);
    found.push({
      key: "not-enough-time",
      title: "There is not enough time before go-live",
      text: `Your go-live is ${weeksText(short)} sooner than the usual timings need. ` +
        `The data extract request was due on ${longDate(extract)}. ` +
        `At risk: ${phaseList(late)}. ` +
        "Request the data extract today, then ask your new supplier and your ICB (Integrated Care Board) " +
        "if go-live can stay.",
    });
  } else if (late.length) {
    found.push({
      key: "started",
      title: "Some phases should already have started",
      text: (late.length <= 2
        ? `These phases start before today: ${wordList(late)}. `
        : `${late.length} phases start before today, from ${late[0]} to ${late[late.length - 1]}. `) +
        "Do them now, in the order shown, so the data extract request is not held up.",
    });
  }

  const days = [["Go-live", goLive], ["The day after go-live", addDays(goLive, 1)], ["2 days after go-live", addDays(goLive, 2)]];
  const closed = days.filter(([, day]) => !isWorkingDay(day, bank)).map(([label, day]) => closedDay(label, day, bank));
  // Final data production runs in the days just before go-live: a weekend then is usual, a bank holiday is not.
  const before = addDays(goLive, -1);
  if (isoDate(before) in bank) closed.unshift(closedDay("The day before go-live (final data production)", before, bank));
  if (closed.length) {
    found.push({
      key: "not-a-working-day",
      title: "Some key days are not working days",
      text: `${closed.join(" ")} Support from suppliers and your ICB is thinner then. Check they will cover those days.`,
    });
  }

  const nearGoLive = [-1, 0, 1, 2].map((offset) => addDays(goLive, offset));
  if (nearGoLive.some((day) => (monthOf(day) === 12 && dayOf(day) >= 24) || (monthOf(day) === 1 && dayOf(day) === 1))) {
    found.push({
      key: "christmas",
      title: "Go-live is in the Christmas and New Year break",
      text: "Practices, suppliers and ICBs have fewer staff from 24 December to 1 January. " +
        "Choose a go-live after the break if you can.",
    });
  }

  const reentryEnd = addDays(goLive, REENTRY_DAYS);
  for (const year of [yearOf(goLive), yearOf(reentryEnd)]) {
    const yearEnd = makeDay(year, 3, 31);
    if (goLive <= yearEnd && reentryEnd >= addDays(yearEnd, -7 * QOF_WEEKS)) {
      found.push({
        key: "qof-year-end",
        title: "Go-live is close to the QOF year-end",
        text: `The QOF (Quality and Outcomes Framework) year ends on ${longDate(yearEnd)}. ` +
          `Keep go-live and the 2 weeks after it out of the ${QOF_WEEKS} weeks before that date. ` +
          "Otherwise data keyed in late may miss the year-end.",
      });
      break;
    }
  }

  if ([goLive, reentryEnd].some((day) => WINTER_MONTHS.includes(monthOf(day)))) {
    found.push({
      key: "winter",
      title: "Go-live is in winter",
      text: "December to February is the peak of flu season and winter pressure. " +
        "Make sure you have enough staff cover for go-live and the weeks after it.",
    });
  }

  if (planned.length) {
    const first = Math.min(...planned.map((phase) => phase.start));
    const last = Math.max(...planned.map((phase) => phase.end));
    for (const change of ICB_CHANGES) {
      if (first <= change && change <= last) {
        found.push({
          key: "icb-change",
          title: "Your ICB may change during the plan",
          text: `ICB mergers take effect on ${longDate(change)}, while your migration is running. ` +
            "Approvals and funding may need to be confirmed again by the new ICB.",
        });
      }
    }
  }
  return found;
}

// iCalendar (RFC 5545)

function icsText(value) {
  return String(value)
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n"); // a lone CR too: nothing from the reader may end a line
}

/** Lines of at most 75 octets, continued on lines that start with a space; never splits a character. */
function fold(line) {
  const encoder = new TextEncoder();
  const parts = [];
  let current = "";
  let octets = 0;
  for (const character of line) {
    const size = encoder.encode(character).length;
    const limit = parts.length ? 74 : 75;
    if (octets + size > limit) {
      parts.push(current);
      current = "";
      octets = 0;
    }
    current += character;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

function icsDate(time) {
  return isoDate(time).replace(/-/g, "");
}

function icsStamp(now) {
  return new Date(now).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Where the planner keeps the go-live date on this device, so checklists can show dates. Nothing is sent anywhere. */
export const GO_LIVE_KEY = "gp-practice-migration-guide:go-live";

/** The go-live date kept on this device (a day timestamp), or null. */
export function storedGoLive(storage) {
  try {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(storage?.getItem(GO_LIVE_KEY) || "");
    return match ? realDay(+match[1], +match[2], +match[3]) : null;
  } catch {
    return null; // storage switched off or full: the pages work without it
  }
}

/** Keeps the go-live date on this device; false when the browser will not store it. */
export function storeGoLive(storage, time) {
  try {
    if (time === null) storage.removeItem(GO_LIVE_KEY);
    else storage.setItem(GO_LIVE_KEY, isoDate(time));
    return true;
  } catch {
    return false;
  }
}

/**
 * A calendar file of all-day events. Each event's `uid` must name what the event is (a phase of a
 * plan or checklist), never its date: a calendar that imports the file again then updates the
 * events instead of adding copies. SEQUENCE grows with time, so a later file counts as the newer revision.
 * All-day events end on the day after their last day (DTEND is exclusive).
 */
export function toCalendar(events, { name, product, now = Date.now(), description = "" }) {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    `PRODID:-//GP practice migration guide//${icsText(product)}//EN`,
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${icsText(name)}`,
  ];
  // The calendar's own description: RFC 7986's DESCRIPTION, and the X-WR-CALDESC that older clients read.
  if (description) lines.push(`DESCRIPTION:${icsText(description)}`, `X-WR-CALDESC:${icsText(description)}`);
  for (const event of events) {
    lines.push(
      "BEGIN:VEVENT",
      `UID:${event.uid}@gp-practice-migration-guide`,
      `DTSTAMP:${icsStamp(now)}`,
      `SEQUENCE:${Math.floor(now / 1000)}`,
      `DTSTART;VALUE=DATE:${icsDate(event.start)}`,
      `DTEND;VALUE=DATE:${icsDate(addDays(event.end, 1))}`,
      `SUMMARY:${icsText(event.summary)}`,
      `DESCRIPTION:${icsText(event.description)}`,
      `URL:${event.url}`,
      "TRANSP:TRANSPARENT",
    );
    if (event.reminder) {
      // RELATED=END counts back from DTEND, the day after an all-day event's last day.
      const related = event.reminder.of === "end" ? ";RELATED=END" : "";
      lines.push(
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        `DESCRIPTION:${icsText(`Reminder: ${event.summary}`)}`,
        `TRIGGER${related}:-P${event.reminder.daysBefore}D`,
        "END:VALARM",
      );
    }
    lines.push("END:VEVENT");
  }
  lines.push("END:VCALENDAR");
  return lines.map(fold).join("\r\n") + "\r\n";
}

/** A phase's UID part: its slug (the step file's name), which stays the same whatever the go-live date. */
export function phaseKey(phase, index) {
  return phase.slug || `phase-${index + 1}`;
}

/** Where the planner keeps this device's plan id, so its calendar events keep their UIDs. */
export const PLAN_ID_KEY = "gp-practice-migration-guide:plan-id";

/** This device's plan id, made (random, not derived from anything about the reader) the first time. */
function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(8)); // works outside secure contexts too, unlike randomUUID
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function planId(storage, random = randomId) {
  try {
    const kept = storage?.getItem(PLAN_ID_KEY);
    if (kept && /^[0-9a-f-]{8,64}$/.test(kept)) return kept;
    const made = random();
    storage?.setItem(PLAN_ID_KEY, made);
    return made;
  } catch {
    return random(); // storage switched off: this file's UIDs are still unique, a re-import adds copies
  }
}

/** A practice name or ODS code as a UID part: lower-case letters, digits and hyphens only. */
export function practiceKey(practice) {
  return String(practice || "").normalize("NFKD").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** Where the planner keeps the practice name or ODS code the reader gave, with the go-live date. */
export const PRACTICE_KEY = "gp-practice-migration-guide:practice";

/** Today on the reader's own calendar, as a day timestamp like every other date here. */
export function localToday(now = new Date()) {
  return makeDay(now.getFullYear(), now.getMonth() + 1, now.getDate());
}

/** The warnings as the calendar and the spreadsheet carry them: each title, then what it says. */
export function warningsText(warnings) {
  return warnings.map((warning) => `Warning: ${warning.title}\n${warning.text}`).join("\n\n");
}

/** The go-live phase (0 weeks before go-live, 1 day long): the event every warning is about. */
function isGoLive(phase) {
  return phase.startsWeeks === 0 && phase.endsWeeks === 0;
}

/** The UID prefix of one plan on one device for one practice: `plan-<plan id>-<practice>`. */
export function planPrefix(id, practice) {
  return ["plan", id, practiceKey(String(practice || "").trim())].filter(Boolean).join("-");
}

/**
 * The plan's events: one all-day event per phase, with a reminder on those that need action, and the
 * meeting. UIDs are stable for one plan on one device (`id`) and one practice, so importing it again
 * updates the events; another practice's plan gets other UIDs. The checklists' calendar files carry these
 * same events, so importing both never doubles a phase. The warnings go on the go-live event, the one
 * they are all about. `absolute(href)` turns a guide link into a full address.
 */
export function planEvents(planned, {
  absolute, checklist = null, id = "plan", practice = "", meeting = null, warnings = [],
}) {
  const name = String(practice || "").trim();
  const prefix = planPrefix(id, name);
  const events = planned.map((phase, index) => {
    const url = absolute(phase.href);
    let description = `${phase.summary}\n\nRead about this phase in the guide: ${url}`;
    if (checklist) {
      description += `\n\nYour checklist (${checklist.label}): ${absolute(checklist.checklistHref)}`;
    }
    if (warnings.length && isGoLive(phase)) description += `\n\n${warningsText(warnings)}`;
    return {
      uid: `${prefix}-${phaseKey(phase, index)}`,
      start: phase.start,
      end: phase.end,
      summary: name ? `${name}: ${phase.title}` : phase.title,
      description,
      url,
      reminder: phase.reminder || null,
    };
  });
  if (meeting) {
    const holder = planned.find((phase) => phase.slug === meeting.phaseSlug);
    const url = absolute(holder ? holder.href : planned[0].href);
    events.push({
      uid: `${prefix}-${meeting.slug}`,
      start: meeting.day,
      end: meeting.day,
      summary: name ? `${name}: ${meeting.title}` : meeting.title,
      description: `${meeting.title}: at least ${meeting.weeksBeforeFinalDataProduction} weeks before final data ` +
        `production.\n\nRead about it in the guide: ${url}`,
      url,
      reminder: meeting.reminder,
    });
  }
  return events;
}

/** The calendar's name: the practice's, when the reader gave one. */
export function planCalendarName(practice, what = "GP practice migration plan") {
  const name = String(practice || "").trim();
  return name ? `${name}: ${what}` : what;
}

/** The plan as a calendar file, its warnings in the calendar's description and on the go-live event. */
export function toIcs(planned, options) {
  const { now = Date.now(), practice = "", warnings = [] } = options;
  return toCalendar(planEvents(planned, options), {
    name: planCalendarName(practice), product: "Migration planner", now, description: warningsText(warnings),
  });
}

// CSV (RFC 4180), with a byte order mark so spreadsheet programs read it as UTF-8

function csvField(value) {
  return `"${String(value).replace(/"/g, '""')}"`;
}

/** A cell a spreadsheet would read as a formula (CSV injection) gets a leading apostrophe, as forms/spreadsheet.py does. */
export function spreadsheetSafe(value) {
  const text = String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Rows to CSV text; every cell spreadsheet-safe. */
export function csvText(rows) {
  return "\uFEFF" + rows.map((row) => row.map((cell) => csvField(spreadsheetSafe(cell))).join(",")).join("\r\n") + "\r\n";
}

/** "3 weeks before go-live", "1 week after go-live", "at go-live": the words of phases.describe_weeks. */
export function describeWeeks(weeks) {
  if (weeks === 0) {
    return "at go-live";
  }
  const count = Math.abs(weeks);
  return `${count} week${count === 1 ? "" : "s"} ${weeks > 0 ? "before" : "after"} go-live`;
}

/** The plan as a spreadsheet: a row per phase, then the warnings, each with what it says. */
export function toCsv(planned, { absolute, meeting = null, warnings = [] }) {
  const rows = [["Phase", "Starts", "Finishes", "Starts (from go-live)", "Finishes (from go-live)", "Guide"]];
  for (const phase of planned) {
    rows.push([
      phase.title, isoDate(phase.start), isoDate(phase.end),
      describeWeeks(phase.startsWeeks), describeWeeks(phase.endsWeeks), absolute(phase.href),
    ]);
    if (meeting && meeting.phaseSlug === phase.slug) {
      const weeks = describeWeeks(meeting.weeksBeforeGoLive);
      rows.push([meeting.title, isoDate(meeting.day), isoDate(meeting.day), weeks, weeks, absolute(phase.href)]);
    }
  }
  if (warnings.length) {
    // After a blank row, so the phase table above stays one block to sort or filter.
    rows.push([], ["Warning", "What it means and what to do"]);
    for (const warning of warnings) rows.push([warning.title, warning.text]);
  }
  return csvText(rows);
}
