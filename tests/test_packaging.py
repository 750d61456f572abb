"""What installs: one import package, `losslab`, with its browser files and licence, and nothing
else at the top level; its command works in a fresh virtual environment."""

import email
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True)
    (path,) = out.glob("losslab-*.whl")
    return path


def test_the_wheel_holds_one_package_and_its_files(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n for n in names if n.endswith(".dist-info/METADATA")).rsplit("/", 1)[0]
        top_level = archive.read(f"{info}/top_level.txt").decode().split()
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
    assert top_level == ["losslab"]
    assert {name.split("/")[0] for name in names} == {"losslab", info}
    for expected in ("losslab/__init__.py", "losslab/__main__.py", "losslab/core/losses.py",
                     "losslab/web/losslab.css", "losslab/web/plot.js",
                     "losslab/server/command.py", "losslab/session/state.py"):
        assert expected in names
    assert not [n for n in names if n.endswith(".png")], "the README's screenshot is not shipped"
    assert f"{info}/licenses/LICENSE" in names
    assert metadata["License-Expression"] == "MIT"
    assert "License" not in metadata or not metadata["License"], "the deprecated licence field"
    assert metadata.get_all("Classifier") and metadata.get_all("Project-URL")
    requires = " ".join(metadata.get_all("Requires-Dist"))
    assert "panel<1.10,>=1.9.4" in requires and "bokeh<3.10,>=3.9.2" in requires


def test_a_fresh_environment_imports_losslab_only(wheel, tmp_path):
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*install, "--no-deps", str(wheel)], check=True, capture_output=True)
    subprocess.run([*install, "numpy"], check=True, capture_output=True)  # for losslab.core

    def run(*args):
        # From an empty folder, so that nothing of the source checkout is on the import path.
        return subprocess.run([str(python), *args], capture_output=True, text=True, cwd=tmp_path,
                              env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})

    ok = run("-c", "import losslab, losslab.core; print(losslab.__version__, "
                   "losslab.core.evaluate([[1.0, 2.0]], [0], losslab.core.DEFAULT_W, "
                   "losslab.core.DEFAULT_B).total_loss)")
    assert ok.returncode == 0, ok.stderr
    for name in ("app", "core"):
        assert run("-c", f"import {name}").returncode != 0, f"`import {name}` should fail"
    version = subprocess.run([str(env_dir / "bin" / "losslab"), "--version"], capture_output=True,
                             text=True, cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("losslab ")
    helped = run("-m", "losslab", "--help")
    assert helped.returncode == 0 and "--num-procs" in helped.stdout
