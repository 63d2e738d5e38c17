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

const LONG_DATE = new Intl.DateTimeFormat("en-GB", {
  weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
});

/** "Monday 26 April 2027", the NHS way of writing a date. */
export function longDate(time) {
  return LONG_DATE.format(new Date(time)).replace(",", "");
}

/** Every phase with its first and last day (both inclusive), worked back from go-live. */
export function planDates(goLive, phases) {
  return phases.map((phase) => ({
    ...phase,
    start: addDays(goLive, -7 * phase.startsWeeks),
    end: addDays(goLive, -7 * phase.endsWeeks),
  }));
}

// iCalendar (RFC 5545)

function icsText(value) {
  return String(value)
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r?\n/g, "\\n");
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
export function toCalendar(events, { name, product, now = Date.now() }) {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    `PRODID:-//GP practice migration guide//${icsText(product)}//EN`,
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${icsText(name)}`,
  ];
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
      "END:VEVENT",
    );
  }
  lines.push("END:VCALENDAR");
  return lines.map(fold).join("\r\n") + "\r\n";
}

/** A phase's UID part: its slug (the step file's name), which stays the same whatever the go-live date. */
export function phaseKey(phase, index) {
  return phase.slug || `phase-${index + 1}`;
}

/**
 * The plan as a calendar: one all-day event per phase. `absolute(href)` turns a guide link into a full address.
 */
export function toIcs(planned, { absolute, now = Date.now(), checklist = null }) {
  const events = planned.map((phase, index) => {
    const url = absolute(phase.href);
    let description = `${phase.summary}\n\nRead about this phase in the guide: ${url}`;
    if (checklist) {
      description += `\n\nYour checklist (${checklist.label}): ${absolute(checklist.checklistHref)}`;
    }
    return { uid: `plan-${phaseKey(phase, index)}`, start: phase.start, end: phase.end, summary: phase.title, description, url };
  });
  return toCalendar(events, { name: "GP practice migration plan", product: "Migration planner", now });
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

export function toCsv(planned, { absolute }) {
  const rows = [["Phase", "Starts", "Finishes", "Starts (from go-live)", "Finishes (from go-live)", "Guide"]];
  for (const phase of planned) {
    rows.push([
      phase.title, isoDate(phase.start), isoDate(phase.end),
      describeWeeks(phase.startsWeeks), describeWeeks(phase.endsWeeks), absolute(phase.href),
    ]);
  }
  return csvText(rows);
}
