"""The GP practice migration guide: Markdown pages rendered by Flask and frozen to a static site."""
