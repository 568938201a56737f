"""Gunicorn settings: `gunicorn -c gunicorn.conf.py 'service:create_app()'`.

The settings live in the package (service/http/gunicorn_conf.py) so `readout serve` and an installed
copy use the same ones; see that module for each setting and the variables that tune it.
"""

from service.http.gunicorn_conf import *  # noqa: F403
