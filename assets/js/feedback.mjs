// "Was this section helpful?": post in place and thank the reader where they are.
// Without JavaScript the same form posts normally and the function replies with a page.

function thank(form, message) {
  const thanks = document.createElement("p");
  thanks.className = "app-feedback__thanks nhsuk-body";
  thanks.tabIndex = -1;
  thanks.textContent = message;
  form.replaceWith(thanks);
  thanks.focus();
}

async function send(event) {
  const form = event.target;
  event.preventDefault();
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) {
      const reply = await response.json();
      thank(form, reply.message);
      return;
    }
  } catch {
    // Network trouble: fall through to an ordinary submission, which shows the reader what happened.
  }
  // Errors are shown the NHS way (error summary, messages by the fields) on the function's own page.
  form.removeEventListener("submit", send);
  form.submit();
}

export function initFeedbackForms(scope = document) {
  for (const form of scope.querySelectorAll('form[data-module="app-feedback"]')) {
    form.addEventListener("submit", send);
  }
}
