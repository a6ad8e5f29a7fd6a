import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
application = get_asgi_application()

from dieuhanh.core.startup import settle  # noqa: E402 (needs the application loaded)

settle()
