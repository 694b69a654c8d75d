"""The map of happiness draws the layers other apps register (directory.layers), knowing none of them."""
import pytest

from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.directory import layers
from lifecircle.directory.layers import MapLayer


@pytest.fixture
def mini(db):
    return load_pack(MINI)


@pytest.fixture
def only_layer(monkeypatch):
    """The registry holding one made-up layer instead of the apps' own."""
    made_up = MapLayer(key="benches", label="Benches", swatch="swatch-bench", api_path="benches.geojson",
                       count=lambda subdistrict: len(subdistrict.code), count_label="%(n)s benches",
                       script_config=lambda: {"benchKinds": {"stone": "Stone"}, "strings": {"bench": "Bench"}})
    monkeypatch.setattr(layers, "_registered", {made_up.key: made_up})
    return made_up


def test_the_service_apps_register_their_layers_in_legend_order():
    assert [layer.key for layer in layers.registered()] == ["requests", "proposals"]


def test_the_map_lists_and_configures_whatever_is_registered(client, mini, only_layer):
    page = client.get(f"/s/{mini.code}/")
    html = page.content.decode()
    assert 'data-layer="benches"' in html and 'class="swatch swatch-bench"' in html
    assert f'data-count="{len(mini.code)}" aria-label="{len(mini.code)} benches"' in html
    assert 'data-layer="requests"' not in html and 'data-layer="proposals"' not in html
    config = page.context["map_config"]
    assert config["api"]["benches"].endswith("/api/benches.geojson?subdistrict=" + mini.code)
    assert config["benchKinds"] == {"stone": "Stone"} and config["strings"]["bench"] == "Bench"
    assert config["strings"]["openNow"]  # the directory's own strings stay
    assert "requests" not in config["api"] and "requestStates" not in config


def test_no_layers_no_community_group(client, mini, monkeypatch):
    monkeypatch.setattr(layers, "_registered", {})
    assert 'data-testid="legend-community"' not in client.get(f"/s/{mini.code}/").content.decode()


def test_the_apps_layers_count_what_their_endpoints_return(client, mini):
    html = client.get(f"/s/{mini.code}/").content.decode()
    config = client.get(f"/s/{mini.code}/").context["map_config"]
    for key in ("requests", "proposals"):
        features = client.get(config["api"][key]).json()["features"]
        assert f'data-layer="{key}"' in html
        assert f'data-count="{len(features)}"' in html
    assert config["requestStates"] and config["proposalStatuses"] and config["strings"]["proposalLink"]
