"""AWS Lambda entry point for `POST /api/request-help` (same app as feedback; see feedback.py)."""

from apig_wsgi import make_lambda_handler

from migration_guide.app import create_functions_app

app = create_functions_app()
handler = make_lambda_handler(app, binary_support=True)
