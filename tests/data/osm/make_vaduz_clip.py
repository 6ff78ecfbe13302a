"""Clip a box of an OSM extract: the nodes inside and the ways whose nodes all lie inside.

tests/data/osm/vaduz.osm.pbf was made with (osmium 4.3.2), from Geofabrik's Liechtenstein
extract (liechtenstein.osm.pbf, kept with the development data, not in this repository):

    python tests/data/osm/make_vaduz_clip.py liechtenstein.osm.pbf \\
        tests/data/osm/vaduz.osm.pbf 47.132,9.512,47.146,9.530
"""

import sys

import osmium

src, dst = sys.argv[1], sys.argv[2]
s, w, n, e = map(float, sys.argv[3].split(","))
inside = set()
for o in osmium.FileProcessor(src, osmium.osm.NODE):
    if o.location.valid() and s <= o.location.lat <= n and w <= o.location.lon <= e:
        inside.add(o.id)
with osmium.SimpleWriter(dst) as out:
    for o in osmium.FileProcessor(src, osmium.osm.NODE | osmium.osm.WAY):
        if isinstance(o, osmium.osm.Node):
            if o.id in inside:
                out.add_node(o)
        elif all(r.ref in inside for r in o.nodes):
            out.add_way(o)
