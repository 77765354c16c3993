"""奖惩措施清单 — the measures catalog (SPEC §7; R-MEA-1, R-MEA-2) and which measures apply to an entity.

- ``matching``: the pure rules (triggers, the order of an answer) and the vocabularies; ``matters``: the
  matters a measure applies to, the 应查必查 duties of ``xinyong.access.duties`` and a few more.
- ``defaults``: the catalog every installation starts with, from 000 §30–37, 001 and 002, with presets
  for the culture-tourism and Shijingshan grading models; ``service.load_defaults`` loads it.
- ``service.applicable(session, grade=…, score=…, lists=…, matter=…, related=…, model=…)``: what the
  credit check (R-MEA-3) asks, answered from an in-process copy of the active catalog.
"""
