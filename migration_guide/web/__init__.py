"""The Flask plumbing both apps share: the app base, internal URLs, stamping, security headers,
the site manifest and the compiled assets."""
