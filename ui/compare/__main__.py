"""``python -m ui.compare CASE``: the Compare panel alone on a case."""

from __future__ import annotations

import sys

from ui.compare.panel import ComparePanel
from ui.jobs import JobRunner


def main(argv: list[str]) -> int:
    """``python -m ui.compare CASE``: the panel alone on a case."""
    from ui.environment import prepare_environment

    prepare_environment()
    from PySide6.QtWidgets import QApplication

    from workbench.case import open_case

    app = QApplication(argv[:1])
    jobs = JobRunner()
    panel = ComparePanel(jobs)
    case = open_case(argv[1])
    panel.set_case(case)
    panel.resize(1400, 800)
    panel.show()
    code = app.exec()
    jobs.wait_for_done()
    case.close()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
