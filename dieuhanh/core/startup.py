"""What a serving process does once its application is loaded."""

import gc


def settle() -> None:
    """Load the URL configuration (and so every view) now, then move everything loaded so
    far out of the garbage collector's sight: it lives as long as the process, and large
    answers (analytics tables) allocate enough small objects to make the collector walk it
    again and again."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the views)
    gc.freeze()
