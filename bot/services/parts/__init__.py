"""Spare parts: lookup for the customer's product, stock, ETAs, reservations."""
