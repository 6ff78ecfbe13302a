/*
 * geoworkbench map API (window.GW), added to the folium page as an element; gwview.js (click
 * priority, labels, popups) and gwcontrols.js (controls, grid basemap) are loaded before it.
 *
 * Python pushes whole layers: GW.setLayerChunk(id, k, n, json) (ui/map/push.py) or
 * GW.setLayer(id, featureCollection); GW.showLayer(id, visible); GW.fitBounds([[south, west],
 * [north, east]]); GW.setTool('pan'|'landmark'|'camera'|'target'|'hypothesis'|'measure');
 * GW.showMeasure(text). Clicks and drags go back to Python through the QWebChannel object
 * "bridge" as ids and coordinates: pointPicked(tool, lat, lon, metres per screen pixel there),
 * featureMoved(id, lat, lon),
 * featureClicked(id), measureRequested(lat1, lon1, lat2, lon2), layerToggled(id, visible),
 * copyText(text), mgrs(lat, lon) -> text, pageReady().
 * User text (names, notes) only ever reaches the DOM through textContent: never innerHTML.
 */
(function () {
  'use strict';
  var GW = {};
  window.GW = GW;
  var map = null;
  var bridge = null;
  var cfg = null;
  var groups = {};
  var visible = {};
  var counts = {};
  var boxes = {};
  var toolButtons = {};
  var tool = 'pan';
  GW.timings = {};  // per layer: [ms to build, ms to add to the map]
  var measurePts = [];
  var measureGroup = null;
  var infoBox = null;
  var drag = null;
  var userMoved = false;  // once the analyst pans or zooms, the map is never refitted
  var fitting = false;
  var fitted = false;  // a fit was done (Python sends the case's bounds before its layers)
  var declutterQueued = false, manyFeatures = false;
  var LABEL_LIMIT = 300;
  // Labels that win a collision come first: claims, then what was placed, then results.
  var LABEL_ORDER = ['hypotheses', 'targets', 'landmarks', 'cameras', 'ellipses', 'evidence'];
  var POINT_RADIUS = { evidence: 5, landmarks: 6, cameras: 7, targets: 7, ellipses: 3,
    hypotheses: 5 };
  var TOOLS = [['pan', 'Pan / move'], ['landmark', '+ Landmark'], ['camera', '+ Camera'],
    ['target', '+ Target'], ['hypothesis', '+ Hypothesis'], ['measure', 'Measure']];

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function call(name) {
    var args = Array.prototype.slice.call(arguments, 1);
    if (bridge && typeof bridge[name] === 'function') { bridge[name].apply(bridge, args); return true; }
    return false;
  }

  function askMgrs(lat, lon, done) {
    // The workbench computes MGRS (analysis/geometry/mgrs.py); the exported page has it in
    // the properties already.
    if (bridge && typeof bridge.mgrs === 'function') { bridge.mgrs(lat, lon, done); }
  }

  function popupContent(props, layer) {
    var box = el('div');
    box.appendChild(el('div', 'gw-popup-name', props.name || ''));
    if (props.description) { box.appendChild(el('div', null, props.description)); }
    if (props.label) {  // "95%: 46 x 15 m": the whole ellipse, end to end
      var parts = String(props.label).split(': ');
      box.appendChild(el('div', null, 'Across (' + parts[0] + '): ' + parts.slice(1).join(': ')));
    }
    box.appendChild(GWView.positionRows(props, layer, call, askMgrs));
    box.appendChild(el('div', 'gw-popup-meta', props.id || ''));
    return box;
  }

  function startDrag(layer, props, e) {
    if (tool !== 'pan' || !props.editable) { return; }
    L.DomEvent.stop(e);
    map.dragging.disable();
    drag = { layer: layer, id: props.id, moved: false };
  }

  function pointLayer(layerId, feature, latlng) {
    var props = feature.properties || {};
    if (props.radius_m) {  // a hypothesis's circle: centre and radius in metres
      return L.circle(latlng, { radius: props.radius_m, color: props.colour, weight: 2,
        opacity: 0.9, dashArray: manyFeatures ? null : '4 4', fillColor: props.colour,
        fillOpacity: 0.08 });
    }
    var radius = POINT_RADIUS[layerId] || 5;
    if (layerId === 'ellipses' && String(props.id).indexOf(':sample:') < 0) { radius = 5; }
    var m = L.circleMarker(latlng, {
      radius: radius, color: layerId === 'cameras' ? '#111' : props.colour,
      weight: layerId === 'cameras' ? 2 : 1, fillColor: props.colour, fillOpacity: 0.9
    });
    return m;
  }

  function propsOf(layer) {
    return (layer && layer.feature && layer.feature.properties) || {};
  }

  function decorate(layerId, labelled) {
    return function (feature, layer) {
      var props = feature.properties || {};
      if (labelled && props.label && feature.geometry && feature.geometry.type === 'Polygon') {
        layer.bindTooltip(el('span', null, props.label), {
          permanent: true, direction: 'bottom', offset: [0, 8], className: 'gw-label gw-size'
        });
      } else if (labelled && feature.geometry && feature.geometry.type === 'Point' &&
          !props.radius_m && String(props.id).indexOf(':sample:') < 0) {
        // hypotheses sit on landmarks (a claim about the school): label them on the left
        var left = layerId === 'hypotheses';
        layer.bindTooltip(el('span', null, props.name || ''), {
          permanent: true, direction: left ? 'left' : 'right', offset: [left ? -8 : 8, 0],
          className: 'gw-label'
        });
      }
    };
  }
  GW.setLayer = function (layerId, collection) {
    var t0 = performance.now();
    if (groups[layerId]) { map.removeLayer(groups[layerId]); }
    var features = (collection && collection.features) || [];
    var labelled = LABEL_ORDER.indexOf(layerId) >= 0 && features.length <= LABEL_LIMIT;
    manyFeatures = features.length > LABEL_LIMIT;  // dashed outlines are slow on a canvas
    var before = totalCount();
    var group = L.geoJSON(collection, {
      pointToLayer: function (f, ll) { return pointLayer(layerId, f, ll); },
      style: function (f) { return GWView.style(layerId, f); },
      onEachFeature: decorate(layerId, labelled)
    });
    // One popup and one set of handlers per layer, not per feature: 5,000 features stay fast.
    group.bindPopup(function (l) { return popupContent(propsOf(l), l); });
    group.on('click', function (e) { call('featureClicked', String(propsOf(e.layer).id)); });
    group.on('mousedown', function (e) { startDrag(e.layer, propsOf(e.layer), e); });
    group.on('mouseover mouseout', function (e) { GWView.hoverLabel(e.layer, e.type === 'mouseover'); });
    groups[layerId] = group;
    counts[layerId] = features.length;
    if (visible[layerId] === undefined) { visible[layerId] = true; }
    var t1 = performance.now();
    if (visible[layerId]) { group.addTo(map); }
    updateBox(layerId);
    GW.timings[layerId] = [Math.round(t1 - t0), Math.round(performance.now() - t1)];
    GW.drawnAtMs = 0;  // two animation frames after the last layer change: on screen
    requestAnimationFrame(function () {
      requestAnimationFrame(function () { GW.drawnAtMs = performance.now(); });
    });
    if (GW.ready && before === 0 && features.length && !userMoved && !fitted) {
      GW.fitAll();  // the first features of an empty case: show them
    } else {
      queueDeclutter();
    }
    return features.length;
  };

  function totalCount() {
    return Object.keys(counts).reduce(function (n, k) { return n + (counts[k] || 0); }, 0);
  }

  function queueDeclutter() {
    if (declutterQueued) { return; }
    declutterQueued = true;
    requestAnimationFrame(function () {
      declutterQueued = false;
      GW.declutter();
    });
  }

  GW.declutter = function () {
    var r = GWView.declutter(map, LABEL_ORDER.map(function (k) { return groups[k]; }));
    GW.labelsShown = r[0];
    GW.labelsHidden = r[1];
    return r;
  };

  GW.shownLabelBoxes = function () { return GWView.shownLabelBoxes(); };

  var chunks = {};
  GW.setLayerChunk = function (layerId, k, n, text) {
    // Python sends big layers in pieces (ui/map/push.py), each a JSON text (JSON.parse is
    // faster than a script's literal); the last piece replaces the layer.
    var tp = performance.now();
    var features = JSON.parse(text);
    GW.parseMs = (GW.parseMs || 0) + performance.now() - tp;
    GW.firstChunkAtMs = GW.firstChunkAtMs || tp;
    if (k === 0) { chunks[layerId] = []; }
    var acc = chunks[layerId] || [];
    for (var i = 0; i < features.length; i++) { acc.push(features[i]); }
    chunks[layerId] = acc;
    if (k < n - 1) { return -1; }
    delete chunks[layerId];
    return GW.setLayer(layerId, { type: 'FeatureCollection', features: acc });
  };

  GW.featureCount = function (layerId) {
    return groups[layerId] ? groups[layerId].getLayers().length : 0;
  };

  GW.openPopup = function (featureId) {
    var found = null;
    Object.keys(groups).forEach(function (k) {
      groups[k].eachLayer(function (l) {
        if (!found && l.feature && l.feature.properties && l.feature.properties.id === featureId) {
          found = l;
        }
      });
    });
    if (found) {
      var at = found.feature.properties.at;
      var where = at ? L.latLng(at[1], at[2])
        : found.getLatLng ? found.getLatLng() : found.getBounds().getCenter();
      L.popup().setLatLng(where).setContent(popupContent(propsOf(found), found)).openOn(map);
    }
    return !!found;
  };

  GW.showLayer = function (layerId, show) {
    visible[layerId] = !!show;
    var g = groups[layerId];
    if (g) {
      if (show && !map.hasLayer(g)) { g.addTo(map); }
      if (!show && map.hasLayer(g)) { map.removeLayer(g); }
    }
    updateBox(layerId);
    queueDeclutter();
    return visible[layerId];
  };

  GW.isLayerVisible = function (layerId) { return !!(groups[layerId] && map.hasLayer(groups[layerId])); };

  function fitTo(bounds) {
    // One point (or a tiny case) stops at street level; the padding shrinks in a small map.
    fitting = true;
    fitted = true;
    try {
      map.fitBounds(bounds, GWView.fitOptions(map));
    } finally {
      fitting = false;
    }
    queueDeclutter();
  }

  GW.fitBounds = function (bounds) {
    if (bounds) { fitTo(bounds); }
  };

  GW.userMoved = function () { return userMoved; };
  GW.zoom = function () { return map.getZoom(); };
  GW.viewBox = function () {
    // What the map shows: [south, west, north, east, zoom] (a tile fetch asks for it).
    var b = map.getBounds();
    return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast(), map.getZoom()];
  };
  GW.closePopup = function () { map.closePopup(); return true; };

  GW.setView = function (lat, lon, zoom) {
    map.setView([lat, lon], zoom, { animate: false });
    return map.getZoom();
  };

  GW.fitAll = function () {
    var b = null;
    Object.keys(groups).forEach(function (k) {
      if (visible[k] && counts[k]) {
        var gb = groups[k].getBounds();
        if (gb.isValid()) { b = b ? b.extend(gb) : L.latLngBounds(gb.getSouthWest(), gb.getNorthEast()); }
      }
    });
    if (b) { fitTo(b); }
    return !!b;
  };

  GW.setTool = function (name) {
    tool = name;
    measurePts = [];
    Object.keys(toolButtons).forEach(function (k) {
      toolButtons[k].className = k === name ? 'gw-active' : '';
    });
    map.getContainer().style.cursor = name === 'pan' ? '' : 'crosshair';
    if (infoBox) { infoBox.style.display = name === 'measure' ? '' : 'none'; }
    return tool;
  };

  GW.showMeasure = function (text) {
    if (infoBox) { infoBox.textContent = text; }
  };

  GW.containerPoint = function (lat, lon) {
    // Pixel of a position inside the map element (tests drive real mouse events with it).
    var p = map.latLngToContainerPoint([lat, lon]);
    return [p.x, p.y];
  };

  GW.latLngAt = function (x, y) {
    var ll = map.containerPointToLatLng([x, y]);
    return [ll.lat, ll.lng];
  };

  GW.fireClick = function (lat, lon) {
    // For tests and scripting: the same path as a user's click on the map.
    map.fire('click', { latlng: L.latLng(lat, lon) });
  };

  function metresPerPixel(ll) {
    // The ground one screen pixel spans at this point and zoom: how exact a click can be.
    var p = map.latLngToContainerPoint(ll);
    return map.distance(map.containerPointToLatLng(p), map.containerPointToLatLng(p.add([1, 0])));
  }

  function onMapClick(e) {
    var ll = e.latlng.wrap();
    if (tool === 'landmark' || tool === 'camera' || tool === 'target' || tool === 'hypothesis') {
      call('pointPicked', tool, ll.lat, ll.lng, metresPerPixel(ll));
    } else if (tool === 'measure') {
      measurePts.push(ll);
      if (measurePts.length === 2) {
        measureGroup.clearLayers();
        L.polyline(measurePts, { color: '#000', weight: 2, dashArray: '2 4' }).addTo(measureGroup);
        var a = measurePts[0];
        var b = measurePts[1];
        measurePts = [];
        GW.showMeasure('measuring…');
        call('measureRequested', a.lat, a.lng, b.lat, b.lng);
      } else {
        measureGroup.clearLayers();
        L.circleMarker(ll, { radius: 3, color: '#000' }).addTo(measureGroup);
      }
    }
  }

  function onMouseMove(e) {
    if (drag) { drag.layer.setLatLng(e.latlng); drag.moved = true; }
  }

  function onMouseUp(e) {
    if (!drag) { return; }
    var d = drag;
    drag = null;
    map.dragging.enable();
    if (d.moved && e && e.latlng) { d.layer.setLatLng(e.latlng); }  // where the button came up
    if (d.moved) {
      var ll = d.layer.getLatLng().wrap();
      call('featureMoved', d.id, ll.lat, ll.lng);
    }
  }

  function updateBox(layerId) {
    var b = boxes[layerId];
    if (!b) { return; }
    b.input.checked = !!visible[layerId];
    b.text.textContent = b.title + ' (' + (counts[layerId] || 0) + ')';
  }

  function onResize() {
    // Docked maps change size (and start at none): refit until the analyst has moved it.
    if (!userMoved) {
      if (!GW.fitAll() && cfg.bounds) { GW.fitBounds(cfg.bounds); }
    } else {
      queueDeclutter();
    }
  }

  GW.init = function (leafletMap, config) {
    GW.initStartMs = performance.now();
    map = leafletMap;
    if (window.GWImagery) { GWImagery.attach(map); }  // imagery overlays (gwimagery.js)
    cfg = config;
    map.on('dragstart', function () { userMoved = true; });
    map.on('zoomstart', function () { if (!fitting) { userMoved = true; } });
    map.on('resize', onResize);
    map.on('zoomend moveend', queueDeclutter);
    if (map.attributionControl) { map.attributionControl.setPrefix(false); }
    GWControls.basemap(cfg.basemap).addTo(map);
    measureGroup = L.layerGroup().addTo(map);
    if (cfg.basemap && cfg.basemap.attribution) {
      GWControls.box(map, 'bottomright', 'gw-attribution', cfg.basemap.attribution);
    }
    GWControls.layers(cfg.layers, boxes, function (layerId, checked) {
      GW.showLayer(layerId, checked);
      call('layerToggled', layerId, checked);
    }).addTo(map);
    // Set the view first: a zoom change after the layers exist would re-project every feature.
    if (cfg.bounds) { GW.fitBounds(cfg.bounds); }
    cfg.layers.forEach(function (pair) {
      GW.setLayer(pair[0], (cfg.initial || {})[pair[0]] || { type: 'FeatureCollection', features: [] });
    });
    if (cfg.provenance) { GWControls.box(map, 'bottomleft', 'gw-provenance', cfg.provenance); }
    if (cfg.interactive) {
      GWControls.tools(TOOLS, toolButtons, GW.setTool).addTo(map);
      infoBox = GWControls.box(map, 'bottomleft', 'gw-info', 'Measure: pick the tool, click two points');
      infoBox.style.display = 'none';  // shown with the measure tool
      map.on('click', onMapClick);
      map.on('mousemove', onMouseMove);
      map.on('mouseup', onMouseUp);
    }
    GW.ready = true;
    GW.initEndMs = performance.now();
    // Two frames after init the layers have been painted: when the map is really on screen.
    requestAnimationFrame(function () {
      requestAnimationFrame(function () { GW.renderedAtMs = performance.now(); });
    });
    if (cfg.interactive && typeof QWebChannel !== 'undefined' && window.qt && qt.webChannelTransport) {
      new QWebChannel(qt.webChannelTransport, function (channel) {
        bridge = channel.objects.bridge;
        GW.bridged = true;
        call('pageReady');
      });
    }
  };
}());
