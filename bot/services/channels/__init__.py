"""What channel adapters need from the database: replayed updates recognised once, photos kept."""
