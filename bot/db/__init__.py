"""SQLAlchemy models, engines and session factories, repositories and Alembic migrations."""
