"""The catalogue: brands (served or not), their aliases and handles, product models."""
