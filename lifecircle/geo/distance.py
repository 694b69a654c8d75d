"""Distances on the Earth's surface, in metres.

Edge lengths are great-circle (haversine) distances on a sphere of the IUGG
mean Earth radius, summed over each edge's vertices -- the same convention as
osmnx. Against the WGS84 ellipsoid this is within 0.5 % at any latitude, and
Shanghai (31 deg N) is near the latitude where the sphere and the ellipsoid
agree best.

Work that needs planar geometry at street scale (snapping a point onto a
segment, buffering a boundary or an isochrone) uses a local equirectangular
projection centred on the data. Over a few kilometres its distortion is far
below the precision of the underlying OpenStreetMap coordinates.
"""

from __future__ import annotations

import numpy as np

#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_008.8

#: Metres per degree of latitude (and of longitude at the equator).
METRES_PER_DEGREE = EARTH_RADIUS_M * np.pi / 180.0


def haversine_m(lon1, lat1, lon2, lat2):
    """Great-circle distance in metres between points given in degrees.

    Accepts scalars or numpy arrays (broadcast together).
    """
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=np.float64)) for a in (lon1, lat1, lon2, lat2))
    h = np.sin((lat2 - lat1) / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


class LocalProjection:
    """Equirectangular projection around a reference latitude/longitude.

    ``x`` grows east and ``y`` north, both in metres. Accurate to well under
    0.1 % within ~20 km of the reference point, which covers a sub-district
    and its catchment.
    """

    def __init__(self, lon0: float, lat0: float):
        self.lon0 = float(lon0)
        self.lat0 = float(lat0)
        self.kx = METRES_PER_DEGREE * np.cos(np.radians(self.lat0))
        self.ky = METRES_PER_DEGREE

    @classmethod
    def around(cls, lon, lat) -> "LocalProjection":
        """A projection centred on the middle of the given coordinates' extent."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        return cls((lon.min() + lon.max()) / 2.0, (lat.min() + lat.max()) / 2.0)

    def forward(self, lon, lat):
        """Degrees to metres: returns ``(x, y)`` arrays."""
        return ((np.asarray(lon, dtype=np.float64) - self.lon0) * self.kx,
                (np.asarray(lat, dtype=np.float64) - self.lat0) * self.ky)

    def inverse(self, x, y):
        """Metres to degrees: returns ``(lon, lat)`` arrays."""
        return (np.asarray(x, dtype=np.float64) / self.kx + self.lon0,
                np.asarray(y, dtype=np.float64) / self.ky + self.lat0)

    def transform_geometry(self, geom, inverse: bool = False):
        """Apply the projection (or its inverse) to a shapely geometry."""
        import shapely

        fn = self.inverse if inverse else self.forward
        return shapely.transform(geom, lambda xy: np.column_stack(fn(xy[:, 0], xy[:, 1])))


def metres_to_degrees_lat(metres: float) -> float:
    """How many degrees of latitude span ``metres``."""
    return metres / METRES_PER_DEGREE


def metres_to_degrees_lon(metres: float, lat: float) -> float:
    """How many degrees of longitude span ``metres`` at latitude ``lat``.

    Uses the largest absolute latitude given, so the result is never too small
    to be used as a search margin.
    """
    return metres / (METRES_PER_DEGREE * max(np.cos(np.radians(np.max(np.abs(lat)))), 1e-6))
