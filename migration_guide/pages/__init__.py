"""The guide's pages: Markdown pages, the planner, search, the print page and the request-help page."""
