// Search on /search/, using the Pagefind index the build writes to pagefind/.
// Pagefind's own interface sets inline styles, which our Content-Security-Policy forbids, so the
// results are drawn here with NHS.UK classes. Each result leads to the section that matched.
// Without this script the page still has its A to Z index of every page and section.

const app = document.getElementById("search-app");
const form = document.getElementById("search-form");
const input = document.getElementById("search-query");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const MAX_PAGES = 10;
// Pages fetched and re-ranked by section: more than are shown, so a strong section on a lower-ranked page can rise.
const CONSIDERED = 20;
const MORE_SECTIONS = 3;

let pagefind = null;

// What readers type that the guide says in other words (content/data/search_terms.yml, on the page as data).
const termsData = document.getElementById("search-terms");
const TERMS = termsData ? JSON.parse(termsData.textContent) : { synonyms: [], misspellings: {}, offers: [] };
const offersArea = document.getElementById("search-offers");
const suggestionsArea = document.getElementById("search-suggestions");
const MAX_QUERIES = 4;
// Checklist items considered beside the pages: enough for a query about a task, not so many they crowd.
const ITEMS = 5;
const SUGGESTIONS = 3;

async function loadPagefind() {
  if (!pagefind) {
    const bundle = app.dataset.bundle;
    pagefind = await import(/* webpackIgnore: true */ `${bundle}pagefind.js`);
    await pagefind.options({ baseUrl: app.dataset.baseUrl, excerptLength: 24 });
  }
  return pagefind;
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** An excerpt as text with <mark> highlights: nothing else from the index becomes markup. */
function excerpt(html) {
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html").body.firstChild;
  const paragraph = element("p", { class: "nhsuk-body-s nhsuk-u-margin-bottom-2" });
  for (const node of parsed.childNodes) {
    paragraph.append(node.nodeName === "MARK" ? element("mark", {}, node.textContent) : node.textContent);
  }
  return paragraph;
}

// Ranking. Pagefind ranks pages; readers want the section. A section whose heading holds every
// word searched for comes first, then the rest by how strongly they match (Pagefind's
// balanced score, which already counts headings above body text). Pages keep Pagefind's order
// when no heading matches.

const words = (text) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
const sameWord = (a, b) => a === b || (Math.min(a.length, b.length) >= 4 && (a.startsWith(b) || b.startsWith(a)));
const score = (section) => (section.weighted_locations || []).reduce((sum, location) => sum + location.balanced_score, 0);

function headingMatches(section, terms) {
  const title = words(section.title || "");
  return terms.length > 0 && terms.every((term) => title.some((word) => sameWord(word, term)));
}

const escapeHtml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The words of a defined term's entry, with the words searched for marked, as Pagefind marks an excerpt. */
function termExcerpt(result, anchor, terms) {
  const all = (result.content || "").split(/\s+/).filter(Boolean);
  return all.slice(anchor.location, anchor.location + 30).map((word) => {
    const plain = escapeHtml(word);
    return words(word).some((w) => terms.some((term) => sameWord(w, term))) ? `<mark>${plain}</mark>` : plain;
  }).join(" ");
}

/**
 * Defined terms (the glossary's <dt>, each with an id) that the matches fall under, each as a section
 * of its own: Pagefind makes sections only of headings, and a glossary has none, so without this
 * every term would lead to the top of the glossary. Pagefind lists every element with an id among
 * a page's anchors, with its word position.
 */
function termSections(result, terms) {
  const anchors = (result.anchors || []).filter((anchor) => anchor.element === "dt" && anchor.id);
  if (!anchors.length) return [];
  const under = (location) => anchors.filter((anchor) => anchor.location <= location).pop();
  const found = new Map();
  for (const weighted of result.weighted_locations || []) {
    const anchor = under(weighted.location);
    if (!anchor) continue;
    if (!found.has(anchor.id)) {
      found.set(anchor.id, {
        url: `${result.url.split("#")[0]}#${anchor.id}`,
        title: anchor.text,
        excerpt: termExcerpt(result, anchor, terms),
        locations: [],
        weighted_locations: [],
      });
    }
    const section = found.get(anchor.id);
    section.locations.push(weighted.location);
    section.weighted_locations.push(weighted);
  }
  return [...found.values()];
}

/** A page's matching sections (and defined terms), best first; the page itself when none matched. */
function sections(result, terms) {
  const headed = (result.sub_results || []).filter((section) => section.locations?.length);
  const definitions = termSections(result, terms);
  // A page of terms: its terms, and any real sections (with an anchor), not the page as a whole.
  const found = definitions.length ? [...definitions, ...headed.filter((s) => s.url.includes("#"))] : headed;
  const rank = (section) => [headingMatches(section, terms) ? 1 : 0, score(section)];
  found.sort((a, b) => {
    const [matchA, scoreA] = rank(a);
    const [matchB, scoreB] = rank(b);
    return matchB - matchA || scoreB - scoreA || a.locations[0] - b.locations[0];
  });
  return found.length ? found : [{ url: result.url, title: result.meta.title, excerpt: result.excerpt }];
}

function ranked(results, query) {
  const terms = words(query);
  const entries = results.map((result, order) => {
    const found = sections(result, terms);
    return { result, found, order, match: headingMatches(found[0], terms), score: score(found[0]) };
  });
  // A checklist item is a short record, so it scores high; where a guide section's heading matches as well,
  // the section that explains comes first, and the item that says what to do after it.
  const guide = (entry) => (entry.result.meta.in ? 0 : 1);
  entries.sort((a, b) => (b.match - a.match) || (a.match ? guide(b) - guide(a) || b.score - a.score : 0)
    || a.order - b.order);
  return entries;
}

function render(results, query) {
  list.replaceChildren();
  for (const { result, found } of ranked(results, query).slice(0, MAX_PAGES)) {
    const [best, ...others] = found;
    const item = element("li", { class: "app-search-results__item" },
      element("h2", { class: "nhsuk-heading-s nhsuk-u-margin-bottom-1" },
        element("a", { href: best.url, class: "app-search-results__link" }, best.title)));
    // A checklist item is a record of its own (publish/search_index.py), which names what it is in.
    const where = result.meta.in || (best.title !== result.meta.title ? result.meta.title : "");
    if (where) {
      item.append(element("p", { class: "nhsuk-body-s nhsuk-u-secondary-text-colour nhsuk-u-margin-bottom-1" },
        `In: ${where}`));
    }
    item.append(excerpt(best.excerpt));
    if (others.length) {
      const more = element("ul", { class: "nhsuk-list nhsuk-body-s app-search-results__more" });
      for (const section of others.slice(0, MORE_SECTIONS)) {
        more.append(element("li", {}, element("a", { href: section.url }, section.title)));
      }
      item.append(element("p", { class: "nhsuk-body-s nhsuk-u-margin-bottom-1" }, "Also on this page:"), more);
    }
    list.append(item);
  }
  const count = Math.min(results.length, MAX_PAGES);
  status.textContent = count
    ? `${count === MAX_PAGES ? "Top " : ""}${count} page${count === 1 ? "" : "s"} found for ‘${query}’`
    : `No results found for ‘${query}’. Check the spelling, try other words, or use the A to Z index.`;
}

// Finding what readers type: misspellings corrected, then every other way of saying a term searched too.

const phrase = (text) => words(text).join(" ");
const hasPhrase = (text, part) => ` ${text} `.includes(` ${part} `);

/** The query with its misspellings corrected, then the same with each synonym swapped in; the first is the reader's. */
function queriesFor(query) {
  const corrected = words(query).map((word) => TERMS.misspellings[word] || word).join(" ");
  const queries = [corrected];
  for (const group of TERMS.synonyms) {
    const variants = group.map(phrase);
    const found = variants.find((variant) => hasPhrase(corrected, variant));
    if (!found) continue;
    for (const other of variants) {
      if (other !== found) queries.push(` ${corrected} `.replace(` ${found} `, ` ${other} `).trim());
    }
  }
  return { corrected, queries: [...new Set(queries)].slice(0, MAX_QUERIES) };
}

/** Pages for the first query first, then any the other ways of saying it add. */
async function searchAll(engine, queries) {
  // Pages and checklist items are asked for apart (Pagefind's "kind" filter), so the many short item
  // records never push the guide's sections out of the pages considered.
  const searches = await Promise.all(queries.flatMap((query) => [
    engine.search(query, { filters: { kind: "page" } }),
    engine.search(query, { filters: { kind: "checklist item" } }),
  ]));
  const seen = new Set();
  const merged = [];
  for (const [index, search] of searches.entries()) {
    const kept = index % 2 ? search.results.slice(0, ITEMS) : search.results.slice(0, CONSIDERED);
    for (const result of kept) {
      if (!seen.has(result.id)) {
        seen.add(result.id);
        merged.push(result);
      }
    }
  }
  return merged;
}

/** The planner for a question about dates, each role's checklist for "checklist". */
function renderOffers(query) {
  offersArea.replaceChildren();
  const asked = words(query);
  const links = TERMS.offers.filter((offer) => offer.words.some((word) => asked.includes(word))).flatMap((o) => o.links);
  if (!links.length) return;
  const listing = element("ul", { class: "nhsuk-list" });
  for (const link of links) listing.append(element("li", {}, element("a", { href: link.href }, link.text)));
  offersArea.append(element("div", { class: "nhsuk-inset-text app-search__offers" },
    element("h2", { class: "nhsuk-heading-s" }, "You might be looking for"), listing));
}

/** How many single-letter changes turn one word into the other. */
function distance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The guide's own headings and glossary terms (its A to Z) nearest to what was typed. */
function renderSuggestions(query) {
  const asked = words(query).filter((word) => word.length >= 3);
  const entries = [...document.querySelectorAll(".app-a-z__list a")].map((link) => {
    const near = Math.min(...asked.flatMap((typed) => words(link.textContent).map((word) => distance(typed, word))));
    return { link, near };
  }).filter((entry) => entry.near <= 2).sort((a, b) => a.near - b.near).slice(0, SUGGESTIONS);
  if (!entries.length) return;
  const listing = element("ul", { class: "nhsuk-list nhsuk-list--bullet" });
  for (const { link } of entries) {
    listing.append(element("li", {}, element("a", { href: link.getAttribute("href") }, link.textContent)));
  }
  suggestionsArea.append(element("h2", { class: "nhsuk-heading-s" }, "Try one of these"), listing);
}

async function run(query) {
  query = query.trim();
  list.replaceChildren();
  suggestionsArea.replaceChildren();
  offersArea.replaceChildren();
  if (!query) {
    status.textContent = "Enter a word or phrase to search for.";
    return;
  }
  status.textContent = "Searching…";
  try {
    const engine = await loadPagefind();
    const { corrected, queries } = queriesFor(query);
    const found = await searchAll(engine, queries);
    const results = await Promise.all(found.map((result) => result.data()));
    render(results, corrected === phrase(query) ? query : corrected);
    renderOffers(query);
    if (!results.length) renderSuggestions(query);
  } catch (error) {
    status.textContent = "Search is not working at the moment. Use the A to Z index to find what you need.";
    throw error;
  }
}

if (app && form && input) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const url = new URL(window.location.href);
    url.searchParams.set("q", input.value.trim());
    window.history.replaceState(null, "", url);
    run(input.value);
  });
  // The form is shown, and the words for readers without JavaScript hidden, by the stylesheet
  // (.app-js-only, .app-no-js-only) before this script runs, so nothing moves when it starts.
  const query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;
  if (query.trim()) run(query);
}
