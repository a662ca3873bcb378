"""The app's services, as the composition root built them."""
from flask import current_app

from bootstrap import Services


def services() -> Services:
    return current_app.extensions["services"]
