"""HTML pieces of the report: every string from the case goes through ``text`` (escaped,
with its writing direction), never straight into markup."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

from workbench.display_text import is_rtl

MISSING = "—"  # what the report shows for a value that is absent (never NaN)


def esc(value: Any) -> str:
    """``value`` as escaped HTML text (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def text(value: Any) -> str:
    """A user string as an element with its own direction: Arabic reads right to left.

    ``dir="auto"`` lets the browser pick the direction from the first strong character;
    the class and ``dir="rtl"`` make it explicit for printers that ignore ``auto``.
    """
    if value is None or value == "":
        return MISSING
    s = str(value)
    if is_rtl(s):
        return f'<bdi dir="rtl" class="rtl" lang="ar">{esc(s)}</bdi>'
    return f'<bdi dir="auto">{esc(s)}</bdi>'


def num(value: Any, digits: int = 2, unit: str = "") -> str:
    """A number with fixed digits and its unit; absent or non-finite shows as a dash."""
    if value is None or isinstance(value, bool):
        return MISSING if value is None else esc(value)
    if isinstance(value, int):
        return f"{value:,}{unit}"
    try:
        f = float(value)
    except (TypeError, ValueError):
        return text(value)
    if not math.isfinite(f):
        return MISSING
    return f"{f:,.{digits}f}{unit}"


def cell(value: Any) -> str:
    """A table cell's content: numbers fixed, strings escaped, None a dash; a list of numbers
    (an interval) item by item, so no float's repr (nor a NaN) reaches the page."""
    if isinstance(value, float):
        return num(value, 6 if abs(value) < 1000 else 1)
    if (
        isinstance(value, list | tuple)
        and value
        and all(isinstance(v, int | float) and not isinstance(v, bool) or v is None for v in value)
    ):
        big = any(v is not None and math.isfinite(v) and abs(v) >= 1000 for v in value)
        return "[" + "; ".join(num(v, 1 if big else 6) for v in value) + "]"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(value)


def table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, cls: str = "", raw: bool = True
) -> str:
    """A table; ``rows`` hold HTML already made safe (``raw``) or plain values (escaped)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = row if raw else [cell(v) for v in row]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}" class="none">none</td></tr>')
    klass = f' class="{esc(cls)}"' if cls else ""
    return (
        f"<table{klass}><thead><tr>{head}</tr></thead><tbody>\n"
        + "\n".join(body)
        + ("\n</tbody></table>")
    )


def dl(pairs: Iterable[tuple[str, str]]) -> str:
    """A definition list; values are HTML already made safe."""
    items = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in pairs)
    return f"<dl>{items}</dl>"


def code(value: Any) -> str:
    return f"<code>{esc(value)}</code>"


def para(html_body: str, cls: str = "") -> str:
    klass = f' class="{esc(cls)}"' if cls else ""
    return f"<p{klass}>{html_body}</p>"


STYLE = """
body { font-family: "Noto Sans", "Noto Naskh Arabic", "DejaVu Sans", sans-serif;
  font-size: 10pt; margin: 1.5em; color: #111; }
h1 { font-size: 18pt; margin-bottom: 0.2em; }
h2 { font-size: 14pt; border-bottom: 1px solid #888; margin-top: 1.6em; }
h3 { font-size: 11pt; margin-top: 1.2em; }
table { border-collapse: collapse; margin: 0.5em 0; width: 100%; }
th, td { border: 1px solid #bbb; padding: 2px 4px; vertical-align: top; text-align: left; }
th { background: #eee; }
td.none { color: #777; font-style: italic; }
code, .hash { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt;
  word-break: break-all; }
/* Fixed columns: in the automatic layout the long "what" took the width and each row hash
   wrapped into 13 lines (six rows a page); here a hash takes 4. */
table.audit { table-layout: fixed; }
table.audit td { overflow-wrap: anywhere; }  /* a long name wraps inside its column */
table.audit th:nth-child(1) { width: 6%; }
table.audit th:nth-child(2) { width: 15%; }
table.audit th:nth-child(3) { width: 12%; }
table.audit th:nth-child(4) { width: 12%; }
table.audit th:nth-child(6) { width: 19%; }
.rtl { font-family: "Noto Naskh Arabic", "Noto Sans Arabic", serif; }
.verify-ok { border: 2px solid #2a7; padding: 0.5em; background: #efe; }
.verify-failed { border: 3px solid #c00; padding: 0.5em; background: #fee; }
figure { page-break-inside: avoid; break-inside: avoid; margin: 1em 0; }
figure img { max-width: 100%; max-height: 14cm; border: 1px solid #999; }
figcaption { font-size: 8pt; }
.provenance { font-size: 8pt; color: #333; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; }
dt { font-weight: bold; }
dd { margin: 0; }
iframe.map { width: 100%; height: 480px; border: 1px solid #999; }
@media print { iframe.map { display: none; } }
"""


def document(title: str, head_lines: Sequence[str], body: Sequence[str]) -> str:
    """The whole page: one line per ``head_lines`` item (so one line can change alone)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        *head_lines,
        *body,
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)
