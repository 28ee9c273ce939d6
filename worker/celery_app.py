"""The Celery entry point: `celery -A worker.celery_app worker` and `celery -A worker.celery_app beat`.

This is the only place that builds the Flask app for Celery.
"""

from __future__ import annotations

from celery import Celery

from lifecycle import create_app

flask_app = create_app()
celery_app: Celery = flask_app.extensions["celery"]
app = celery_app
