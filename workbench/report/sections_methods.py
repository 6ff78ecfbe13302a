"""The Methods section: for each figure and number, the algorithm, its version and
parameters, the input hashes, and the command lines that regenerate or check it."""

from __future__ import annotations

import json

from workbench.report.context import ReportContext
from workbench.report.markup import code, esc, para, text
from workbench.report.model import Section


def methods(ctx: ReportContext) -> list[Section]:
    intro = para(
        f"Commands run in the case folder ({code(ctx.case_name)}), where "
        f"{code('evidence/')} holds the originals under their SHA-256 names. A figure's "
        "command writes a PNG whose SHA-256 is the figure's; a number's command prints it "
        "again. Frames are checked with stock FFmpeg: its framemd5 line for the frame gives "
        "the frame md5 printed under the figure."
    )
    items = []
    for n, m in enumerate(ctx.methods, start=1):
        params = json.dumps(m.params, sort_keys=True, ensure_ascii=False, default=str)
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
