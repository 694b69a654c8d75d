"""The ``lifecircle`` command lists every command, the geo engine's included."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "lifecircle.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_help_lists_django_and_geo_commands():
    result = run("--help")
    assert result.returncode == 0, result.stderr
    for command in ("load_pack", "compute_accessibility", "serve", "[geo]", "build-graph"):
        assert command in result.stdout
    assert "300/500/1000 m" in result.stdout


def test_help_geo_is_the_engine_help():
    result = run("help", "geo")
    assert result.returncode == 0
    assert "build-graph" in result.stdout and "isochrone" in result.stdout
