"""Which writes make the Sun panel read the case again: a place one may choose or a shadow,
added, deleted or restored; not another kind's observation (a bearing), which left it
re-reading and recomputing the day on every edit of the Geometry tools."""

from __future__ import annotations

from tests.ui.test_sun_panel import PLACE, _shadow_inputs
from ui.sun.panel import touches_sun_inputs
from workbench import geodata, geodata_records, hypotheses
from workbench.case import create_case
from workbench.shadow_record import add_shadow


def test_places_and_shadows_touch_the_panel_a_bearing_does_not(tmp_path):
    with create_case(tmp_path / "feed.gwcase", analyst="tester") as case:
        heard = []
        case.changes.subscribe(heard.append)
        camera = geodata.add_landmark(case, "Rooftop", *PLACE, kind="camera").result()
        hypotheses.add_hypothesis(case, "Strike site", 35.6, 36.5).result()
        shadow = add_shadow(case, _shadow_inputs()).result()
        geodata.add_bearing(case, camera, 90.0, 0.5).result()
        record = geodata_records.get_observation(case.read(), shadow)
        geodata.delete_observation(case, shadow).result()
        geodata.restore_observation(case, record).result()
        bearing = geodata_records.list_observations(case.read(), "bearing")[0]
        geodata.delete_observation(case, bearing.id).result()
        geodata.restore_observation(case, bearing).result()
    touched = [touches_sun_inputs(change) for change in heard]
    # landmark, hypothesis, shadow; bearing; shadow delete, restore; bearing delete, restore
    assert touched == [True, True, True, False, True, True, False, False]


def test_the_windows_sun_panel_works_only_while_its_dock_is_on_screen(qtbot, tmp_path):
    """Hidden (the Video workspace), an edit of a place starts none of its jobs; shown (the
    Map workspace), it reads the case and shows the day with the new place."""
    import shiboken6

    from ui.case.main_window import MainWindow

    path = tmp_path / "w.gwcase"
    with create_case(path, analyst="tester") as c:
        geodata.add_landmark(c, "School", *PLACE).result()
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.case_refreshed, timeout=20000):
            window.open_case_path(path)
        sun, dock = window.sun_panel, window.parts.workspaces.docks["sun"]
        assert not dock.isVisible()
        started: list[str] = []
        run = window.jobs.run
        window.jobs.run = lambda title, fn, **kw: (started.append(title), run(title, fn, **kw))[1]
        with qtbot.waitSignal(window.changes.changed, timeout=20000):
            geodata.add_landmark(window.case, "Mosque", 35.621, 36.551)
        qtbot.wait(300)  # the panel's pause before computing is 150 ms
        assert not [t for t in started if t.startswith("Sun")]
        with qtbot.waitSignal(sun.view_shown, timeout=20000):
            window.parts.workspaces.switch("Map")
        assert dock.isVisible()
        assert [p.label for p in sun.points] == ["School (landmark)", "Mosque (landmark)"]
    finally:
        window.close_case()
        window.map_panel.shutdown()
        shiboken6.delete(window)
