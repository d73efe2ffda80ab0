"""Framework-free rules and types: tickets and their lifecycle, warranty, taxonomy, errors."""
