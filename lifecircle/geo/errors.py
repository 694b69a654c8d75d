"""Exceptions raised by the geo engine.

Every error names the file (or input) it is about and says why, so a message
shown to an operator is enough to fix the input without reading a traceback.
All of them subclass :class:`ValueError`, so callers that already treat bad
input as ``ValueError`` keep working.
"""

from __future__ import annotations

import os


class GeoError(ValueError):
    """Base class: bad input to the geo engine.

    Parameters
    ----------
    reason
        What is wrong, phrased for a person.
    path
        The file the problem is in, if there is one.
    """

    def __init__(self, reason: str, path: str | os.PathLike | None = None):
        self.reason = reason
        self.path = os.fspath(path) if path is not None else None
        super().__init__(f"{self.path}: {reason}" if self.path else reason)


class OSMError(GeoError):
    """An OpenStreetMap file is missing, unreadable, or has no walkable ways."""


class BoundaryError(GeoError):
    """A study-area boundary is malformed, absent from the file, or misses the data."""


class GraphFileError(GeoError):
    """A saved :class:`~lifecircle.geo.graph.WalkGraph` file cannot be loaded."""


class SnapError(GeoError):
    """Points cannot be attached to the street network (bad coordinates, empty graph)."""


class InputError(GeoError):
    """A table of origins or facilities (e.g. a CSV file) is malformed."""
