"""The hub behind the ops use cases: a SQLCipher hub vault or a PostgreSQL database.

``interface.Hub`` is what the services ask of it; ``vaulthub.VaultHub`` and
``postgres.PostgresHub`` implement it (psycopg is imported only under ``hub/postgres``).
"""

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(location: object) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL, as ``--hub`` takes it."""
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)
