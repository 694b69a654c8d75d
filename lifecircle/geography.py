"""Small geographic checks shared by the models and the data loaders (no Django imports)."""
from shapely.geometry import shape
from shapely.validation import explain_validity


def check_lon_lat(lon, lat):
    """Raise ValueError unless (lon, lat) is a WGS84 coordinate."""
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise ValueError(f"coordinate ({lon!r}, {lat!r}) is not a pair of numbers") from None
    if not -180 <= lon <= 180:
        raise ValueError(f"longitude {lon} is out of range [-180, 180]")
    if not -90 <= lat <= 90:
        raise ValueError(f"latitude {lat} is out of range [-90, 90]")
    return lon, lat


def polygon_from_geojson(geometry):
    """A valid shapely (Multi)Polygon from a GeoJSON geometry dict, or ValueError saying why not."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError("boundary must be a GeoJSON Polygon or MultiPolygon")
    try:
        polygon = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise ValueError(f"boundary is not valid GeoJSON: {exc}") from None
    for lon, lat in polygon.envelope.exterior.coords if not polygon.is_empty else []:
        check_lon_lat(lon, lat)
    if polygon.is_empty or not polygon.is_valid:
        raise ValueError(f"boundary polygon is invalid: {explain_validity(polygon)}")
    return polygon


def point_feature(lon, lat, properties):
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def feature_collection(features, **members):
    """A GeoJSON FeatureCollection; ``members`` adds foreign members such as ``attribution``."""
    return {"type": "FeatureCollection", "features": list(features), **members}
