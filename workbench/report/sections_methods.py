"""The Methods section: for each figure and number, the algorithm, its version and
parameters, the input hashes, and the command lines that regenerate or check it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from workbench.report.context import ReportContext
from workbench.report.markup import code, esc, para, text
from workbench.report.model import Section

LONG_PARAM_CHARS = 2000  # past this a parameter is pages of numbers: its hash stands for it


def methods(ctx: ReportContext) -> list[Section]:
    intro = para(
        f"Commands run in the case folder ({code(ctx.case_name)}), where "
        f"{code('evidence/')} holds the originals under their SHA-256 names. A figure's "
        "command writes a PNG whose SHA-256 is the figure's; a number's command prints it "
        "again. Frames are checked with stock FFmpeg: its framemd5 line for the frame gives "
        "the frame md5 printed under the figure. A parameter longer than "
        f"{LONG_PARAM_CHARS:,} characters (an elevation grid, a track's samples) is given by "
        "its size and the SHA-256 of its compact JSON (sorted keys, no spaces, UTF-8), as "
        "stored in the case."
    )
    items = []
    for n, m in enumerate(ctx.methods, start=1):
        params = json.dumps(
            {k: _short(v) for k, v in m.params.items()},
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        commands = "".join(f'<li><code class="cli">{esc(c)}</code></li>' for c in m.commands)
        inputs = "".join(f'<li><span class="hash">{esc(i)}</span></li>' for i in m.inputs)
        items.append(
            f'<div class="method" id="method-{n}"><h3>{n}. {text(m.what)}</h3>'
            f"<p><strong>Algorithm:</strong> {text(m.algorithm)}<br>"
            f"<strong>Version:</strong> {text(m.version)}<br>"
            f"<strong>Parameters:</strong> <code>{esc(params)}</code></p>"
            f"<p><strong>Inputs:</strong></p><ul>{inputs or '<li>none</li>'}</ul>"
            f"<p><strong>Commands:</strong></p>"
            f"<ul>{commands or '<li>none: recomputed inside the case only</li>'}</ul></div>"
        )
    return [Section("methods", "Methods", intro + "\n" + "\n".join(items))]


def _short(value: Any) -> Any:
    """``value``, or for a long one its length and the SHA-256 of its compact JSON."""
    compact = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                         default=str)  # fmt: skip
    if len(compact) <= LONG_PARAM_CHARS:
        return value
    items = f"{len(value)} items, " if isinstance(value, list | dict) else ""
    digest = hashlib.sha256(compact.encode("utf-8")).hexdigest()
    return f"({items}{len(compact):,} characters of JSON, sha256 {digest})"
