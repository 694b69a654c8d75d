"""Shared fixtures: tiny hand-written OSM files and the Helsinki extract."""

import os

import pytest

DATA = os.path.join(os.path.dirname(__file__), "data")
HELSINKI_PBF = os.path.join(DATA, "Helsinki.osm.pbf")


def osm_xml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="lifecircle-tests">\n{body}\n</osm>\n'


def nodes_xml(coords: dict) -> str:
    """``{id: (lon, lat)}`` as OSM node elements."""
    return "\n".join(f'  <node id="{i}" lon="{lon}" lat="{lat}"/>' for i, (lon, lat) in coords.items())


def way_xml(way_id: int, refs, **tags) -> str:
    nds = "".join(f'<nd ref="{r}"/>' for r in refs)
    tag_xml = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    return f'  <way id="{way_id}">{nds}{tag_xml}</way>'


@pytest.fixture
def write_osm(tmp_path):
    """Write an OSM XML document with the given body; returns its path."""

    def write(body: str, name: str = "test.osm") -> str:
        path = tmp_path / name
        path.write_text(osm_xml(body), encoding="utf-8")
        return str(path)

    return write


@pytest.fixture(scope="session")
def helsinki_graph():
    from lifecircle.geo.osm import load_network

    return load_network(HELSINKI_PBF)
