"""The public forms, as the serverless functions run them on AWS Lambda: the request guard,
section feedback, help requests, the rate limit, the outbox and the store.

Runs under a cold-start budget: never imports the Markdown pipeline, content loading, `site`
or `build` (import-linter holds this; see pyproject.toml).
"""
