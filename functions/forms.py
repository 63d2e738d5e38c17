"""AWS Lambda entry point for the form functions: `POST /api/feedback` and `POST /api/request-help`.

The function is the same Flask code `guide serve` mounts at the same path;
apig-wsgi (a maintained adapter) turns Function URL and API Gateway v2 events,
base64 bodies included, into WSGI requests and back.
"""

from apig_wsgi import make_lambda_handler

from migration_guide.forms.app import create_functions_app

app = create_functions_app()
handler = make_lambda_handler(app, binary_support=True)
