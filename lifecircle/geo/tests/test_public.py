"""The engine's public surface: what ``lifecircle.geo`` names is there, documented, and loaded lazily."""
import inspect
import subprocess
import sys

import lifecircle.geo as geo


def test_every_public_name_resolves_and_is_documented():
    undocumented = [name for name in geo.__all__
                    if (inspect.isfunction(getattr(geo, name)) or inspect.isclass(getattr(geo, name)))
                    and not (getattr(geo, name).__doc__ or "").strip()]
    assert undocumented == []
    assert set(geo.__all__) <= set(dir(geo))


def test_shared_names_are_the_modules_own():
    from lifecircle.geo import accessibility, osm

    assert geo.Facilities is accessibility.Facilities and geo.FacilityTiles is accessibility.FacilityTiles
    assert geo.check_readable is osm.check_readable


def test_importing_the_package_loads_only_the_network_modules():
    code = ("import sys, lifecircle.geo; "
            "print(sorted(m for m in sys.modules if m.startswith('lifecircle.geo.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "lifecircle.geo.accessibility" not in loaded and "lifecircle.geo.siting" not in loaded
    assert "lifecircle.geo.graph" in loaded
