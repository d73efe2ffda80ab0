"""How many days until a spare part can be at the repair outlet. A pure rule, no I/O.

Why these numbers: parts travel by the courier networks outlets already use for mail-in repairs.
- On the outlet's own shelf the technician can fit it today: 0 days.
- Under 50 km is a same-city courier run that arrives the next day: 1 day.
- Under 500 km is within a province or a neighbouring one, next-day-plus-one by road: 2 days.
- Under 1,500 km crosses the country by trunk road or air freight (e.g. Shanghai→Beijing): 3 days.
- Anything further (Ürümqi, Lhasa, remote islands) takes transfers: 5 days.
- Crossing a border adds customs clearance and broker handling, which dominates the trip: +7 days.
The bands promise a customer a date we can keep, so each band is the slow end of normal transit.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from bot.domain.errors import ValidationError

#: (upper bound in km, exclusive; days) in ascending order; beyond the last bound FAR_DAYS applies.
DISTANCE_BANDS: tuple[tuple[float, int], ...] = ((50.0, 1), (500.0, 2), (1500.0, 3))
#: Days for a domestic shipment beyond the last band.
FAR_DAYS = 5
#: Extra days for customs when the part crosses a border.
CROSS_BORDER_DAYS = 7


def eta_days(distance_km: float, *, same_warehouse: bool = False, cross_border: bool = False) -> int:
    """Days until a part `distance_km` away can be at the outlet (0 when it is already on the outlet's shelf)."""
    if math.isnan(distance_km) or distance_km < 0:
        raise ValidationError("distance must be a non-negative number of kilometres")
    if same_warehouse:
        return 0
    days = FAR_DAYS
    for upper_km, band_days in DISTANCE_BANDS:
        if distance_km < upper_km:
            days = band_days
            break
    return days + CROSS_BORDER_DAYS if cross_border else days


def eta_days_many(
    distances_km: npt.NDArray[np.float64],
    same_warehouse: npt.NDArray[np.bool_],
    cross_border: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int64]:
    """`eta_days` for many locations at once (same rule; kept beside it so the two cannot drift apart)."""
    if distances_km.size and not bool(np.all(distances_km >= 0)):  # also false for NaN
        raise ValidationError("distances must be non-negative numbers of kilometres")
    bounds = np.array([upper_km for upper_km, _ in DISTANCE_BANDS])
    band_days = np.array([days for _, days in DISTANCE_BANDS] + [FAR_DAYS], dtype=np.int64)
    # side="right": a distance equal to a bound falls in the next (slower) band, as `<` does above.
    days = band_days[np.searchsorted(bounds, distances_km, side="right")] + CROSS_BORDER_DAYS * cross_border
    return np.where(same_warehouse, 0, days).astype(np.int64)
