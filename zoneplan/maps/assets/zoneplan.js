/* zoneplan map script: compact layers styled in JavaScript, legend, layer control, fullscreen,
 * scale bar, area measurement in mu and a phase-drawing tool with GeoJSON export.
 * Licence: MIT (part of zoneplan). Needs Leaflet 1.9 (inlined by zoneplan.maps.offline).
 *
 * Geometry arrives compact (see zoneplan/maps/interactive.py, _encode_geometry): integer
 * micro-degrees, delta-encoded over the whole layer, closing vertex dropped; ring / part / feature
 * counts in separate arrays. Attributes arrive as columns; text is only ever inserted with
 * textContent, so an attribute holding "<script>" is shown as text.
 */
(function () {
  "use strict";
  var ZP = (window.ZP = window.ZP || {});
  ZP.maps = [];

  // ---------------------------------------------------------------- projections -----------
  // Transverse Mercator forward (Krüger series, Karney 2011, order n^4: sub-millimetre in a
  // 3-degree zone) — the same plane zoneplan measures areas in (CGCS2000 Gauss–Krüger).
  function tmFactory(lon0, k0, a, f) {
    var n = f / (2 - f), n2 = n * n, n3 = n2 * n, n4 = n3 * n;
    var A = (a / (1 + n)) * (1 + n2 / 4 + n4 / 64);
    var alpha = [
      n / 2 - (2 * n2) / 3 + (5 * n3) / 16 + (41 * n4) / 180,
      (13 * n2) / 48 - (3 * n3) / 5 + (557 * n4) / 1440,
      (61 * n3) / 240 - (103 * n4) / 140,
      (49561 * n4) / 161280,
    ];
    var e = (2 * Math.sqrt(n)) / (1 + n);
    var d2r = Math.PI / 180;
    return function (lon, lat) {
      var phi = lat * d2r, lam = (lon - lon0) * d2r;
      var s = Math.sin(phi);
      var t = Math.sinh(Math.atanh(s) - e * Math.atanh(e * s));
      var xi1 = Math.atan2(t, Math.cos(lam));
      var eta1 = Math.atanh(Math.sin(lam) / Math.sqrt(1 + t * t));
      var xi = xi1, eta = eta1;
      for (var j = 1; j <= 4; j++) {
        xi += alpha[j - 1] * Math.sin(2 * j * xi1) * Math.cosh(2 * j * eta1);
        eta += alpha[j - 1] * Math.cos(2 * j * xi1) * Math.sinh(2 * j * eta1);
      }
      return [k0 * A * eta, k0 * A * xi];
    };
  }

  // GCJ-02 (public formula, same constants as zoneplan.crs) and its iterative inverse.
  var GA = 6378245.0, GEE = 0.00669342162296594323;
  function inChina(lon, lat) {
    return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
  }
  function gcjDelta(lon, lat) {
    if (!inChina(lon, lat)) return [0, 0];
    var x = lon - 105.0, y = lat - 35.0, pi = Math.PI;
    var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      ((20.0 * Math.sin(6.0 * x * pi) + 20.0 * Math.sin(2.0 * x * pi)) * 2.0) / 3.0 +
      ((20.0 * Math.sin(y * pi) + 40.0 * Math.sin((y / 3.0) * pi)) * 2.0) / 3.0 +
      ((160.0 * Math.sin((y / 12.0) * pi) + 320.0 * Math.sin((y * pi) / 30.0)) * 2.0) / 3.0;
    var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      ((20.0 * Math.sin(6.0 * x * pi) + 20.0 * Math.sin(2.0 * x * pi)) * 2.0) / 3.0 +
      ((20.0 * Math.sin(x * pi) + 40.0 * Math.sin((x / 3.0) * pi)) * 2.0) / 3.0 +
      ((150.0 * Math.sin((x / 12.0) * pi) + 300.0 * Math.sin((x / 30.0) * pi)) * 2.0) / 3.0;
    var rad = (lat / 180.0) * pi, magic = 1 - GEE * Math.sin(rad) * Math.sin(rad), sm = Math.sqrt(magic);
    dLat = (dLat * 180.0) / (((GA * (1 - GEE)) / (magic * sm)) * pi);
    dLon = (dLon * 180.0) / ((GA / sm) * Math.cos(rad) * pi);
    return [dLon, dLat];
  }
  ZP.wgsToGcj = function (lon, lat) {
    var d = gcjDelta(lon, lat);
    return [lon + d[0], lat + d[1]];
  };
  ZP.gcjToWgs = function (lon, lat) {
    var w = [lon, lat];
    for (var i = 0; i < 30; i++) {
      var g = ZP.wgsToGcj(w[0], w[1]), ex = g[0] - lon, ey = g[1] - lat;
      w = [w[0] - ex, w[1] - ey];
      if (Math.abs(ex) < 1e-10 && Math.abs(ey) < 1e-10) break;
    }
    return w;
  };

  // ---------------------------------------------------------------- helpers ---------------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  // Leaflet's layer control writes layer names as HTML: give it the name as escaped text.
  function htmlText(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }
  function fmtNumber(v, digits) {
    if (v === null || v === undefined || (typeof v === "number" && !isFinite(v))) return "—";
    if (typeof v !== "number") return String(v);
    return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function fieldValue(field, i) {
    var v = field.codes ? (field.codes[i] < 0 ? null : field.dict[field.codes[i]]) : field.values[i];
    if (field.digits !== null && field.digits !== undefined) return fmtNumber(v, field.digits);
    return v === null || v === undefined || v === "" ? "—" : String(v);
  }
  function infoTable(layerCfg, i, withTitle) {
    var box = el("div", "zp-info");
    if (withTitle) box.appendChild(el("div", "zp-info-title", layerCfg.name));
    var table = el("table");
    var fields = layerCfg.fields || [];
    for (var k = 0; k < fields.length; k++) {
      var tr = el("tr");
      tr.appendChild(el("th", null, fields[k].label));
      tr.appendChild(el("td", null, fieldValue(fields[k], i)));
      table.appendChild(tr);
    }
    box.appendChild(table);
    return box;
  }

  // ---------------------------------------------------------------- polygon layer ---------
  // One canvas per layer, drawn in a few batched paths (one fill per colour, one stroke), from
  // Web-Mercator "unit" coordinates (0..1) decoded once into typed arrays. No Leaflet object per
  // feature: 100,000 parcels cost ~1 MB of numbers, not 100,000 layers for the garbage collector.
  var PI = Math.PI;
  function unitY(lat) {
    var s = Math.sin((Math.max(Math.min(lat, 85.0511287798), -85.0511287798) * PI) / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * PI);
  }
  function unitToLatLng(x, y) {
    return L.latLng((Math.atan(Math.sinh(PI * (1 - 2 * y))) * 180) / PI, x * 360 - 180);
  }

  function decode(geom) {
    var c = geom.coords, nv = c.length / 2, n = geom.n;
    var ringLen = geom.ring_len, partRings = geom.part_rings, featParts = geom.feat_parts;
    var xy = new Float64Array(c.length), x = 0, y = 0;
    for (var v = 0; v < nv; v++) {
      x += c[2 * v];
      y += c[2 * v + 1];
      xy[2 * v] = (x * 1e-6 + 180) / 360;
      xy[2 * v + 1] = unitY(y * 1e-6);
    }
    var nRings = ringLen.length, ringStart = new Int32Array(nRings + 1);
    for (var r = 0; r < nRings; r++) ringStart[r + 1] = ringStart[r] + ringLen[r];
    var featRing = new Int32Array(n + 1), pi = 0, ri = 0;
    for (var f = 0; f < n; f++) {
      var parts = featParts ? featParts[f] : 1;
      for (var p = 0; p < parts; p++) ri += partRings ? partRings[pi++] : 1;
      featRing[f + 1] = ri;
    }
    var bbox = new Float64Array(4 * n);
    for (f = 0; f < n; f++) {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var k = ringStart[featRing[f]]; k < ringStart[featRing[f + 1]]; k++) {
        var px = xy[2 * k], py = xy[2 * k + 1];
        if (px < x0) x0 = px;
        if (px > x1) x1 = px;
        if (py < y0) y0 = py;
        if (py > y1) y1 = py;
      }
      bbox[4 * f] = x0; bbox[4 * f + 1] = y0; bbox[4 * f + 2] = x1; bbox[4 * f + 3] = y1;
    }
    return { n: n, xy: xy, ringStart: ringStart, featRing: featRing, bbox: bbox };
  }

  var PolygonLayer = L.Layer.extend({
    initialize: function (cfg, zIndex) {
      this.cfg = cfg;
      this.g = decode(cfg.geometry);
      this.zIndex = zIndex;
      this.drawn = 0;
      var fill = cfg.fill, n = this.g.n;
      this.filled = cfg.style.fill !== false;
      // colour index per feature and the palette
      if (fill && fill.index) {
        this.palette = fill.palette.concat([fill.missing || "#cccccc"]);
        var miss = this.palette.length - 1;
        this.colorIndex = Int32Array.from(fill.index, function (i) { return i < 0 ? miss : i; });
      } else {
        this.palette = [fill && fill.constant ? fill.constant : cfg.style.color];
        this.colorIndex = new Int32Array(n);
      }
    },
    onAdd: function (map) {
      this._canvas = L.DomUtil.create("canvas", "zp-canvas-layer");
      this._canvas.style.zIndex = String(this.zIndex);
      this._canvas.style.pointerEvents = "none";
      map.getPane("overlayPane").appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this.redraw, this);
      this.redraw();
    },
    onRemove: function (map) {
      map.off("moveend zoomend resize viewreset", this.redraw, this);
      L.DomUtil.remove(this._canvas);
      this._canvas = null;
      this.drawn = 0;
    },
    _view: function () {
      var map = this._map, zoom = map.getZoom();
      var scale = map.options.crs.scale(zoom), tl = map.getPixelBounds().min, size = map.getSize();
      return { scale: scale, ox: tl.x, oy: tl.y, w: size.x, h: size.y };
    },
    _trace: function (ctx, f, v) {
      var g = this.g, xy = g.xy, rs = g.ringStart, bb = g.bbox;
      var w = (bb[4 * f + 2] - bb[4 * f]) * v.scale, h = (bb[4 * f + 3] - bb[4 * f + 1]) * v.scale;
      if (w < 2 && h < 2) {
        // under two pixels a feature's shape cannot be seen: one rectangle instead of its rings
        ctx.rect(bb[4 * f] * v.scale - v.ox, bb[4 * f + 1] * v.scale - v.oy, Math.max(w, 0.75), Math.max(h, 0.75));
        return;
      }
      for (var r = g.featRing[f]; r < g.featRing[f + 1]; r++) {
        var a = rs[r], b = rs[r + 1];
        if (b - a < 2) continue;
        ctx.moveTo(xy[2 * a] * v.scale - v.ox, xy[2 * a + 1] * v.scale - v.oy);
        for (var k = a + 1; k < b; k++) ctx.lineTo(xy[2 * k] * v.scale - v.ox, xy[2 * k + 1] * v.scale - v.oy);
        ctx.closePath();
      }
    },
    redraw: function () {
      if (!this._map) return;
      var map = this._map, v = this._view(), canvas = this._canvas, dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(v.w * dpr);
      canvas.height = Math.round(v.h * dpr);
      canvas.style.width = v.w + "px";
      canvas.style.height = v.h + "px";
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      var ctx = canvas.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      var g = this.g, bb = g.bbox, n = g.n, st = this.cfg.style;
      var ux0 = v.ox / v.scale, uy0 = v.oy / v.scale, ux1 = (v.ox + v.w) / v.scale, uy1 = (v.oy + v.h) / v.scale;
      var visible = new Int32Array(n), nv = 0;
      for (var f = 0; f < n; f++) {
        if (bb[4 * f + 2] < ux0 || bb[4 * f] > ux1 || bb[4 * f + 3] < uy0 || bb[4 * f + 1] > uy1) continue;
        visible[nv++] = f;
      }
      this.drawn = nv;
      var BATCH = 4000, i, c;
      if (this.filled) {
        ctx.globalAlpha = st.fillOpacity;
        for (c = 0; c < this.palette.length; c++) {
          ctx.fillStyle = this.palette[c];
          var inPath = 0;
          ctx.beginPath();
          for (i = 0; i < nv; i++) {
            f = visible[i];
            if (this.colorIndex[f] !== c) continue;
            this._trace(ctx, f, v);
            if (++inPath === BATCH) { ctx.fill(); ctx.beginPath(); inPath = 0; }
          }
          if (inPath) ctx.fill();
        }
      }
      if (st.weight > 0) {
        ctx.globalAlpha = st.opacity === undefined ? 1 : st.opacity;
        ctx.strokeStyle = st.color;
        ctx.lineWidth = st.weight;
        ctx.lineJoin = "round";
        ctx.setLineDash(st.dashArray ? st.dashArray.split(/[ ,]+/).map(Number) : []);
        var minPx = this.filled ? 3 : 0, count = 0;
        ctx.beginPath();
        for (i = 0; i < nv; i++) {
          f = visible[i];
          // a stroke wider than a tiny feature would hide its colour: outline features of 3 px or more
          if ((bb[4 * f + 2] - bb[4 * f]) * v.scale < minPx && (bb[4 * f + 3] - bb[4 * f + 1]) * v.scale < minPx) continue;
          this._trace(ctx, f, v);
          if (++count === BATCH) { ctx.stroke(); ctx.beginPath(); count = 0; }
        }
        if (count) ctx.stroke();
      }
    },
    _grid: function () {
      if (this._gridIndex) return this._gridIndex;
      var g = this.g, n = g.n, bb = g.bbox;
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, f;
      for (f = 0; f < n; f++) {
        x0 = Math.min(x0, bb[4 * f]); y0 = Math.min(y0, bb[4 * f + 1]);
        x1 = Math.max(x1, bb[4 * f + 2]); y1 = Math.max(y1, bb[4 * f + 3]);
      }
      var side = Math.max(1, Math.min(512, Math.ceil(Math.sqrt(n / 2))));
      var cw = (x1 - x0) / side || 1, ch = (y1 - y0) / side || 1;
      var cell = function (x, y) {
        return [Math.min(side - 1, Math.max(0, Math.floor((x - x0) / cw))), Math.min(side - 1, Math.max(0, Math.floor((y - y0) / ch)))];
      };
      var counts = new Int32Array(side * side + 1), pass, a, b, cx, cy;
      var start, items, fillPos;
      for (pass = 0; pass < 2; pass++) {
        if (pass === 1) {
          start = new Int32Array(side * side + 1);
          for (var k = 0; k < side * side; k++) start[k + 1] = start[k] + counts[k];
          items = new Int32Array(start[side * side]);
          fillPos = start.slice();
        }
        for (f = 0; f < n; f++) {
          a = cell(bb[4 * f], bb[4 * f + 1]);
          b = cell(bb[4 * f + 2], bb[4 * f + 3]);
          for (cy = a[1]; cy <= b[1]; cy++)
            for (cx = a[0]; cx <= b[0]; cx++) {
              if (pass === 0) counts[cy * side + cx]++;
              else items[fillPos[cy * side + cx]++] = f;
            }
        }
      }
      this._gridIndex = { cell: cell, side: side, start: start, items: items, x0: x0, y0: y0, x1: x1, y1: y1 };
      return this._gridIndex;
    },
    // Area of feature f in unit coordinates (rings summed with their sign: holes subtract).
    area: function (f) {
      if (!this._areas) {
        var g = this.g, xy = g.xy, rs = g.ringStart, areas = (this._areas = new Float64Array(g.n));
        for (var i = 0; i < g.n; i++) {
          var s = 0;
          for (var r = g.featRing[i]; r < g.featRing[i + 1]; r++)
            for (var a = rs[r], b = rs[r + 1], p = b - 1, q = a; q < b; p = q++) s += xy[2 * p] * xy[2 * q + 1] - xy[2 * q] * xy[2 * p + 1];
          areas[i] = Math.abs(s) / 2;
        }
      }
      return this._areas[f];
    },
    // The smallest feature under a container point (a parcel inside a larger one wins), or -1.
    hit: function (pt) {
      if (!this._map) return -1;
      var v = this._view(), ux = (pt.x + v.ox) / v.scale, uy = (pt.y + v.oy) / v.scale, tol = 4 / v.scale;
      var G = this._grid(), g = this.g, bb = g.bbox, xy = g.xy, rs = g.ringStart;
      if (ux < G.x0 - tol || ux > G.x1 + tol || uy < G.y0 - tol || uy > G.y1 + tol) return -1;
      var c = G.cell(ux, uy), k = c[1] * G.side + c[0], best = -1;
      for (var i = G.start[k]; i < G.start[k + 1]; i++) {
        var f = G.items[i];
        if (ux < bb[4 * f] - tol || ux > bb[4 * f + 2] + tol || uy < bb[4 * f + 1] - tol || uy > bb[4 * f + 3] + tol) continue;
        var inside = false, near = false;
        for (var r = g.featRing[f]; r < g.featRing[f + 1]; r++) {
          for (var a = rs[r], b = rs[r + 1], p = b - 1, q = a; q < b; p = q++) {
            var x1 = xy[2 * p], y1 = xy[2 * p + 1], x2 = xy[2 * q], y2 = xy[2 * q + 1];
            if (y2 > uy !== y1 > uy && ux < ((x1 - x2) * (uy - y2)) / (y1 - y2) + x2) inside = !inside;
            if (!this.filled && !near) {
              var dx = x2 - x1, dy = y2 - y1, t = dx || dy ? ((ux - x1) * dx + (uy - y1) * dy) / (dx * dx + dy * dy) : 0;
              t = Math.max(0, Math.min(1, t));
              var ex = x1 + t * dx - ux, ey = y1 + t * dy - uy;
              near = ex * ex + ey * ey <= tol * tol;
            }
          }
        }
        if ((this.filled ? inside : near) && (best < 0 || this.area(f) < this.area(best))) best = f;
      }
      return best;
    },
    latLngs: function (f) {
      var g = this.g, out = [];
      for (var r = g.featRing[f]; r < g.featRing[f + 1]; r++) {
        var ring = [];
        for (var k = g.ringStart[r]; k < g.ringStart[r + 1]; k++) ring.push(unitToLatLng(g.xy[2 * k], g.xy[2 * k + 1]));
        out.push(ring);
      }
      return out;
    },
    centre: function (f) {
      var bb = this.g.bbox;
      return unitToLatLng((bb[4 * f] + bb[4 * f + 2]) / 2, (bb[4 * f + 1] + bb[4 * f + 3]) / 2);
    },
  });

  function buildLayer(map, cfg, zIndex) {
    var t0 = performance.now();
    var layer = new PolygonLayer(cfg, zIndex);
    ZP.decodeMs = (ZP.decodeMs || 0) + performance.now() - t0;
    var labels = null;
    if (cfg.labels) {
      labels = L.layerGroup();
      for (var k = 0; k < cfg.labels.text.length; k++) {
        var div = el("div", "zp-label-text");
        var lines = String(cfg.labels.text[k]).split("\n");
        for (var m = 0; m < lines.length; m++) div.appendChild(el("div", null, lines[m]));
        var holder = document.createElement("div");
        holder.appendChild(div);
        var icon = L.divIcon({ className: "zp-label", html: holder.innerHTML, iconSize: null });
        L.marker(cfg.labels.at[k], { icon: icon, interactive: false, keyboard: false }).addTo(labels);
      }
    }
    return { layer: layer, labels: labels, n: layer.g.n };
  }

  // Tooltips, popups and hover highlight for all polygon layers: the smallest feature hit wins
  // (a parcel over its zone, a park over its district); between equal areas the top-most layer.
  function interaction(map, state, topRenderer) {
    var tooltip = L.tooltip({ className: "zp-tooltip", direction: "top", offset: [0, -10], opacity: 0.95 });
    var highlight = null, current = null;
    function hitAt(pt) {
      var best = null;
      for (var i = state.order.length - 1; i >= 0; i--) {
        var layer = state.order[i];
        if (!layer._map || !(layer.cfg.fields || []).length) continue;
        var f = layer.hit(pt);
        if (f >= 0 && (!best || layer.area(f) < best.area)) best = { layer: layer, f: f, area: layer.area(f) };
      }
      return best;
    }
    function clear() {
      if (highlight) map.removeLayer(highlight);
      highlight = null;
      current = null;
      map.closeTooltip(tooltip);
    }
    map.on("mousemove", function (e) {
      if (state.drawing) return clear();
      var h = hitAt(e.containerPoint);
      if (!h) return clear();
      if (!current || current.layer !== h.layer || current.f !== h.f) {
        clear();
        current = h;
        var st = h.layer.cfg.style;
        highlight = L.polygon(h.layer.latLngs(h.f), { renderer: topRenderer, interactive: false, color: st.color, weight: st.weight + 2, fill: false }).addTo(map);
        tooltip.setContent(infoTable(h.layer.cfg, h.f, true));
        tooltip.setLatLng(e.latlng);
        map.openTooltip(tooltip);
      } else {
        tooltip.setLatLng(e.latlng);
      }
    });
    map.on("mouseout", clear);
    map.on("click", function (e) {
      if (state.drawing) return;
      var h = hitAt(e.containerPoint);
      if (!h) return;
      L.popup({ maxWidth: 420, className: "zp-popup" }).setLatLng(e.latlng).setContent(infoTable(h.layer.cfg, h.f, true)).openOn(map);
    });
  }

  // ---------------------------------------------------------------- controls --------------
  function legendControl(cfg) {
    var ctl = L.control({ position: "bottomright" });
    ctl.onAdd = function () {
      var box = el("div", "zp-legend leaflet-control");
      box.appendChild(el("div", "zp-legend-title", cfg.title));
      for (var i = 0; i < cfg.items.length; i++) {
        var item = cfg.items[i], row = el("div", "zp-legend-item");
        var sw = el("span", "zp-swatch" + (item.outline ? " zp-swatch-outline" : ""));
        if (item.outline) sw.style.borderColor = item.color;
        else sw.style.background = item.color;
        row.appendChild(sw);
        row.appendChild(el("span", "zp-legend-label", item.label));
        box.appendChild(row);
      }
      if (cfg.note) box.appendChild(el("div", "zp-legend-note", cfg.note));
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return ctl;
  }

  function addTitle(map, text) {
    // centred in the band between the left and right corner controls, never under them
    var box = el("div", "zp-title", text);
    var container = map.getContainer();
    container.appendChild(box);
    L.DomEvent.disableClickPropagation(box);
    var layout = function () {
      var right = container.querySelector(".leaflet-top.leaflet-right");
      box.style.right = ((right ? right.offsetWidth : 0) + 10) + "px";
    };
    layout();
    map.on("resize", layout);
    return box;
  }

  function fullscreenControl(map) {
    var ctl = L.control({ position: "topleft" });
    ctl.onAdd = function () {
      var bar = el("div", "leaflet-bar leaflet-control");
      var a = el("a", "zp-fullscreen-button", "全");
      a.href = "#";
      a.title = "全屏 Full screen";
      a.setAttribute("role", "button");
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.preventDefault(e);
        var c = map.getContainer();
        var on = !L.DomUtil.hasClass(c, "zp-fullscreen");
        if (on) {
          L.DomUtil.addClass(c, "zp-fullscreen");
          if (c.requestFullscreen) c.requestFullscreen().catch(function () {});
        } else {
          L.DomUtil.removeClass(c, "zp-fullscreen");
          if (document.fullscreenElement && document.exitFullscreen) document.exitFullscreen().catch(function () {});
        }
        map.invalidateSize();
      });
      bar.appendChild(a);
      return bar;
    };
    return ctl;
  }

  // Measure (temporary) and draw-phase (kept, exportable) tools: click to add vertices,
  // double-click or "完成 Finish" to close. Area is planar in the plan's Gauss–Krüger zone.
  function drawTool(map, cfg, state, topRenderer) {
    var tm = tmFactory(cfg.crs.lon0, cfg.crs.k0, cfg.crs.a, cfg.crs.f);
    var gcj = !!cfg.gcj02;
    var drawnLayer = L.featureGroup().addTo(map);
    var active = null; // {mode, pts, line, poly}
    var box, areaOut, finishBtn;

    function toWgs(ll) {
      return gcj ? ZP.gcjToWgs(ll.lng, ll.lat) : [ll.lng, ll.lat];
    }
    function areaM2(latlngs) {
      if (latlngs.length < 3) return 0;
      var s = 0, pts = latlngs.map(function (ll) { var w = toWgs(ll); return tm(w[0], w[1]); });
      for (var i = 0; i < pts.length; i++) {
        var p = pts[i], q = pts[(i + 1) % pts.length];
        s += p[0] * q[1] - q[0] * p[1];
      }
      return Math.abs(s) / 2;
    }
    ZP.areaM2 = areaM2;
    function show(m2) {
      var mu = m2 / (10000 / 15);
      areaOut.textContent = "面积 Area: " + fmtNumber(mu, 2) + " 亩 mu (" + fmtNumber(m2, 0) + " m²)";
      areaOut.setAttribute("data-area-mu", String(mu));
      state.lastAreaMu = mu;
    }
    function start(mode) {
      cancel();
      active = { mode: mode, pts: [], line: L.polyline([], { renderer: topRenderer, color: "#e31a1c", weight: 2, dashArray: "4 4", interactive: false }).addTo(map) };
      state.drawing = true;
      map.closePopup();
      map.doubleClickZoom.disable();
      L.DomUtil.addClass(map.getContainer(), "zp-drawing");
      areaOut.textContent = mode === "measure" ? "测量：点击地图添加顶点 Measure: click to add vertices" : "绘制分期：点击地图添加顶点 Draw a phase: click to add vertices";
      finishBtn.style.display = "";
    }
    function cancel() {
      if (!active) return;
      map.removeLayer(active.line);
      if (active.poly) map.removeLayer(active.poly);
      active = null;
      state.drawing = false;
      map.doubleClickZoom.enable();
      L.DomUtil.removeClass(map.getContainer(), "zp-drawing");
      finishBtn.style.display = "none";
    }
    function addVertex(ll) {
      if (!active) return;
      active.pts.push(ll);
      active.line.setLatLngs(active.pts.concat(active.pts.length > 2 ? [active.pts[0]] : []));
      if (active.pts.length >= 3) show(areaM2(active.pts));
    }
    function finish() {
      if (!active) return null;
      var pts = active.pts.slice(), mode = active.mode;
      cancel();
      if (pts.length < 3) { areaOut.textContent = "至少三个顶点 At least three vertices"; return null; }
      var m2 = areaM2(pts);
      show(m2);
      var style = mode === "measure" ? { color: "#e31a1c", weight: 2, fillOpacity: 0.1, dashArray: "4 4" } : { color: "#6a3d9a", weight: 3, fillColor: "#cab2d6", fillOpacity: 0.45 };
      style.renderer = topRenderer;
      var poly = L.polygon(pts, style);
      poly.zpMode = mode;
      poly.zpAreaMu = m2 / (10000 / 15);
      var tip = (mode === "measure" ? "测量 Measured: " : "新分期 New phase: ") + fmtNumber(poly.zpAreaMu, 2) + " 亩 mu";
      poly.bindTooltip(tip, { permanent: true, direction: "center", className: "zp-area-tip" });
      if (mode === "measure") {
        if (state.measureLayer) drawnLayer.removeLayer(state.measureLayer);
        state.measureLayer = poly;
      }
      drawnLayer.addLayer(poly);
      return poly;
    }
    ZP.finishDrawing = finish;
    ZP.startDrawing = start;

    map.on("click", function (e) { if (active) addVertex(e.latlng); });
    map.on("dblclick", function (e) {
      if (!active) return;
      // the double-click's two clicks already added the same vertex twice: drop the repeat
      if (active.pts.length > 1) {
        var a = active.pts[active.pts.length - 1], b = active.pts[active.pts.length - 2];
        if (map.latLngToContainerPoint(a).distanceTo(map.latLngToContainerPoint(b)) < 4) active.pts.pop();
      }
      finish();
    });
    map.on("mousemove", function (e) {
      if (!active || !active.pts.length) return;
      var pts = active.pts.concat([e.latlng]);
      active.line.setLatLngs(pts.concat(pts.length > 2 ? [pts[0]] : []));
      if (pts.length >= 3) show(areaM2(pts));
    });

    // Export the drawn phases as GeoJSON (EPSG:4326 lon-lat, RFC 7946) for `zoneplan import`.
    function exportGeoJSON() {
      var feats = [], no = cfg.draw.next_phase_no;
      drawnLayer.eachLayer(function (poly) {
        if (poly.zpMode !== "phase") return;
        var ring = poly.getLatLngs()[0].map(function (ll) {
          var w = toWgs(ll);
          return [Math.round(w[0] * 1e8) / 1e8, Math.round(w[1] * 1e8) / 1e8];
        });
        ring.push(ring[0]);
        var props = { phase_id: cfg.draw.id_prefix + no, phase_no: no, name: "新分期 " + no, drawn_area_mu: Math.round(poly.zpAreaMu * 1e4) / 1e4 };
        if (cfg.draw.zone_id !== null) props.zone_id = cfg.draw.zone_id;
        feats.push({ type: "Feature", properties: props, geometry: { type: "Polygon", coordinates: [ring] } });
        no++;
      });
      return JSON.stringify({ type: "FeatureCollection", features: feats });
    }
    ZP.exportGeoJSON = exportGeoJSON;

    var ctl = L.control({ position: "topleft" });
    ctl.onAdd = function () {
      box = el("div", "zp-tools leaflet-control leaflet-bar");
      function button(text, title, cls, fn) {
        var a = el("a", "zp-tool " + cls, text);
        a.href = "#";
        a.title = title;
        a.setAttribute("role", "button");
        L.DomEvent.on(a, "click", function (e) { L.DomEvent.stop(e); fn(); });
        box.appendChild(a);
        return a;
      }
      button("量", "测量面积（亩） Measure area in mu", "zp-measure", function () { start("measure"); });
      button("绘", "绘制新分期 Draw a new phase", "zp-draw", function () { start("phase"); });
      finishBtn = button("完", "完成 Finish", "zp-finish", finish);
      finishBtn.style.display = "none";
      button("导", "导出 GeoJSON Export drawn phases as GeoJSON", "zp-export", function () {
        var text = exportGeoJSON();
        var a = document.createElement("a");
        a.href = URL.createObjectURL(new Blob([text], { type: "application/geo+json" }));
        a.download = "drawn_phases.geojson";
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
      });
      button("清", "清除 Clear drawings", "zp-clear", function () { cancel(); drawnLayer.clearLayers(); state.measureLayer = null; areaOut.textContent = ""; });
      areaOut = el("div", "zp-area-out", "");
      box.appendChild(areaOut);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    ctl.addTo(map);
    return drawnLayer;
  }

  function tileLayer(b) {
    var opts = { attribution: b.attribution || "", maxZoom: b.max_zoom || 18 };
    if (b.subdomains) opts.subdomains = b.subdomains;
    var base = L.tileLayer(b.url, opts);
    if (!b.annotation) return base;
    return L.layerGroup([base, L.tileLayer(b.annotation, opts)]);
  }

  // A page embedded in an iframe (reports) may run before the frame is laid out: fitting the
  // bounds into a 0 × 0 map gives a NaN zoom. Show the bounds' centre first, fit once sized.
  function fitWhenSized(map, bounds) {
    var pad = { animate: false, paddingTopLeft: [56, 56], paddingBottomRight: [16, 16] };
    var fits = function () { var s = map.getSize(); return s.x > 96 && s.y > 96; };
    if (fits()) { map.fitBounds(bounds, pad); return; }
    map.setView(L.latLngBounds(bounds).getCenter(), 12, { animate: false });
    if (typeof ResizeObserver === "undefined") return;
    var seen = new ResizeObserver(function () {
      map.invalidateSize({ animate: false });
      if (fits()) { map.fitBounds(bounds, pad); seen.disconnect(); }
    });
    seen.observe(map.getContainer());
  }

  // ---------------------------------------------------------------- entry point -----------
  ZP.init = function (map, cfg) {
    var t0 = performance.now();
    map.createPane("zpTop").style.zIndex = 450; // above the layers' canvases, below labels
    var topRenderer = L.svg({ pane: "zpTop" });
    var state = { map: map, cfg: cfg, layers: {}, order: [], counts: {}, lastAreaMu: null, drawing: false };
    var baseLayers = {}, overlays = {};
    (cfg.basemaps || []).forEach(function (b, i) {
      var layer = tileLayer(b);
      baseLayers[htmlText(b.name)] = layer;
      if (i === 0) layer.addTo(map);
    });
    var timings = (state.timings = {});
    var mark = function (name, since) { timings[name] = (timings[name] || 0) + performance.now() - since; };
    var t1 = performance.now();
    if (cfg.bounds) fitWhenSized(map, cfg.bounds);
    mark("fit", t1);
    cfg.layers.forEach(function (lc, i) {
      var tb = performance.now();
      var built = buildLayer(map, lc, 100 + i);
      mark("build", tb);
      tb = performance.now();
      state.layers[lc.name] = built;
      state.counts[lc.name] = built.n;
      state.order.push(built.layer);
      if (lc.show !== false) built.layer.addTo(map);
      mark("add", tb);
      overlays[htmlText(lc.name)] = built.layer;
      if (built.labels) {
        overlays[htmlText(lc.name + " · 标注 labels")] = built.labels;
        if (lc.show !== false) built.labels.addTo(map);
      }
    });
    L.control.layers(baseLayers, overlays, { collapsed: false, position: "topright" }).addTo(map);
    if (cfg.title) addTitle(map, cfg.title);
    L.control.scale({ metric: true, imperial: false, position: "bottomleft" }).addTo(map);
    fullscreenControl(map).addTo(map);
    interaction(map, state, topRenderer);
    state.drawn = drawTool(map, cfg, state, topRenderer);
    if (cfg.legend && cfg.legend.items.length) legendControl(cfg.legend).addTo(map);
    ZP.maps.push(state);
    ZP.state = state;
    // Ready once the canvas has painted: two animation frames after the layers were added.
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        state.readyMs = performance.now();
        state.buildMs = performance.now() - t0;
        document.body.setAttribute("data-zp-ready", "1");
      });
    });
    return state;
  };

  // Features drawn per layer in the last paint (on the map and inside the view).
  ZP.drawnCounts = function () {
    var out = {};
    Object.keys(ZP.state.layers).forEach(function (name) {
      var layer = ZP.state.layers[name].layer;
      out[name] = layer._map ? layer.drawn : 0;
    });
    return out;
  };

  // Screen position (container pixels) of the centre of feature i's bounding box in layer name.
  ZP.featurePoint = function (name, i) {
    var p = ZP.state.map.latLngToContainerPoint(ZP.state.layers[name].layer.centre(i));
    return [p.x, p.y];
  };
})();
