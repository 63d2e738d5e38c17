// A role's checklist as files, with no DOM: the spreadsheet and the calendar file the checklist
// page offers. The tests run this file in Node and read its output with Python's csv and icalendar.
import { csvText, isoDate, planCalendarName, planEvents, planPrefix, toCalendar, warningsText } from "./plan-core.mjs";

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
 * The plan's own events (the planner's UIDs, `plan-<plan id>-<practice>-<phase>`, so importing this file
 * and the plan's never doubles a phase: the later import updates the same events), then one all-day event
 * per checklist item on its due day: its phase's last day, or the meeting's day for an item `on` it.
 * `phases` carry `title`, `slug`, their dates and `items` ({id, text, href, on}); `planned` is every key
 * phase with its dates (the checklist's own phases when not given), and the rest is what `planEvents`
 * takes besides (`id`, `practice`, `meeting` with its `day`, `warnings`).
 */
export function checklistIcs({ name, role, page, phases }, ticked, { absolute, now = Date.now(), planned = phases, ...plan }) {
  const practice = String(plan.practice || "").trim();
  const events = planEvents(planned, { ...plan, absolute, checklist: { label: role, checklistHref: page } });
  const prefix = planPrefix(plan.id || "plan", practice);
  for (const phase of phases) {
    const url = absolute(`${page}#phase-${phase.slug}`);
    for (const item of phase.items) {
      const onMeeting = plan.meeting && item.on === plan.meeting.slug;
      const day = onMeeting ? plan.meeting.day : phase.end;
      const due = onMeeting ? `At the ${plan.meeting.title.toLowerCase()}` : `By the end of ${phase.title.toLowerCase()}`;
      let description = `${ticked.has(item.id) ? "Done" : "To do"}. ${due}: ${role} checklist.`;
      if (item.href) description += `\n\nRead about it in the guide: ${absolute(item.href)}`;
      description += `\n\nYour checklist for this phase: ${url}`;
      events.push({
        uid: `${prefix}-${name}-${item.id}`,
        start: day,
        end: day,
        summary: practice ? `${practice}: ${item.text}` : item.text,
        description,
        url,
      });
    }
  }
  return toCalendar(events, {
    name: planCalendarName(practice, `${role}: migration checklist`),
    product: "Migration checklist",
    now,
    description: warningsText(plan.warnings || []),
  });
}
