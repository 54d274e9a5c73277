"""DuckDB's memory limit while seeding, for the bench and the `seed` command alike."""
from __future__ import annotations

SEED_MEMORY_LIMIT_MB = 512                          # DuckDB's limit while building the file: at least
SEED_MEMORY_MB_PER_MILLION = 400                    # ... and this much per million complaints


def seed_memory_limit(complaints: int) -> str:
    """DuckDB's memory limit for seeding a file that will hold `complaints` in all. The indexes of
    the tables' keys grow with the tables and must fit in memory at each commit: at a fixed 512 MB
    a ten-million seed failed after five million ("failed to pin block", 30 November 2026), and at
    the portal's 1 GB a second ten million added to a first failed at nineteen million (1 December
    2026). Seeding runs apart from the portal (a child process of the bench, or the command), so this
    is not the portal's memory."""
    return f"{max(SEED_MEMORY_LIMIT_MB, complaints * SEED_MEMORY_MB_PER_MILLION // 1_000_000)}MB"
