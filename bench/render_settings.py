"""Settings for the gunicorn that ``bench/render.py`` starts: the development settings with ``DEBUG`` off (as
every ``bench/`` script runs), and the application's URLs plus one bare view (``render_urls``)."""

from crm.settings.dev import *  # noqa: F403

ROOT_URLCONF = "render_urls"
