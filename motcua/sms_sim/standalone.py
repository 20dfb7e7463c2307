"""Settings to serve the SMS gateway simulator on its own, as the real gateway is a server apart.

``DJANGO_SETTINGS_MODULE=motcua.sms_sim.standalone gunicorn config.wsgi``: the
project's settings (database, keys) with only the simulator's URL and none of
the site's middleware (sessions, CSRF, CSP, audit, ...), which a gateway has
no use for. The benchmark (``bench/outbox.py``) serves it this way.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "motcua.sms_sim.standalone_urls"
MIDDLEWARE = []
OUTBOX_SMS_SIMULATOR = True
