/*
 * geoworkbench map: the page's controls and its offline basemap (window.GWControls), used by
 * gwmap.js: the layer list, the tool buttons, text boxes, and the grid drawn on canvas when
 * no basemap is chosen (no request at all). User text reaches the DOM through textContent.
 */
(function () {
  'use strict';
  var C = {};
  window.GWControls = C;
  var el = function (tag, cls, text) { return GWView.el(tag, cls, text); };

  var GridLayer = L.GridLayer.extend({
    // The offline basemap: a plain grid drawn on canvas, no request at all.
    createTile: function (coords) {
      var size = this.getTileSize();
      var tile = document.createElement('canvas');
      tile.width = size.x;
      tile.height = size.y;
      var ctx = tile.getContext('2d');
      ctx.fillStyle = '#f3f2ee';
      ctx.fillRect(0, 0, size.x, size.y);
      ctx.strokeStyle = '#dcdad2';
      ctx.lineWidth = 1;
      for (var i = 1; i < 4; i++) {
        var t = Math.round(i * size.x / 4) + 0.5;
        ctx.beginPath(); ctx.moveTo(t, 0); ctx.lineTo(t, size.y); ctx.stroke();
        ctx.beginPath(); ctx.moveTo(0, t); ctx.lineTo(size.x, t); ctx.stroke();
      }
      ctx.strokeStyle = '#b9b6aa';
      ctx.strokeRect(0.5, 0.5, size.x, size.y);
      return tile;
    }
  });

  C.layers = function (layerList, boxes, onToggle) {
    var ctl = L.control({ position: 'topright' });
    ctl.onAdd = function () {
      var div = el('div', 'gw-box gw-layers');
      layerList.forEach(function (pair) {
        var label = el('label');
        var input = el('input');
        input.type = 'checkbox';
        input.checked = true;
        input.setAttribute('data-layer', pair[0]);
        var text = el('span', null, pair[1]);
        label.appendChild(input);
        label.appendChild(text);
        div.appendChild(label);
        boxes[pair[0]] = { input: input, text: text, title: pair[1] };
        input.addEventListener('change', function () { onToggle(pair[0], input.checked); });
      });
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    return ctl;
  };

  C.tools = function (tools, toolButtons, onPick) {
    var ctl = L.control({ position: 'topleft' });
    ctl.onAdd = function () {
      var div = el('div', 'gw-box gw-tools');
      tools.forEach(function (pair) {
        var b = el('button', pair[0] === 'pan' ? 'gw-active' : '', pair[1]);
        b.type = 'button';
        b.setAttribute('data-tool', pair[0]);
        b.addEventListener('click', function () { onPick(pair[0]); });
        toolButtons[pair[0]] = b;
        div.appendChild(b);
      });
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    return ctl;
  };

  C.box = function (map, position, cls, text) {
    var ctl = L.control({ position: position });
    var div = el('div', 'gw-box ' + cls, text);
    ctl.onAdd = function () { L.DomEvent.disableClickPropagation(div); return div; };
    ctl.addTo(map);
    return div;
  };

  C.basemap = function (b) {
    if (b && b.kind && b.kind !== 'none') {
      return L.tileLayer(b.url, { maxZoom: b.max_zoom || 19, maxNativeZoom: b.max_zoom || 19,
        attribution: '' });
    }
    return new GridLayer({ maxZoom: 22 });
  };
}());
