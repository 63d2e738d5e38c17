// A role's checklist as files, with no DOM: the spreadsheet and the calendar file the checklist
// page offers. The tests run this file in Node and read its output with Python's csv and icalendar.
import { csvText, isoDate, toCalendar } from "./plan-core.mjs";

/** Where a role's ticks are kept on this device: one key per role, holding the ticked item ids. */
export function ticksKey(name) {
  return `gp-practice-migration-guide:checklist:${name}`;
}

/** How many of each phase's items are ticked, and of the whole checklist. */
export function progress(phases, ticked) {
  const perPhase = phases.map((phase) => ({
    slug: phase.slug,
    done: phase.items.filter((item) => ticked.has(item.id)).length,
    total: phase.items.length,
  }));
  return {
    perPhase,
    done: perPhase.reduce((sum, phase) => sum + phase.done, 0),
    total: perPhase.reduce((sum, phase) => sum + phase.total, 0),
  };
}

/**
 * One row per item: role, phase, item, guide link, done, due date (the phase's last day, when a
 * go-live date is known). `phases` carry `title`, `items` ({id, text, href}) and, with dates, `end`.
 */
export function checklistCsv({ role, phases }, ticked, { absolute }) {
  const rows = [["Role", "Phase", "Item", "Guide link", "Done", "Due date"]];
  for (const phase of phases) {
    for (const item of phase.items) {
      rows.push([
        role,
        phase.title,
        item.text,
        item.href ? absolute(item.href) : "",
        ticked.has(item.id) ? "Yes" : "No",
        phase.end === undefined || phase.end === null ? "" : isoDate(phase.end),
      ]);
    }
  }
  return csvText(rows);
}

/**
 * One all-day event per phase (dated phases only), with the phase's items in its description.
 * Each UID is the checklist's name and the phase's slug, so a new go-live date moves the events
 * instead of adding more.
 */
export function checklistIcs({ name, role, page, phases }, ticked, { absolute, now = Date.now() }) {
  const events = phases.map((phase) => {
    const url = absolute(`${page}#phase-${phase.slug}`);
    const lines = phase.items.map((item) => `${ticked.has(item.id) ? "[x]" : "[ ]"} ${item.text}`);
    return {
      uid: `checklist-${name}-${phase.slug}`,
      start: phase.start,
      end: phase.end,
      summary: `${phase.title}: ${role} checklist`,
      description: `${lines.join("\n")}\n\nYour checklist for this phase: ${url}`,
      url,
    };
  });
  return toCalendar(events, { name: `${role}: migration checklist`, product: "Migration checklist", now });
}
