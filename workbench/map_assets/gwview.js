/*
 * geoworkbench map: what the view does for the analyst (window.GWView), used by gwmap.js.
 *
 * - Click priority: of the features under the pointer, the smallest (in screen pixels) gets
 *   the click, the popup and the drag: an ellipse inside a hypothesis circle, a point inside
 *   an ellipse. Leaflet's canvas renderer gives it to the last drawn; we patch that one
 *   method (L.Canvas#_onClick, Leaflet 1.9) and nothing else.
 * - Labels: permanent tooltips, decluttered after every zoom, move and layer change: in the
 *   order of the layers given, a label that would overlap one already shown is hidden.
 * - Popup positions: decimal degrees and MGRS (computed in Python: properties.at and .mgrs),
 *   each with a copy button.
 *
 * User text only ever reaches the DOM through textContent.
 */
(function () {
  'use strict';
  var V = {};
  window.GWView = V;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  V.el = el;

  V.style = function (layerId, feature) {
    // Lines and polygons; points are drawn by gwmap.js (pointLayer).
    var props = feature.properties || {};
    if (feature.geometry && feature.geometry.type === 'Point') { return {}; }  // pointLayer's
    var c = props.colour || '#333';
    var s = { color: c, weight: 2, opacity: 0.9, fillColor: c, fillOpacity: 0.15 };
    if (layerId === 'rays') { s.weight = 2; }
    if (layerId === 'wedges') { s.weight = 1; s.fillOpacity = 0.12; }
    if (layerId === 'sightlines') { s.dashArray = '6 4'; }
    if (layerId === 'ellipses') { s.fillOpacity = 0.25; }
    if (layerId === 'hypotheses') { s.dashArray = '4 4'; s.fillOpacity = 0.08; }
    return s;
  };

  // -- click priority ------------------------------------------------------------------
  function ringArea(ring) {
    var a = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      a += (ring[j].x + ring[i].x) * (ring[j].y - ring[i].y);
    }
    return Math.abs(a / 2);
  }

  function pixelArea(layer) {
    // Screen area of a drawn feature: points are the smallest things, lines count their
    // length times a click's width, polygons their area.
    if (layer instanceof L.CircleMarker) {
      var r = layer._radius || 1;
      return Math.PI * r * r;
    }
    var parts = layer._parts || [];
    var total = 0;
    parts.forEach(function (ring) {
      if (layer instanceof L.Polygon) {
        total += ringArea(ring);
      } else {
        for (var i = 1; i < ring.length; i++) { total += 6 * ring[i].distanceTo(ring[i - 1]); }
      }
    });
    return total;
  }
  V.pixelArea = pixelArea;

  L.Canvas.include({
    _onClick: function (e) {
      var point = this._map.mouseEventToLayerPoint(e);
      var best = null;
      var bestArea = Infinity;
      for (var order = this._drawFirst; order; order = order.next) {
        var layer = order.layer;
        if (layer.options.interactive && layer._containsPoint(point) &&
            (!(e.type === 'click' || e.type === 'preclick') || !this._map._draggableMoved(layer))) {
          var area = pixelArea(layer);
          if (area <= bestArea) { best = layer; bestArea = area; }  // a tie: the later drawn
        }
      }
      this._fireEvent(best ? [best] : false, e);
    }
  });

  // -- labels --------------------------------------------------------------------------
  V.declutter = function (map, groups) {
    // groups: L.GeoJSON layers in priority order. Returns [shown, hidden].
    var nodes = [];
    groups.forEach(function (group) {
      if (!group || !map.hasLayer(group)) { return; }
      group.eachLayer(function (l) {
        var tip = l.getTooltip && l.getTooltip();
        if (tip && tip.options.permanent && tip._container) { nodes.push(tip._container); }
      });
    });
    nodes.forEach(function (n) { n.classList.remove('gw-label-hidden'); });
    var rects = nodes.map(function (n) { return n.getBoundingClientRect(); });  // one layout
    var placed = [];
    var shown = 0;
    nodes.forEach(function (n, k) {
      var r = rects[k];
      var box = [r.left - 2, r.top - 1, r.right + 2, r.bottom + 1];
      var clash = r.width === 0 || placed.some(function (b) {
        return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3];
      });
      if (clash) { n.classList.add('gw-label-hidden'); } else { placed.push(box); shown++; }
    });
    return [shown, nodes.length - shown];
  };

  V.hoverLabel = function (layer, over) {
    // A label hidden by the collision pass shows while the pointer is on its feature.
    var tip = layer && layer.getTooltip && layer.getTooltip();
    if (tip && tip.options.permanent && tip._container) {
      tip._container.classList.toggle('gw-label-hover', over);
    }
  };

  V.shownLabelBoxes = function () {
    var out = [];
    document.querySelectorAll('.leaflet-tooltip.gw-label').forEach(function (n) {
      if (!n.classList.contains('gw-label-hidden')) {
        var r = n.getBoundingClientRect();
        out.push([r.left, r.top, r.right, r.bottom, n.textContent]);
      }
    });
    return out;
  };

  V.fitOptions = function (map) {
    // Padding that keeps the fitted case clear of the controls on the left and right when
    // the map is wide enough to spare it; a small margin otherwise.
    var s = map.getSize();
    var base = Math.min(30, Math.round(Math.min(s.x, s.y) * 0.06));
    var corner = function (cls) {
      var node = map.getContainer().querySelector(cls);
      return node ? node.getBoundingClientRect().width : 0;
    };
    var left = corner('.leaflet-top.leaflet-left');
    var right = corner('.leaflet-top.leaflet-right');
    var opts = { maxZoom: 17, animate: false };
    if (s.x - left - right > s.x * 0.4) {
      opts.paddingTopLeft = [left + base, base];
      opts.paddingBottomRight = [right + base, base];
    } else {
      opts.padding = [base, base];
    }
    return opts;
  };


  // -- popups --------------------------------------------------------------------------
  function copyText(text, button, bridgeCall) {
    var done = function () { button.textContent = 'Copied'; };
    if (bridgeCall('copyText', text)) { done(); return; }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { button.textContent = 'Select and copy'; });
    }
  }

  function row(label, text, bridgeCall) {
    var line = el('div', 'gw-popup-pos');
    line.appendChild(el('span', 'gw-popup-key', label + ' '));
    var value = el('span', 'gw-popup-value', text);
    line.appendChild(value);
    var b = el('button', 'gw-copy', 'Copy');
    b.type = 'button';
    b.setAttribute('data-copy', text);
    b.addEventListener('click', function (ev) {
      L.DomEvent.stop(ev);
      copyText(text, b, bridgeCall);
    });
    line.appendChild(b);
    return line;
  }

  function anchorOf(layer) {
    // What the popup's position is: a point's place, a line's start, a wedge's apex, the
    // mean of a polygon's vertices (an ellipse's centre); as workbench/map_positions.py.
    if (layer.getLatLng) { return ['position', layer.getLatLng()]; }
    var lls = layer.getLatLngs();
    if (!(layer instanceof L.Polygon)) { return ['start', lls[0]]; }
    var ring = lls[0];
    var props = (layer.feature && layer.feature.properties) || {};
    if (props.layer === 'wedges') { return ['apex', ring[0]]; }
    var lat = 0;
    var lon = 0;
    ring.forEach(function (p) { lat += p.lat; lon += p.lng; });
    return ['centre', L.latLng(lat / ring.length, lon / ring.length)];
  }

  V.positionRows = function (props, layer, bridgeCall, askMgrs) {
    var box = el('div', 'gw-popup-where');
    var at = props.at;
    if (!at && layer) {
      var a = anchorOf(layer);
      at = [a[0], a[1].lat, a[1].lng];
    }
    if (!at) { return box; }
    var words = { position: 'Position', start: 'Start', apex: 'Apex', centre: 'Centre' };
    box.appendChild(el('div', 'gw-popup-meta', words[at[0]] || 'Position'));
    box.appendChild(row('Lat, lon', Number(at[1]).toFixed(6) + ', ' + Number(at[2]).toFixed(6), bridgeCall));
    if (props.mgrs) {
      box.appendChild(row('MGRS', props.mgrs, bridgeCall));
    } else {
      var holder = el('div');
      box.appendChild(holder);
      askMgrs(at[1], at[2], function (text) {
        if (text) { holder.appendChild(row('MGRS', text, bridgeCall)); }
      });
    }
    return box;
  };
}());
