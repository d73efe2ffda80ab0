"""Great-circle distances in kilometres, scalar and numpy-vectorised."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

#: Mean Earth radius (IUGG), the same constant the routing index and its oracle use.
EARTH_RADIUS_KM = 6371.0088

FloatArray = npt.NDArray[np.float64]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2) - math.radians(lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(h, 1.0)))


def haversine_km_rad(
    lat_rad: float, lon_rad: float, lats_rad: FloatArray, lons_rad: FloatArray, cos_lats: FloatArray
) -> FloatArray:
    """Distances in km from one point to many, all in radians; `cos_lats` is `np.cos(lats_rad)`, precomputed."""
    h = np.sin((lats_rad - lat_rad) * 0.5) ** 2 + math.cos(lat_rad) * cos_lats * np.sin(
        (lons_rad - lon_rad) * 0.5
    ) ** 2
    # Rounding can push h a hair above 1 for antipodal points; arcsin would then return NaN.
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def haversine_km_many(lat: float, lon: float, lats: FloatArray, lons: FloatArray) -> FloatArray:
    """Distances in km from one point to many, all in degrees."""
    lats_rad = np.radians(lats)
    return haversine_km_rad(math.radians(lat), math.radians(lon), lats_rad, np.radians(lons), np.cos(lats_rad))
