"""Ingest: reading, checking and reporting 双公示 files (R-COL-5, SPEC §17)."""
