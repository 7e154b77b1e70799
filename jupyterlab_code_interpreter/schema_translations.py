"""Let JupyterLab's settings API translate our settings schema from our own catalog.

jupyterlab_server translates every plugin's settings schema before serving it (titles and
descriptions, in the message contexts ``schema`` and ``settings``), in the domain the schema
names under ``jupyter.lab.internationalization``. It looks that domain's messages up only in
the installed JupyterLab language pack, though (``TranslationBundle.update_locale``), and the
packs do not carry our domain: our catalog, served through the ``jupyterlab.locale`` entry
point, reaches the browser only, so the settings form would stay in English. The bundle
registered here answers from our catalog first and from the language pack after it.
"""

from __future__ import annotations

import json
from pathlib import Path

from jupyterlab_server.translation_utils import TranslationBundle, translator

DOMAIN = "jupyterlab_code_interpreter"
LOCALE = Path(__file__).resolve().parent / "locale"
CONTEXT_SEPARATOR = "\x04"


def read_catalog(locale: str, folder: Path = LOCALE) -> dict[str, str]:
    """Msgid (``context\\x04msgid`` when it has a context) -> translation, for one locale.

    The catalog is the Jed JSON that ``scripts/update_catalog.py`` writes; a locale we have
    no catalog for has no messages.
    """
    path = folder / locale / "LC_MESSAGES" / f"{DOMAIN}.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {key: value[0] for key, value in data.items() if key and value and value[0]}


class CatalogBundle(TranslationBundle):
    """Our domain's messages from our catalog, then from the language pack."""

    def update_locale(self, locale_: str) -> None:
        """Load the language pack's messages (the parent's job) and our catalog's."""
        super().update_locale(locale_)
        self._catalog = read_catalog(locale_)

    def gettext(self, msgid: str) -> str:
        """The translation of a message without context."""
        return self._catalog.get(msgid) or super().gettext(msgid)

    def pgettext(self, msgctxt: str, msgid: str) -> str:
        """The translation of a message in a context, as schema strings are."""
        found = self._catalog.get(f"{msgctxt}{CONTEXT_SEPARATOR}{msgid}")
        return found or super().pgettext(msgctxt, msgid)


def install_schema_translations() -> None:
    """Register our bundle as the one jupyterlab_server uses for our domain.

    #### Notes
    jupyterlab_server keeps one bundle per domain in ``translator._TRANSLATORS`` and tells
    each of them when the user changes the language; it has no public way to add one, so the
    bundle is put there, created for the current language. ``test_schema_translations``
    reads the settings API of a real server, so a change on their side fails there.
    """
    domain = translator.normalize_domain(DOMAIN)
    translator._TRANSLATORS[domain] = CatalogBundle(domain, translator._LOCALE)
