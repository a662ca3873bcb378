"""The application factory."""
from __future__ import annotations

import logging

from flask import Flask

from bootstrap import Services, bootstrap
from settings import Settings
from web import (admin, auth, client, consistency, conversation, errors, feed, inputs, limits, media, messages,
                 metrics, notifications, ops, policy, recommendations, security, sse, tweets, users, ws)
from web.admission import Admission
from web.json import OrjsonProvider


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    settings = services.settings if services else settings or Settings.from_env()
    settings.check()  # before connecting to anything: production refuses the default secrets
    services = services or bootstrap(settings)
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    app.config.update(
        SECRET_KEY=services.settings.secret_key,
        MAX_CONTENT_LENGTH=services.settings.max_body_bytes,
    )
    app.extensions["services"] = services
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    metrics.init(app)
    consistency.init(app)  # first: every later hook's Neo4j reads follow the caller's writes
    security.init(app)
    policy.init(app)
    inputs.init(app)
    limits.init(app, services)
    errors.register(app)
    for blueprint in (auth.bp, users.bp, tweets.bp, feed.bp, ops.bp, recommendations.bp, admin.bp, client.bp,
                      sse.bp, ws.bp, notifications.bp, messages.bp, media.bp, media.files, conversation.bp):
        app.register_blueprint(blueprint)
    settings = services.settings
    app.wsgi_app = Admission(
        app.wsgi_app,
        concurrency=settings.web_max_in_flight,
        queue=settings.web_max_waiting,
        wait_seconds=settings.web_max_wait_ms / 1000,
        max_lag_seconds=settings.web_max_lag_ms / 1000,
    )
    return app
