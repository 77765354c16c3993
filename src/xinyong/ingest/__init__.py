"""File and API collection in the national 双公示 formats (R-COL-1, R-COL-5; SPEC §17).

Pure: reading, parsing and reporting rows needs no database. The storing side calls
``open_table`` → ``parse_row`` per row → ``RowReport``.
"""
