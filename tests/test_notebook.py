"""The lab in a notebook, executed by nbclient in a real Jupyter kernel: built by the README's
cell, stepped and run from Python, and loaded from the installed packages only.

No browser draws the outputs here, so the lab's comm never opens: this is a notebook run by a
script (nbclient, papermill), where the lab must still step, run and stop as in a served page.
"""

import json
import re
from pathlib import Path

import bokeh
import nbformat
import pytest
from nbclient import NotebookClient

LOAD_MIME = "application/vnd.holoviews_load.v0+json"
BOKEHJS = Path(bokeh.__file__).parent / "server" / "static" / "js" / "bokeh.min.js"
KATEX = "KaTeX parse error"
"""A text of KaTeX's own script (the worked math), in a bundle only if KaTeX is."""

REPORT = """
import json
def report(lab, **more):
    print(json.dumps(dict(steps=lab.state.steps, shown=lab.frame.texts.get("steps"),
                          total=lab.frame.texts.get("total-loss"), running=lab.state.running,
                          loss=lab.state.loss, optimizer=lab.state.optimizer,
                          points=len(lab.state.X), address=lab.share.address.query, **more)))
"""

CELLS = [
    # The README's cell, as a new user types it.
    "from losslab import create_app\nlab = create_app()\nlab",
    REPORT,
    # Step, as a click on the button does it.
    "lab.settings.step_button.clicks += 1\nreport(lab)",
    # Run for two seconds of the kernel's own loop (await lets it run), then Stop.
    """import asyncio
lab.settings.run_button.clicks += 1
await asyncio.sleep(2.0)
lab.settings.run_button.clicks += 1
stopped_at = lab.state.steps
await asyncio.sleep(0.5)
report(lab, stopped_at=stopped_at)""",
    # A second lab on prepared settings: independent of the first, and no second extension.
    """other = create_app(preset="overlapping", loss="softmax", optimizer="adam", presentation=True)
other.training.step()
report(other, first=lab.state.steps, presentation=other.state.presentation)""",
    "other",
]


def execute(cells, folder):
    """A notebook of `cells`, executed in a fresh kernel of this Python."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    return execute(CELLS, tmp_path_factory.mktemp("notebook"))


def loaded(notebook):
    """{cell index: the largest extension loader it output}."""
    loads = {}
    for i, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get(LOAD_MIME)
            if text is not None and len(text) > len(loads.get(i, "")):
                loads[i] = text
    return loads


def printed(notebook, index):
    """The JSON line cell `index` printed."""
    streams = [o.text for o in notebook.cells[index].outputs if o.output_type == "stream"]
    assert streams, notebook.cells[index].outputs
    return json.loads(streams[-1].strip().splitlines()[-1])


def test_a_step_from_python_shows_in_the_frame(executed):
    notebook = executed
    assert printed(notebook, 2) == {**printed(notebook, 2), "steps": 1, "shown": "1"}


def test_run_steps_on_the_kernels_loop_and_stop_stops_it(executed):
    notebook = executed
    run = printed(notebook, 3)
    assert not run["running"]
    assert run["steps"] >= 1 + 5, f"Run took {run['steps'] - 1} steps in 2 s"
    assert run["steps"] == run["stopped_at"], "steps went on after Stop"
    assert run["shown"] == str(run["steps"])


def test_the_lab_never_writes_the_notebooks_address(executed):
    notebook = executed
    assert printed(notebook, 3)["address"] == ""


def test_settings_open_a_prepared_lab_independent_of_the_first(executed):
    notebook = executed
    other = printed(notebook, 4)
    assert other["loss"] == "softmax" and other["optimizer"] == "adam" and other["presentation"]
    assert other["points"] != 9, "the overlapping preset, not the default 9 points"
    assert other["steps"] == 1 and other["shown"] == "1"
    assert other["first"] == printed(notebook, 3)["steps"]


def test_the_extension_is_loaded_once_from_the_installed_packages(executed):
    notebook = executed
    loads = loaded(notebook)
    assert set(loads) == {0}, "the extension is loaded by the first lab only"
    # Every script and stylesheet is in the loader itself: it names none to fetch.
    (loader,) = loads.values()
    assert re.search(r"const js_urls = \[\];", loader) and re.search(r"const css_urls = \[\];",
                                                                     loader)
    assert len(loader) > BOKEHJS.stat().st_size, "BokehJS is in the notebook"
    assert KATEX in loader
    for index in (0, 5):  # both labs are in their cells' outputs
        shown = [o for o in notebook.cells[index].outputs if o.output_type == "execute_result"]
        assert any("application/vnd.holoviews_exec.v0+json" in o.data for o in shown), index


@pytest.mark.parametrize("imports", ["import panel as pn\nfrom losslab import create_app",
                                     "from losslab import create_app\nimport panel as pn"])
def test_a_users_own_extension_after_the_import_loads_everything_once(imports, tmp_path):
    notebook = execute([f"{imports}\npn.extension()", "create_app()"], tmp_path)
    loads = loaded(notebook)
    assert set(loads) == {0}, "create_app loaded a second bundle"
    assert re.search(r"const js_urls = \[\];", loads[0]) and KATEX in loads[0]


def test_importing_the_engine_changes_nothing_of_the_notebooks_panel(tmp_path):
    notebook = execute(["import json\nimport panel as pn\nimport losslab.core\n"
                        "print(json.dumps(dict(inline=pn.config.inline)))"], tmp_path)
    assert printed(notebook, 0) == {"inline": False}, "only create_app prepares the kernel"
