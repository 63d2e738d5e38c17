// The date planner on /plan/. Everything happens here, in the reader's browser: the form is
// never submitted and nothing is sent anywhere. The go-live date is kept in this browser
// (localStorage) so the checklists can show each phase's dates; "Forget my date" removes it.
// Without this script the page shows the same plan in weeks before go-live.
import {
  isoDate, localToday, longDate, meetingDate, planDates, planId, planWarnings, PRACTICE_KEY, realDay, storedGoLive,
  storeGoLive, toCsv, toIcs,
} from "./plan-core.mjs";

/** The role the reader chose, so the planner links the same checklist next time. */
const ROLE_KEY = "gp-practice-migration-guide:role";

function remembered(key) {
  try {
    return window.localStorage.getItem(key) || "";
  } catch {
    return "";
  }
}

function remember(key, value) {
  try {
    if (value) window.localStorage.setItem(key, value);
    else window.localStorage.removeItem(key);
  } catch {
    // storage switched off: the plan still works for this visit
  }
}

const data = JSON.parse(document.getElementById("plan-data")?.textContent || "null");
const area = document.getElementById("plan-form-area");
const form = document.getElementById("plan-form");

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

const absolute = (href) => new URL(href, document.baseURI).href;

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

// Errors, the NHS.UK way: a summary at the top linking to each field, and a message at the field.

function clearErrors() {
  document.getElementById("plan-errors").replaceChildren();
  for (const group of form.querySelectorAll(".nhsuk-form-group--error")) {
    group.classList.remove("nhsuk-form-group--error");
  }
  for (const input of form.querySelectorAll(".nhsuk-input--error")) input.classList.remove("nhsuk-input--error");
  for (const message of form.querySelectorAll(".app-planner__error")) message.remove();
}

function showErrors(errors) {
  const list = element("ul", { class: "nhsuk-list nhsuk-error-summary__list" });
  for (const error of errors) {
    list.append(element("li", {}, element("a", { href: `#${error.target}` }, error.message)));
    const group = error.group;
    group.classList.add("nhsuk-form-group--error");
    const message = element("span", { class: "nhsuk-error-message app-planner__error", id: `${error.field}-error` },
      element("span", { class: "nhsuk-u-visually-hidden" }, "Error:"), ` ${error.message}`);
    const fieldset = group.querySelector("fieldset");
    const hint = group.querySelector(".nhsuk-hint");
    (hint || fieldset.querySelector("legend")).after(message);
    fieldset.setAttribute("aria-describedby", [hint?.id, message.id].filter(Boolean).join(" "));
    for (const input of error.inputs) input.classList.add("nhsuk-input--error");
  }
  const summary = element("div", { class: "nhsuk-error-summary", tabindex: "-1" },
    element("div", { role: "alert" },
      element("h2", { class: "nhsuk-error-summary__title" }, "There is a problem"),
      element("div", { class: "nhsuk-error-summary__body" }, list)));
  list.addEventListener("click", (event) => {
    const link = event.target.closest("a");
    if (!link) return;
    event.preventDefault();
    document.getElementById(link.getAttribute("href").slice(1))?.focus();
  });
  document.getElementById("plan-errors").append(summary);
  summary.focus();
}

function readDate() {
  const parts = ["day", "month", "year"].map((part) => document.getElementById(`go-live-${part}`));
  const [day, month, year] = parts.map((input) => input.value.trim());
  const group = document.getElementById("go-live").closest("fieldset").closest(".nhsuk-form-group");
  const fail = (message, inputs) => ({ error: { field: "go-live", target: inputs[0].id, message, group, inputs } });
  if (!day && !month && !year) return fail("Enter your go-live date", parts);
  const missing = parts.filter((input) => !input.value.trim());
  if (missing.length) {
    const names = missing.map((input) => input.id.replace("go-live-", ""));
    return fail(`Go-live date must include a ${names.join(" and a ")}`, missing);
  }
  if (!/^\d{4}$/.test(year)) return fail("Year must include 4 numbers", [parts[2]]);
  const time = /^\d{1,2}$/.test(day) && /^\d{1,2}$/.test(month) ? realDay(+year, +month, +day) : null;
  if (time === null) return fail("Go-live date must be a real date", parts);
  if (+year < data.firstYear) return fail(`Go-live date must be in ${data.firstYear} or later`, [parts[2]]);
  const latest = new Date(localToday());
  latest.setUTCFullYear(latest.getUTCFullYear() + data.yearsAhead);
  if (time > latest.getTime()) {
    return fail(`Go-live date must be no more than ${data.yearsAhead} years from today`, parts);
  }
  return { time };
}

function readRole() {
  const radios = [...form.querySelectorAll('input[name="role"]')];
  if (!radios.length) return { role: null };
  const chosen = radios.find((radio) => radio.checked);
  if (!chosen) {
    return { error: { field: "role", target: radios[0].id, message: "Select your role",
      group: radios[0].closest(".nhsuk-form-group"), inputs: [] } };
  }
  return { role: data.roles.find((role) => role.value === chosen.value) || null };
}

// The plan

let downloads = [];

function offer(link, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  link.href = url;
  downloads.push(url);
}

/** "16 weeks before go-live", with "go-live" kept on one line in a narrow cell. */
function weeks(text) {
  const parts = text.split("go-live");
  const children = parts.flatMap((part, index) =>
    index ? [element("span", { class: "app-nowrap" }, "go-live"), part] : [part]);
  return element("span", { class: "app-plan-table__weeks" }, ...children);
}

/** One NHS warning callout (the markup of nhsuk-frontend's warning card) for each warning. */
function warningCallout(warning) {
  return element("div", { class: "nhsuk-card nhsuk-card--warning", "data-warning": warning.key },
    element("div", { class: "nhsuk-card__content" },
      element("h3", { class: "nhsuk-card__heading" },
        element("span", { role: "text" }, element("span", { class: "nhsuk-u-visually-hidden" }, "Important: "), warning.title)),
      element("p", {}, warning.text)));
}

function showWarnings(warnings) {
  document.getElementById("plan-warnings").replaceChildren(...warnings.map(warningCallout));
  // Said once, politely, after the reader's own action: how many, and what each is about.
  const count = warnings.length;
  document.getElementById("plan-announcement").textContent = count
    ? `Your plan has ${count} warning${count === 1 ? "" : "s"}: ${warnings.map((warning) => warning.title).join(". ")}.`
    : "Your plan is shown below, with no warnings about its dates.";
}

/** The printed plan's header: the practice (when given), the go-live date and the day it is printed. */
function showPrintHeader(goLive, practice) {
  const fill = (id, text) => {
    const value = document.getElementById(id);
    value.textContent = text; // text only: the practice name is never read as markup
    value.closest(".nhsuk-summary-list__row").classList.toggle("app-no-print", !text);
  };
  fill("print-practice", practice);
  fill("print-go-live", longDate(goLive));
  fill("print-date", longDate(localToday()));
}

function showPlan(goLive, role, practice) {
  const bank = data.bankHolidays || {};
  const planned = planDates(goLive, data.phases, bank);
  // One list of warnings for the page, the calendar file and the spreadsheet: the same words in all three.
  const warnings = planWarnings(localToday(), goLive, planned, bank);
  showWarnings(warnings);
  const rows = document.querySelectorAll("#plan-table tbody tr[data-phase]");
  planned.forEach((phase, index) => {
    const row = rows[index];
    row.querySelector("[data-starts]").replaceChildren(longDate(phase.start), weeks(phase.startsText));
    row.querySelector("[data-ends]").replaceChildren(longDate(phase.end), weeks(phase.endsText));
  });

  const meeting = data.meeting ? { ...data.meeting, day: meetingDate(goLive, data.meeting, bank) } : null;
  const meetingRow = document.querySelector("#plan-table tbody tr[data-meeting]");
  if (meeting && meetingRow) {
    meetingRow.querySelector("[data-starts]").replaceChildren(longDate(meeting.day), weeks(meeting.weeksText));
    meetingRow.querySelector("[data-ends]").replaceChildren(longDate(meeting.day), weeks(meeting.weeksText));
  }

  showPrintHeader(goLive, practice);
  const summary = document.getElementById("plan-summary");
  // Text nodes only: the practice name the reader typed is never read as markup.
  summary.replaceChildren(`${practice ? `Practice: ${practice}. ` : ""}Go-live date: ${longDate(goLive)}.`);
  if (role) {
    summary.append(" The checklist for your role: ", element("a", { href: role.checklistHref }, role.label), ".");
  }

  downloads.forEach((url) => URL.revokeObjectURL(url));
  downloads = [];
  const ics = toIcs(planned, { absolute, checklist: role, id: planId(storage()), practice, meeting, warnings });
  offer(document.getElementById("download-ics"), ics, "text/calendar");
  offer(document.getElementById("download-csv"), toCsv(planned, { absolute, meeting, warnings }), "text/csv");
  document.getElementById("plan-actions").hidden = false;

  // On a phone the plan starts below the fold: bring its heading to the top and move focus to it.
  const heading = document.getElementById("your-plan");
  heading.setAttribute("tabindex", "-1");
  heading.scrollIntoView({ block: "start" });
  heading.focus({ preventScroll: true });
}

if (data && area && form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors();
    const date = readDate();
    const role = readRole();
    const errors = [date.error, role.error].filter(Boolean);
    if (errors.length) {
      showErrors(errors);
      return;
    }
    storeGoLive(storage(), date.time);
    const practice = document.getElementById("practice").value.trim().slice(0, 100);
    remember(PRACTICE_KEY, practice);
    remember(ROLE_KEY, role.role?.value || "");
    // Shown before the plan is scrolled to, so the button appearing cannot push the plan away.
    document.getElementById("forget-date").hidden = storedGoLive(storage()) === null;
    showPlan(date.time, role.role, practice);
  });
  document.getElementById("forget-date")?.addEventListener("click", (event) => {
    storeGoLive(storage(), null);
    remember(PRACTICE_KEY, "");
    remember(ROLE_KEY, "");
    event.currentTarget.hidden = true;
    document.getElementById("forget-date-done").textContent = "Your go-live date has been removed from this device.";
  });
  document.getElementById("print-plan")?.addEventListener("click", () => window.print());
  // A plan left open for days prints with the day it is printed, not the day it was shown.
  window.addEventListener("beforeprint", () => {
    const printed = document.getElementById("print-date");
    if (printed.textContent) printed.textContent = longDate(localToday());
  });
  // The form and its words are shown by the stylesheet wherever scripts run (.app-js-only), so
  // nothing moves when this script starts.
  // A date entered before: fill the form in with it, ready to show the plan again.
  const kept = storedGoLive(storage());
  if (kept !== null) {
    const [year, month, day] = isoDate(kept).split("-");
    document.getElementById("go-live-day").value = String(+day);
    document.getElementById("go-live-month").value = String(+month);
    document.getElementById("go-live-year").value = year;
    document.getElementById("forget-date").hidden = false;
  }
  document.getElementById("practice").value = remembered(PRACTICE_KEY);
  const role = form.querySelector(`input[name="role"][value="${CSS.escape(remembered(ROLE_KEY))}"]`);
  if (role) role.checked = true;
}
