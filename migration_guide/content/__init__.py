"""The guide as data: the model, the phases, the partner directory, loading, Markdown rendering and checks.

Never imports Flask. Kept empty so that importing one module (the form functions read
`directory` and `navigation`) does not load the Markdown pipeline.
"""
