"""The CJK font the server ships (fonts/, see its README), registered with matplotlib in the
kernel as a fallback family after the default one, so chart titles and labels in Chinese,
Japanese and Korean render instead of boxes. Part of the kernel helpers bundle: standard
library only.

Nothing is imported early: when matplotlib's font manager is already loaded the font is added
at once, else right after the kernel's code first imports it (pyplot does). Only this kernel's
rcParams change; site-packages and matplotlibrc are left alone. A path the kernel cannot see (a
kernel on another machine) is skipped.
"""

import os
import sys

FONT_MANAGER_MODULE = "matplotlib.font_manager"


def register_fonts(paths):
    """Add the font files among `paths` to matplotlib's font list and append their families
    to `font.family` (matplotlib 3.6+ falls back per glyph through that list), there to stay
    when a style sets it again, now or when the kernel first imports matplotlib's font
    manager. Idempotent; never raises."""
    paths = [p for p in paths or () if isinstance(p, str) and os.path.isfile(p)]
    if not paths:
        return
    if FONT_MANAGER_MODULE in sys.modules:
        _add_fonts(paths)
        return
    for finder in list(sys.meta_path):
        if type(finder).__name__ == "_AfterImport":
            sys.meta_path.remove(finder)  # a reinstall (after `%reset`) replaces the old hook
    sys.meta_path.insert(0, _AfterImport(FONT_MANAGER_MODULE, lambda: _add_fonts(paths)))


def _add_fonts(paths):
    try:
        from matplotlib import font_manager, rcParams

        known = {entry.fname for entry in font_manager.fontManager.ttflist}
        families = []
        for path in paths:
            if path not in known:
                font_manager.fontManager.addfont(path)
            families.append(font_manager.FontProperties(fname=path).get_name())
        _keep_fallback(rcParams, families)
        rcParams["font.family"] = list(rcParams["font.family"])  # appends the families
        sans = list(rcParams["font.sans-serif"])
        rcParams["font.sans-serif"] = sans + [f for f in families if f not in sans]
    except Exception:
        pass  # a broken or old matplotlib plots as it did; the kernel's own code is unaffected


def _keep_fallback(rc, families):
    """Make every later `font.family` setting of `rc` end with `families`.

    Styles (`plt.style.use("seaborn-v0_8-whitegrid")`, `rcdefaults()`, seaborn's
    `set_theme`) set `font.family` to `sans-serif` alone, which would drop the fallback and
    bring the boxes back. The global `rcParams` object gets a subclass of its own class that
    appends the families to what is set (in this kernel's memory only); a reinstall updates
    the families instead of stacking subclasses.
    """
    kind = type(rc)
    if getattr(kind, "_fallback_families", None) is not None:
        kind._fallback_families = list(families)
        return

    class KeepFallback(kind):
        _fallback_families = list(families)

        def __setitem__(self, key, val):
            if key == "font.family":
                val = _with_families(val, type(self)._fallback_families)
            super().__setitem__(key, val)

    KeepFallback.__name__ = KeepFallback.__qualname__ = kind.__name__
    rc.__class__ = KeepFallback


def _with_families(value, families):
    chosen = [v.strip() for v in value.split(",")] if isinstance(value, str) else list(value)
    return [f for f in chosen if f] + [f for f in families if f not in chosen]


class _AfterImport:
    """A meta path finder that runs `then` once, right after `name` has been imported, and
    leaves `sys.meta_path`. The module is found and loaded by the finders behind it."""

    def __init__(self, name, then):
        self.name = name
        self.then = then

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        spec = None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        load = loader.exec_module
        hook = self

        def exec_module(module):
            load(module)
            if hook in sys.meta_path:
                sys.meta_path.remove(hook)
            hook.then()

        loader.exec_module = exec_module
        return spec
