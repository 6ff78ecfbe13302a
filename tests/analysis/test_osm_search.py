"""The OSM candidate search's maths on features placed at known distances (geodesics)."""

from __future__ import annotations

import pytest

from analysis.geometry.geodesy import LatLon, destination
from analysis.osm.reader import OsmFeature
from analysis.osm.search import Constraint, OsmQueryError, Term, search

ORIGIN = LatLon(35.62, 36.55)


def at(osm_id: int, azimuth: float, metres: float, **tags: str) -> OsmFeature:
    p = destination(ORIGIN, azimuth, metres)
    return OsmFeature("node", osm_id, p.lat_deg, p.lon_deg, tuple(sorted(tags.items())))


def test_terms_parse_and_match():
    t = Term.parse("amenity=place_of_worship+religion=muslim")
    assert t.matches([("amenity", "place_of_worship"), ("religion", "muslim"), ("name", "x")])
    assert not t.matches([("amenity", "place_of_worship"), ("religion", "christian")])
    assert Term.parse("height=*").matches([("height", "30")])
    assert Term.parse("building").matches([("building", "yes")])
    assert t.text() == "amenity=place_of_worship+religion=muslim"
    c = Constraint.parse("amenity=school:300")
    assert c.radius_m == 300.0 and c.term.parts == (("amenity", "school"),)


@pytest.mark.parametrize("bad", ["=school", "amenity=", "a=b+=c"])
def test_malformed_terms_are_refused(bad):
    with pytest.raises(OsmQueryError, match="KEY=VALUE"):
        Term.parse(bad)


@pytest.mark.parametrize("bad", ["amenity=school", "amenity=school:0", "amenity=school:x"])
def test_constraints_need_a_positive_radius(bad):
    with pytest.raises(OsmQueryError, match="METRES"):
        Constraint.parse(bad)


def test_the_tower_with_a_school_and_a_mosque_near_it_ranks_first():
    tower = dict(man_made="water_tower")
    true = at(1, 0.0, 0.0, **tower)
    decoy_school_only = at(2, 90.0, 3000.0, **tower)
    decoy_far = at(3, 180.0, 3000.0, **tower)
    schools = [at(10, 45.0, 250.0, amenity="school"), at(11, 90.0, 3290.0, amenity="school")]
    mosque = dict(amenity="place_of_worship", religion="muslim")
    mosques = [at(20, 300.0, 420.0, **mosque), at(21, 180.0, 3700.0, **mosque)]
    church = at(22, 90.0, 3010.0, amenity="place_of_worship", religion="christian")
    school_c = Constraint.parse("amenity=school:300")
    mosque_c = Constraint.parse("amenity=place_of_worship+religion=muslim:500")
    near = [
        (school_c, schools),
        (mosque_c, [f for f in [*mosques, church] if mosque_c.term.matches(f.tags)]),
    ]
    ranked = search([decoy_far, decoy_school_only, true], near)
    assert [c.anchor.osm_id for c in ranked] == [1, 2, 3]
    best = ranked[0]
    assert best.complete and best.met == 2
    assert [m.feature.osm_id for m in best.matches] == [10, 20]
    assert [m.distance_m for m in best.matches] == pytest.approx([250.0, 420.0], abs=1e-6)
    assert best.score == pytest.approx(((1 - 250 / 600) + (1 - 420 / 1000)) / 2)
    assert ranked[1].met == 1 and ranked[1].matches[1].feature is None  # the church is no mosque
    assert ranked[2].met == 0 and ranked[2].score == 0.0


def test_the_nearest_feature_counts_and_a_candidate_never_meets_its_own_constraint():
    schools = [at(1, 0.0, 0.0, amenity="school"), at(2, 10.0, 120.0, amenity="school")]
    schools.append(at(3, 200.0, 80.0, amenity="school"))
    ranked = search(schools[:1], [(Constraint.parse("amenity=school:500"), schools)])
    [only] = ranked
    assert only.matches[0].feature.osm_id == 3
    assert only.matches[0].distance_m == pytest.approx(80.0, abs=1e-6)


def test_just_outside_the_radius_is_not_met_and_no_anchor_no_candidate():
    a = at(1, 0.0, 0.0, man_made="tower")
    s = at(2, 77.0, 300.5, amenity="school")
    [c] = search([a], [(Constraint.parse("amenity=school:300"), [s])])
    assert c.met == 0
    assert search([], [(Constraint.parse("amenity=school:300"), [s])]) == []
