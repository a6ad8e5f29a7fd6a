"""Vietnamese is the default language: every user-facing string has a translation, and
the compiled catalog is the current one."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

CATALOG = Path(settings.LOCALE_PATHS[0]) / "vi" / "LC_MESSAGES" / "django.po"


def test_the_vietnamese_catalog_is_complete():
    catalog = polib.pofile(str(CATALOG))
    assert len(catalog) > 20
    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []


def test_the_compiled_catalog_matches_the_source():
    source = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(CATALOG))}
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(CATALOG.with_suffix(".mo")))
    }
    compiled.pop((None, ""), None)
    assert compiled == source, "run `make messages` to recompile the catalog"


def test_every_translatable_string_in_the_code_is_in_the_catalog(tmp_path, monkeypatch):
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed (make system-deps installs it)")
    package = Path(settings.BASE_DIR) / "dieuhanh"
    copy = tmp_path / "dieuhanh"
    shutil.copytree(
        package,
        copy,
        ignore=shutil.ignore_patterns("static", "__pycache__", "migrations"),
    )
    monkeypatch.chdir(copy)
    locale = copy / "locale"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "LOCALE_PATHS", [str(locale)])
        call_command("makemessages", locale=["vi"], no_obsolete=True, verbosity=0)
    extracted = polib.pofile(str(locale / "vi" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in extracted.untranslated_entries()]
    assert missing == [], "untranslated strings; run `make messages` and translate them"
