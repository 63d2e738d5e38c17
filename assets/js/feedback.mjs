// "Was this section helpful?": answer in place, then offer the comment box in place.
// Without JavaScript the same forms post normally and the function replies with pages: the
// thank-you page carries the comment box, and errors come back in the NHS error pattern.

const sending = new WeakSet();

/** A random key for one answer form: if the reply to a post is lost and the post is sent again (as a plain
 *  submission, below), the function sees the same key and stores the answer once. */
function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function post(form, submitter) {
  const body = new URLSearchParams(new FormData(form));
  if (submitter && submitter.name) {
    body.append(submitter.name, submitter.value); // the button pressed is the answer
  }
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) {
      return await response.json();
    }
  } catch {
    // Network trouble: fall through to an ordinary submission, which shows the reader what happened.
  }
  return null;
}

/** Sends the form as a plain post, so the function answers with its page (errors the NHS way). */
function submitNormally(form, submitter, listener) {
  form.removeEventListener("submit", listener);
  if (submitter && form.requestSubmit) {
    form.requestSubmit(submitter);
  } else {
    form.submit();
  }
}

function thanks(message) {
  const paragraph = document.createElement("p");
  paragraph.className = "app-feedback__thanks nhsuk-body";
  paragraph.tabIndex = -1;
  paragraph.textContent = message;
  return paragraph;
}

/** The comment box for one section, made from the page's <template> with this section's ids. */
function commentBox(form, reply) {
  const template = document.getElementById("app-feedback-comment");
  if (!template) {
    return null;
  }
  const section = form.elements.section.value;
  const box = template.content.firstElementChild.cloneNode(true);
  const from = "feedback-SECTION-";
  const to = `feedback-${section}-`;
  for (const element of box.querySelectorAll("[id], [for], [aria-describedby]")) {
    for (const name of ["id", "for", "aria-describedby"]) {
      const value = element.getAttribute(name);
      if (value && value.includes(from)) {
        element.setAttribute(name, value.split(from).join(to));
      }
    }
  }
  const comment = box.querySelector("form");
  comment.elements.page.value = form.elements.page.value;
  comment.elements.section.value = section;
  comment.elements.token.value = reply.token || "";
  comment.setAttribute("aria-label", form.getAttribute("aria-label").replace("Feedback on", "Comment on"));
  box.querySelector(".app-feedback__thanks").textContent = reply.message;
  comment.addEventListener("submit", sendComment);
  return box;
}

async function sendAnswer(event) {
  const form = event.currentTarget;
  const submitter = event.submitter;
  event.preventDefault();
  if (sending.has(form)) {
    return; // one answer per section: a second press while the first is on its way does nothing
  }
  sending.add(form);
  const reply = await post(form, submitter);
  if (reply) {
    const box = reply.token ? commentBox(form, reply) : null;
    if (box) {
      form.replaceWith(box);
      box.querySelector(".app-feedback__thanks").focus();
    } else {
      const message = thanks(reply.message);
      form.replaceWith(message);
      message.focus();
    }
    return;
  }
  submitNormally(form, submitter, sendAnswer);
}

async function sendComment(event) {
  const form = event.currentTarget;
  event.preventDefault();
  if (sending.has(form)) {
    return;
  }
  sending.add(form);
  const reply = await post(form, null);
  if (reply) {
    // In place, the first thanks and the comment box give way to one message; on the thank-you page, the box does.
    const message = thanks(reply.message);
    (form.closest(".app-feedback--answered") || form).replaceWith(message);
    message.focus();
    return;
  }
  // A refused comment (empty, too long) is shown on the function's page, in the NHS error pattern.
  submitNormally(form, null, sendComment);
}

export function initFeedbackForms(scope = document) {
  for (const form of scope.querySelectorAll('form[data-module="app-feedback"]')) {
    const key = form.elements.idempotency_key;
    if (key && !key.value) {
      key.value = idempotencyKey(); // the frozen page is every reader's: the key is made here, per page view
    }
    form.addEventListener("submit", sendAnswer);
  }
  for (const form of scope.querySelectorAll('form[data-module="app-feedback-comment"]')) {
    form.addEventListener("submit", sendComment);
  }
}
