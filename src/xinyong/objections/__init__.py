"""异议与申诉: objections to records, list entries and grading results, and their appeals (SPEC §10)."""
