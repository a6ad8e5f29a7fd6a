import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
application = get_wsgi_application()

from dieuhanh.core.startup import settle  # noqa: E402 (needs the application loaded)

settle()
