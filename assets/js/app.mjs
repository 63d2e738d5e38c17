// Progressive enhancement only: every page works without this file.
// The form components' scripts are in forms.mjs, loaded only by the pages that have such forms.
import { initButtons, initHeader, initSkipLinks } from "nhsuk-frontend";

import { initFeedbackForms } from "./feedback.mjs";

// nhsuk-frontend's own template sets these classes with an inline script, which our
// Content-Security-Policy forbids; a module script runs late enough to do it here.
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");

initHeader();
initSkipLinks();
initButtons();
initFeedbackForms();

// The whole guide on one page: its Print button (shown only where scripts run) opens the print dialogue.
document.getElementById("print-guide")?.addEventListener("click", () => window.print());
