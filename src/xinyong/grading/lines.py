"""Where in a TOML text a key or table was written, so that a model's semantic errors can name a line.

tomllib reports line numbers for syntax errors only. This reads the text once and records, for every
table header and every ``key =`` line, its path as the parsed document would address it:
``("indicators", 2, "items", 0, "points")``. Arrays of tables count their elements as tomllib does.
It is not a TOML parser: it only has to agree with tomllib on texts tomllib has already accepted.
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_PART = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"^\s*(\[\[|\[)\s*({_DOTTED})\s*(\]\]|\])")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_SPLIT = re.compile(rf"\s*({_PART})\s*(?:\.|$)")


def _parts(dotted: str) -> list[str]:
    out = []
    for m in _SPLIT.finditer(dotted):
        p = m.group(1)
        if p[0] in "\"'":
            p = p[1:-1]
        out.append(p)
    return out


class LineIndex:
    def __init__(self, text: str):
        self.lines: dict[Path, int] = {}
        arrays: dict[Path, int] = {}  # path of an array of tables → index of its last element
        table: Path = ()
        in_multiline: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = _HEADER.match(line)
            if header:
                is_array = header.group(1) == "[["
                parts = _parts(header.group(2))
                path: Path = ()
                for i, part in enumerate(parts):
                    path = (*path, part)
                    last = i == len(parts) - 1
                    if last and is_array:
                        arrays[path] = arrays.get(path, -1) + 1
                        path = (*path, arrays[path])
                    elif path in arrays:
                        path = (*path, arrays[path])
                table = path
                self.lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self.lines.setdefault((*table, *_parts(key.group(1))), number)
                rest = line[key.end():]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_multiline = quote

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of the nearest enclosing key or table that was written; 1 at worst."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1
