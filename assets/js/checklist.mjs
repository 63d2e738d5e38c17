// A role's checklist page. Without this script every item is still a checkbox in a printable
// list. With it, ticks are kept in this browser (localStorage, one key per role), progress is
// counted and announced, each phase shows its dates when the planner has a go-live date on this
// device, and the spreadsheet and calendar file are made here. Nothing is sent anywhere.
import {
  GO_LIVE_KEY, localToday, longDate, meetingDate, planDates, planId, planWarnings, PRACTICE_KEY, storedGoLive,
} from "./plan-core.mjs";
import { checklistCsv, checklistIcs, progress, ticksKey } from "./checklist-core.mjs";

const root = document.getElementById("checklist");
const data = JSON.parse(document.getElementById("checklist-data")?.textContent || "null");

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage switched off: ticks last until the page is left
  }
}

function readTicks() {
  try {
    const saved = JSON.parse(storage()?.getItem(ticksKey(data.name)) || "null");
    return new Set(Array.isArray(saved?.ticked) ? saved.ticked.filter((id) => typeof id === "string") : []);
  } catch {
    return new Set();
  }
}

function saveTicks(ticked) {
  try {
    if (ticked.size) storage()?.setItem(ticksKey(data.name), JSON.stringify({ ticked: [...ticked].sort() }));
    else storage()?.removeItem(ticksKey(data.name));
  } catch {
    // storage full or switched off: the ticks stay on the page
  }
}

const absolute = (href) => new URL(href, document.baseURI).href;

/** The checklist as the page shows it: each phase's items, read from the checkboxes. */
function readPhases() {
  const timings = new Map(data.phases.map((phase) => [phase.slug, phase]));
  return [...root.querySelectorAll("section[data-phase]")].map((section) => {
    const slug = section.dataset.phase;
    const items = [...section.querySelectorAll("input[data-item]")].map((input) => ({
      id: input.value,
      input,
      // Found through the input's own label and hint id, not by a search of the page per item.
      text: input.labels[0]?.textContent.trim() || input.value,
      href: document.getElementById(`${input.id}-item-hint`)?.querySelector("a")?.getAttribute("href") || "",
      on: document.getElementById(`${input.id}-item-hint`)?.querySelector("[data-item-date]")?.dataset.itemDate || "",
    }));
    return { ...timings.get(slug), slug, section, items };
  });
}

let phases = [];
let ticked = new Set();
let goLive = null;

function showProgress() {
  const counts = progress(phases, ticked);
  root.querySelector("[data-progress-total]").textContent = `${counts.done} of ${counts.total}`;
  counts.perPhase.forEach((count, index) => {
    const phase = phases[index];
    phase.section.querySelector("[data-phase-progress]").textContent = `${count.done} of ${count.total}`;
    const status = root.querySelector(`[data-phase-status="${CSS.escape(phase.slug)}"]`);
    if (status) {
      status.textContent = count.done === count.total ? "Completed" : `${count.done} of ${count.total} done`;
      status.classList.toggle("app-checklist__status--done", count.done === count.total);
    }
  });
  return counts;
}

function announce(message) {
  const region = document.getElementById("checklist-announcement");
  region.textContent = message;
}

function tick(event) {
  const input = event.target.closest("input[data-item]");
  if (!input) return;
  if (input.checked) ticked.add(input.value);
  else ticked.delete(input.value);
  saveTicks(ticked);
  const counts = showProgress();
  const index = phases.findIndex((phase) => phase.items.some((item) => item.input === input));
  const phase = counts.perPhase[index];
  announce(`${phases[index].title}: ${phase.done} of ${phase.total} done. Whole checklist: ${counts.done} of ${counts.total} done.`);
}

function applyTicks() {
  for (const phase of phases) {
    for (const item of phase.items) item.input.checked = ticked.has(item.id);
  }
  showProgress();
}

// Dates, from the go-live date the planner keeps on this device

function showDates() {
  goLive = storedGoLive(storage());
  const status = root.querySelector("[data-dates-status]");
  const planned = goLive === null ? [] : planDates(goLive, phases, data.bankHolidays || {});
  // Items dated by the cut-over planning meeting (`on:` in the checklist file), not by their phase.
  for (const dated of root.querySelectorAll("[data-item-date]")) {
    dated.dataset.original ??= dated.textContent;
    dated.textContent = goLive === null || !data.meeting
      ? dated.dataset.original
      : `At the ${data.meeting.title.toLowerCase()}: ${longDate(meetingDate(goLive, data.meeting, data.bankHolidays || {}))}.`;
  }
  phases.forEach((phase, index) => {
    const dates = phase.section.querySelector("[data-phase-dates]");
    if (goLive === null) {
      dates.textContent = "";
      delete phase.start;
      delete phase.end;
      return;
    }
    phase.start = planned[index].start;
    phase.end = planned[index].end;
    dates.textContent = phase.start === phase.end
      ? `Date: ${longDate(phase.start)}`
      : `Dates: ${longDate(phase.start)} to ${longDate(phase.end)}`;
  });
  const plan = document.createElement("a");
  plan.href = data.plan;
  if (goLive === null) {
    plan.textContent = "enter your go-live date in the date planner";
    status.replaceChildren("To see the dates of each phase, ", plan, ".");
  } else {
    const date = document.createElement("strong");
    date.textContent = longDate(goLive);
    plan.textContent = "Change your go-live date";
    // Paper gets the sentence about the date, never the link: a link on paper would leave "., ." behind.
    const change = document.createElement("span");
    change.className = "app-no-print";
    change.append(" ", plan, ".");
    status.replaceChildren("Dates are worked out from your go-live date, ", date, ".", change);
  }
  // Without a date the sentence only asks for one: paper leaves it out.
  status.classList.toggle("app-no-print", goLive === null);
  root.querySelector("[data-ics-unavailable]").hidden = goLive !== null;
  document.getElementById("download-checklist-ics").hidden = goLive === null;
}

// Downloads, made from the ticks at the moment of the click

let downloadUrl = null;

function offer(link, text, type) {
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(new Blob([text], { type }));
  link.href = downloadUrl;
}

function checklistFiles() {
  return { name: data.name, role: data.role, page: data.page, phases };
}

/**
 * What the planner's calendar file is made from, read from this device: the plan id and practice (so
 * the phases keep the plan's UIDs), the meeting's day and the warnings (so a later import of this file
 * says what the plan's said). `data.phases` is every key phase, so the warnings see the whole plan.
 */
function planOptions() {
  const bank = data.bankHolidays || {};
  let practice = "";
  try {
    practice = storage()?.getItem(PRACTICE_KEY) || "";
  } catch {
    // storage switched off: no practice name
  }
  const planned = planDates(goLive, data.phases, bank);
  return {
    planned,
    id: planId(storage()),
    practice,
    meeting: data.meeting ? { ...data.meeting, day: meetingDate(goLive, data.meeting, bank) } : null,
    warnings: planWarnings(localToday(), goLive, planned, bank),
  };
}

// "Clear my ticks" asks first, on the page: a confirmation that takes focus and gives it back.

function initClear() {
  const clear = document.getElementById("clear-ticks");
  const confirm = document.getElementById("clear-confirm");
  const close = () => {
    confirm.hidden = true;
    clear.setAttribute("aria-expanded", "false");
    clear.focus();
  };
  clear.addEventListener("click", () => {
    confirm.hidden = false;
    clear.setAttribute("aria-expanded", "true");
    confirm.focus();
  });
  document.getElementById("clear-confirm-no").addEventListener("click", close);
  confirm.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  document.getElementById("clear-confirm-yes").addEventListener("click", () => {
    ticked = new Set();
    saveTicks(ticked);
    applyTicks();
    close();
    const counts = progress(phases, ticked);
    announce(`Your ticks have been cleared. Whole checklist: ${counts.done} of ${counts.total} done.`);
  });
}

if (root && data) {
  for (const element of root.querySelectorAll("[data-js-only]")) element.hidden = false;
  for (const element of root.querySelectorAll("[data-no-js]")) element.hidden = true;
  phases = readPhases();
  ticked = readTicks();
  applyTicks();
  showDates();
  root.addEventListener("change", tick);
  document.getElementById("print-checklist").addEventListener("click", () => window.print());
  document.getElementById("download-checklist-csv").addEventListener("click", (event) => {
    offer(event.currentTarget, checklistCsv(checklistFiles(), ticked, { absolute }), "text/csv");
  });
  document.getElementById("download-checklist-ics").addEventListener("click", (event) => {
    if (goLive === null) return;
    offer(event.currentTarget, checklistIcs(checklistFiles(), ticked, { absolute, ...planOptions() }), "text/calendar");
  });
  initClear();
  // Another tab ticked something, or the planner changed the go-live date.
  window.addEventListener("storage", (event) => {
    if (event.key === ticksKey(data.name)) {
      ticked = readTicks();
      applyTicks();
    } else if (event.key === GO_LIVE_KEY) {
      showDates();
    }
  });
  root.dataset.ready = "true"; // for tests: the script has run
}
