"""One parser tree: ``open`` and ``demo`` reach the GUI only through the function given."""

from __future__ import annotations

from pathlib import Path

from workbench import cli


class GuiRecorder:
    def __init__(self, code: int = 7) -> None:
        self.calls: list[str | None] = []
        self.code = code

    def __call__(self, case: str | None) -> int:
        self.calls.append(case)
        return self.code


def test_no_subcommand_opens_the_gui_with_no_case():
    gui = GuiRecorder()
    assert cli.main([], open_gui=gui) == 7
    assert gui.calls == [None]


def test_open_asks_for_the_gui_on_that_case(tmp_path):
    gui = GuiRecorder(code=0)
    case = tmp_path / "hass.gwcase"
    assert cli.main(["open", str(case)], open_gui=gui) == 0
    assert gui.calls == [str(case)]


def test_without_a_gui_function_open_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["open", str(tmp_path / "x.gwcase")]) == cli.EXIT_USAGE
    assert "GUI" in capsys.readouterr().err


def test_without_a_gui_function_no_subcommand_prints_help(capsys):
    assert cli.main([]) == cli.EXIT_USAGE
    assert "usage: geoworkbench" in capsys.readouterr().err


def test_help_lists_open_and_demo_in_the_one_tree(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert " open " in out and " demo " in out and " verify " in out


def test_open_needs_exactly_one_case(capsys):
    gui = GuiRecorder()
    assert cli.main(["open"], open_gui=gui) == cli.EXIT_USAGE
    assert gui.calls == []


def test_console_entry_hands_its_gui_starter_to_the_cli(monkeypatch, tmp_path):
    import ui.entry as entry

    seen: list[str | None] = []
    monkeypatch.setattr(entry, "_gui", lambda case: seen.append(case) or 0)
    assert entry.main(["open", str(Path(tmp_path) / "c.gwcase")]) == 0
    assert seen == [str(tmp_path / "c.gwcase")]
