"""The Claims panel shows an Arabic claim as given, its verdict and its links."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ui.claims.panel import ClaimsPanel
from workbench.case import create_case
from workbench.claims import add_claim, link_claim
from workbench.hypotheses import add_hypothesis

ARABIC = "لم تُستخدم الطائرات الروسية منذ 18 تشرين الأول"


def test_panel_shows_claims_and_hypotheses(qtbot, tmp_path):
    case = create_case(tmp_path / "c.gwcase")
    try:
        cid = add_claim(case, text=ARABIC, claimed_by="وزارة الدفاع", language="ar",
                        claimed_at="2016-10-28T10:00:00+03:00", verdict="refuted",
                        translation="Russian aircraft have not been used since 18 October",
                        ).result()  # fmt: skip
        hid = add_hypothesis(case, "Air strike on the school", 35.62, 36.55,
                             time_from="2016-10-26T07:32:00Z").result()  # fmt: skip
        link_claim(case, cid, "hypothesis", hid).result()
        panel = ClaimsPanel()
        qtbot.addWidget(panel)
        panel.load(case.read())
    finally:
        case.close()
    panel.resize(1100, 420)
    panel.show()
    t = panel.claims_table
    assert t.rowCount() == 1 and t.item(0, 1).text() == ARABIC
    assert t.item(0, 1).textAlignment() & Qt.AlignmentFlag.AlignRight
    assert t.item(0, 0).text() == "refuted" and t.item(0, 6).text() == f"hypothesis {hid}"
    assert panel.hypotheses_table.item(0, 1).text() == "2016-10-26T07:32:00Z"
    with qtbot.waitSignal(panel.link_activated) as got:
        t.cellDoubleClicked.emit(0, 3)
    assert got.args == ["hypothesis", hid, None]
    t.setCurrentCell(0, 1)  # the selected claim's links, one click each
    assert panel.links_table.item(0, 0).text() == f"hypothesis {hid}"
    with qtbot.waitSignal(panel.link_activated) as got:
        panel.links_table.cellClicked.emit(0, 0)
    assert got.args == ["hypothesis", hid, None]
    panel.grab().save(str(tmp_path / "claims_panel.png"))
