"""Every model of the product is exercised by some test (as NetBox does)."""

from pathlib import Path

from django.apps import apps

TESTS = Path(__file__).parent


def test_every_model_is_named_in_a_test():
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in TESTS.rglob("test_*.py")
        if path.name != "test_model_coverage.py"
    )
    untested = [
        f"{model._meta.app_label}.{model.__name__}"
        for model in apps.get_models()
        if model.__module__.startswith("dieuhanh.") and model.__name__ not in source
    ]
    assert untested == []


def test_every_model_reaches_users_only_through_restrict():
    """The default manager of every model of the product offers restrict(user, action)."""
    unrestricted = [
        f"{model._meta.app_label}.{model.__name__}"
        for model in apps.get_models()
        if model.__module__.startswith("dieuhanh.")
        and not hasattr(model._default_manager, "restrict")
    ]
    assert unrestricted == []
