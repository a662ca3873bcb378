"""The WSGI entry point for gunicorn and the Flask CLI (`flask --app wsgi ...`)."""
from web.app import create_app
from web.cli import register_commands

app = create_app()
register_commands(app)
