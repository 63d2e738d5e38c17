// Only `guide serve` loads this (never the frozen site): reloads the page when a file it is made
// from changes. The page carries a stamp of the watched files as they were when it was rendered;
// the server sends the stamp on connecting and after each change. Any other stamp (also after the
// server restarts and EventSource reconnects) means the page is out of date. Without JavaScript
// the author reloads the page by hand.
const script = document.currentScript;
const rendered = script.dataset.stamp;
const events = new EventSource(script.dataset.events);
events.addEventListener("message", (event) => {
  if (event.data !== rendered) {
    events.close();
    window.location.reload();
  }
});
