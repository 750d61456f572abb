"""The package's shape: one import name, its layers' import direction, one source for every
label, every browser script in a file of its own, and the library internals it relies on."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import losslab
from losslab import core, labels

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = {"losslab": ROOT / "app", "losslab.core": ROOT / "core"}

# What each layer may import of the package (besides itself). The direction is
# core ← session ← views ← page ← server, with labels, palette, web and transport beside them.
ALLOWED = {
    "core": set(),
    "labels": {"core"},
    "palette": set(),
    "web": {"palette"},
    "session": {"core", "labels"},
    "transport": {"core", "web"},
    "views": {"core", "labels", "palette", "web", "session", "transport"},
    "page": {"core", "labels", "palette", "web", "session", "transport", "views"},
    "server": {"core", "labels", "palette", "web", "session", "transport", "views", "page"},
}


def modules():
    """{dotted name: path} of every module of the package."""
    found = {}
    for package, folder in PACKAGE.items():
        for path in folder.rglob("*.py"):
            if package == "losslab" and path.is_relative_to(PACKAGE["losslab.core"]):
                continue
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([package, *parts])] = path
    return found


ENTRY_POINTS = ("__main__", "served")
"""Modules of the package's top that start it (`python -m losslab`, `panel serve` of
losslab.served): like the package itself, above every layer."""


def layer(name):
    parts = name.split(".")
    return "top" if len(parts) == 1 or parts[1] in ENTRY_POINTS else parts[1]


def imports_of(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "losslab":  # from losslab import core, labels
                names |= {f"losslab.{alias.name}" for alias in node.names} & set(modules())
    return names


def test_the_package_has_every_layer():
    assert {layer(name) for name in modules()} >= set(ALLOWED) | {"top"}


@pytest.mark.parametrize("name", sorted(modules()))
def test_each_module_imports_only_the_layers_below_it(name):
    own = layer(name)
    imported = imports_of(modules()[name])
    assert not {m for m in imported if m.split(".")[0] in ("app", "core")}, \
        "the package is imported as losslab only"
    if own == "top":
        return  # losslab and losslab.__main__ reach the rest lazily
    used = {layer(m) for m in imported if m.startswith("losslab.")} - {own, "top"}
    assert used <= ALLOWED[own], f"{name} ({own}) imports {sorted(used - ALLOWED[own])}"
    if own == "core":
        ui = {m.split(".")[0] for m in imported} & {"panel", "bokeh", "param", "tornado"}
        assert not ui, f"{name} imports {ui}: core never imports a UI library"


def test_importing_the_package_or_its_core_loads_no_ui_library():
    for statement in ("import losslab", "import losslab.core; losslab.core.evaluate"):
        code = (f"{statement}; import sys; "
                "print(sorted({m.split('.')[0] for m in sys.modules} & {'panel', 'bokeh', 'param'}))")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                cwd=ROOT.parent, check=True)
        assert result.stdout.strip() == "[]", statement


def test_the_app_is_reached_lazily_from_the_top():
    from losslab.server.serving import create_session_app

    assert losslab.create_app is create_session_app
    with pytest.raises(AttributeError):
        losslab.no_such_thing  # noqa: B018


def test_labels_cover_exactly_cores_registries():
    assert set(labels.LOSSES) == set(core.LOSSES)
    assert set(labels.REGULARIZERS) == set(core.REGULARIZERS)
    assert set(labels.OPTIMIZERS) == set(core.OPTIMIZERS)
    assert set(labels.SCHEDULES) == set(core.SCHEDULES)
    assert set(labels.PRESETS) == set(core.PRESETS)
    assert set(labels.PARAMETERS) == set(core.PARAMETER_NAMES)
    assert set(labels.HYPERPARAMETERS) == {name for optimizer in core.OPTIMIZERS.values()
                                           for name in optimizer.hyperparameter_names}
    assert len(labels.CLASSES) == core.NUM_CLASSES
    for table in (labels.LOSSES, labels.REGULARIZERS, labels.OPTIMIZERS, labels.SCHEDULES,
                  labels.PRESETS, labels.PARAMETERS, labels.HYPERPARAMETERS):
        assert len(set(table.values())) == len(table), "two things with one label"


JS_CALLS = {"CustomJS", "CustomJSTickFormatter", "CustomJSHover", "CustomJSFilter",
            "CustomJSTransform", "CustomJSExpr"}


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_javascript_is_written_in_python(name):
    tree = ast.parse(modules()[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) \
                in JS_CALLS:
            for keyword in node.keywords:
                if keyword.arg == "code":
                    assert not isinstance(keyword.value, (ast.Constant, ast.JoinedStr)), \
                        f"{name}:{node.lineno}: its code belongs in a file of losslab.web (app/web/)"
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") in ("_esm", "_template")
                                                for t in node.targets):
            assert not isinstance(node.value, (ast.Constant, ast.JoinedStr)), \
                f"{name}:{node.lineno}: a component's script belongs in a file of losslab.web (app/web/)"


def test_every_browser_script_is_used_by_the_page():
    from bokeh.models import CustomJS, CustomJSTickFormatter
    from panel.custom import JSComponent

    from losslab.page import LabPage
    from losslab.web import WEB, ScriptModule

    scripts = {path.read_text(encoding="utf-8"): path.name for path in WEB.glob("*.js")}
    page = LabPage()
    used = set()
    for model in page.layout.get_root().references():
        callbacks = [c for cs in [*model.js_property_callbacks.values(),
                                  *model.js_event_callbacks.values()] for c in cs]
        if isinstance(model, CustomJSTickFormatter):
            callbacks.append(model)
        used |= {scripts[c.code] for c in callbacks
                 if isinstance(c, (CustomJS, CustomJSTickFormatter)) and c.code in scripts}
    components = page.layout.select(JSComponent)
    for component in components:
        esm = type(component)._esm
        if isinstance(esm, Path) and esm.parent == WEB:
            used.add(esm.name)
        if isinstance(esm, ScriptModule):  # a module made of several files
            used |= set(esm.parts)
    assert used == set(scripts.values()), \
        f"scripts no component uses: {sorted(set(scripts.values()) - used)}"


def test_the_library_internals_relied_on_are_all_there():
    from losslab.server import hooks

    assert all(hooks.internals().values()), hooks.internals()
    hooks.check()


def test_the_page_makes_no_js_links():
    # Panel keeps JS links in a class-level registry whose entries refer back to their widgets,
    # so a session ending would leave its whole lab behind: the page makes none (a widget that
    # needs one needs a release of its registry entries when the session ends).
    from panel.links import Callback

    from losslab.page import LabPage

    before = len(Callback.registry)
    LabPage().layout.get_root()
    assert len(Callback.registry) == before
