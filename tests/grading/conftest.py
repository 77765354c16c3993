from ..records.conftest import zone  # noqa: F401  the records' small zone, for grading them
