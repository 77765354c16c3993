"""Papers the demo's objections carry as evidence (000 §23: 提供相关证明材料), made in code so that the demo
ships no files of its own: an A4 PDF from a few paragraphs, and a small PNG that looks like a phone photo
of a sealed paper."""

from __future__ import annotations

import datetime as dt
import html
import struct
import zlib


def cn_date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title><style>
@page {{ size: A4; margin: 25mm 24mm; }}
body {{ font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 11pt; line-height: 1.8; color: #111; }}
h1 {{ text-align: center; font-size: 20pt; font-weight: normal; letter-spacing: 4pt; margin: 0 0 3mm; }}
.number {{ text-align: center; margin: 0 0 8mm; }}
p {{ text-indent: 2em; margin: 0 0 2mm; }}
.sign {{ text-align: right; margin-top: 16mm; text-indent: 0; }}
</style></head><body><h1>{title}</h1><p class="number">{number}</p>{body}
<p class="sign">{issuer}<br>{date}</p></body></html>"""


def pdf(title: str, number: str, paragraphs: list[str], issuer: str, day: dt.date) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    page = _PAGE.format(title=html.escape(title), number=html.escape(number), body=body, issuer=html.escape(issuer),
                        date=cn_date(day))
    return HTML(string=page, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


def png(*, variant: int, width: int = 360, height: int = 240) -> bytes:
    """A small scan of a paper — a title, lines of text, a red seal — written as PNG without an imaging library."""
    paper = ((251, 250, 245), (246, 248, 252), (252, 249, 240))[variant % 3]
    cx, cy, radius = width - 78 - 20 * variant, height - 64, 38
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # PNG filter type: none
        for x in range(width):
            px = paper
            if x < 3 or y < 3 or x >= width - 3 or y >= height - 3:
                px = (190, 190, 190)
            elif 24 <= y < 34 and width // 3 <= x < 2 * width // 3:
                px = (40, 40, 40)
            elif 52 <= y < height - 30 and (y - 52) % 20 < 4 and 32 <= x < width - 32 - (y * 37 + variant * 11) % 80:
                px = (110, 110, 110)
            d2 = (x - cx) ** 2 + (y - cy) ** 2
            if (radius - 5) ** 2 <= d2 <= radius ** 2 or (d2 <= 64 and abs(x - cx) + abs(y - cy) <= 10):
                px = (200, 30, 30)
            rows += bytes(px)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))
