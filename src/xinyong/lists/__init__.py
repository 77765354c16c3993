"""红名单、黑名单、重点关注名单 — the lists (SPEC §7; R-LST-1…4)."""
