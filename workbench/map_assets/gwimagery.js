/* Imagery overlays on the map (workbench/imagery/overlay.py builds them; ui/map/imagery.py
 * drives them): GWImagery.setOverlays([{id, name, kind, url, bounds, corners}]) replaces them;
 * GWImagery.show(beforeId, afterId) shows one or two; GWImagery.setOpacity(id, f);
 * GWImagery.setSwipe(f) clips the "after" overlay to the part right of f * map width, so that
 * dragging f compares before (left) and after (right). Overlays live in their own pane, under
 * the vector layers and above the basemap; each has its footprint outlined.
 * Images arrive as data: URLs (the page's request guard allows data:, nothing remote).
 */
(function () {
  'use strict';
  var GWImagery = window.GWImagery = {};
  var map = null;
  var overlays = {};   // id -> {image: L.ImageOverlay, outline: L.Polygon, spec}
  var shown = { before: null, after: null };
  var swipe = 1.0;
  var opacity = {};

  GWImagery.attach = function (leafletMap) {
    map = leafletMap;
    var pane = map.createPane('gwImagery');
    pane.style.zIndex = 350;  // tilePane 200 < imagery < overlayPane 400
    map.on('move zoom zoomend resize viewreset', applySwipe);
  };

  GWImagery.setOverlays = function (list) {
    if (!map) { return 0; }
    Object.keys(overlays).forEach(function (k) {
      map.removeLayer(overlays[k].image); map.removeLayer(overlays[k].outline);
    });
    overlays = {};
    list.forEach(function (spec) {
      var image = L.imageOverlay(spec.url, spec.bounds, {
        pane: 'gwImagery', opacity: opacity[spec.id] === undefined ? 0.8 : opacity[spec.id],
        interactive: false
      });
      var outline = L.polygon(spec.corners, {
        pane: 'gwImagery', color: spec.kind === 'registered' ? '#16a085' : '#f1c40f',
        weight: 2, fill: false, interactive: false
      });
      overlays[spec.id] = { image: image, outline: outline, spec: spec };
    });
    GWImagery.show(shown.before, shown.after);
    return list.length;
  };

  GWImagery.show = function (beforeId, afterId) {
    shown.before = overlays[beforeId] ? beforeId : null;
    shown.after = overlays[afterId] && afterId !== beforeId ? afterId : null;
    Object.keys(overlays).forEach(function (k) {
      var o = overlays[k];
      var on = k === shown.before || k === shown.after;
      [o.image, o.outline].forEach(function (l) {
        if (on && !map.hasLayer(l)) { l.addTo(map); }
        if (!on && map.hasLayer(l)) { map.removeLayer(l); }
      });
    });
    if (shown.after) { overlays[shown.after].image.bringToFront(); }
    applySwipe();
    return [shown.before, shown.after];
  };

  GWImagery.setOpacity = function (id, f) {
    opacity[id] = f;
    if (overlays[id]) { overlays[id].image.setOpacity(f); }
  };

  GWImagery.setSwipe = function (f) {
    swipe = Math.max(0, Math.min(1, f));
    applySwipe();
    return swipe;
  };

  GWImagery.fitTo = function (id) {
    if (overlays[id]) { map.fitBounds(overlays[id].spec.bounds, { padding: [20, 20] }); }
  };

  GWImagery.ids = function () { return Object.keys(overlays); };

  function applySwipe() {
    if (!map) { return; }
    Object.keys(overlays).forEach(function (k) {
      var el = overlays[k].image.getElement();
      if (el) { el.style.clipPath = ''; }
    });
    var o = shown.after && overlays[shown.after];
    var el = o && o.image.getElement();
    if (!el || !shown.before) { return; }
    // The split in the map's container, as a distance from the image's own left edge.
    var box = map.getContainer().getBoundingClientRect();
    var img = el.getBoundingClientRect();
    var split = box.left + swipe * box.width;
    var leftPx = Math.max(0, split - img.left) * (el.offsetWidth / Math.max(img.width, 1));
    el.style.clipPath = 'inset(0 0 0 ' + leftPx.toFixed(1) + 'px)';
  }
}());
