"""Making the static site: freezing (across cores for large guides), the page cache, the CSS
purge, the search index, the build's link check, and the Netlify-like preview server."""
