// Only `guide serve` loads this (never the frozen site): reloads the page when a file it is made
// from changes. The server sends a stamp of the watched files on connecting and after each change;
// a stamp unlike the first one (also after the server restarts and EventSource reconnects) means
// the page is out of date. Without JavaScript the author reloads the page by hand.
const script = document.currentScript;
const events = new EventSource(script.dataset.events);
let first = null;
events.addEventListener("message", (event) => {
  if (first === null) {
    first = event.data;
  } else if (event.data !== first) {
    window.location.reload();
  }
});
