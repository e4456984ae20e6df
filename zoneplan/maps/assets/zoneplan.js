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

  // Decode one layer's compact geometry into Leaflet lat-lng arrays (one entry per feature).
  function decode(geom) {
    var c = geom.coords, ringLen = geom.ring_len, partRings = geom.part_rings, featParts = geom.feat_parts;
    var nFeat = geom.n, out = new Array(nFeat);
    var ci = 0, ri = 0, pi = 0, x = 0, y = 0, scale = 1e-6;
    for (var f = 0; f < nFeat; f++) {
      var nParts = featParts ? featParts[f] : 1, parts = new Array(nParts);
      for (var p = 0; p < nParts; p++) {
        var nRings = partRings ? partRings[pi] : 1, rings = new Array(nRings);
        pi++;
        for (var r = 0; r < nRings; r++) {
          var nv = ringLen[ri++], ring = new Array(nv);
          for (var v = 0; v < nv; v++) {
            x += c[ci++];
            y += c[ci++];
            ring[v] = [y * scale, x * scale];
          }
          rings[r] = ring;
        }
        parts[p] = rings;
      }
      out[f] = nParts === 1 ? parts[0] : parts;
    }
    return out;
  }

  function closedRings(shape) {
    var out = [];
    (function walk(a) {
      if (typeof a[0][0] === "number") out.push(a.concat([a[0]]));
      else for (var k = 0; k < a.length; k++) walk(a[k]);
    })(shape);
    return out;
  }

  function colourOf(cfg, i) {
    var fill = cfg.fill;
    if (!fill) return cfg.style.fillColor || cfg.style.color;
    if (fill.index) return fill.index[i] < 0 ? fill.missing || "#cccccc" : fill.palette[fill.index[i]];
    return fill.constant;
  }

  function buildLayer(map, cfg, renderer) {
    var shapes = decode(cfg.geometry);
    var group = L.featureGroup();
    var base = cfg.style;
    for (var i = 0; i < shapes.length; i++) {
      var opts = {
        renderer: renderer,
        color: base.color,
        weight: base.weight,
        opacity: base.opacity === undefined ? 1 : base.opacity,
        dashArray: base.dashArray || null,
        fill: base.fill !== false,
        fillColor: colourOf(cfg, i),
        fillOpacity: base.fillOpacity,
        smoothFactor: 1.0,
      };
      // Outline-only layers (zone boundaries) are drawn as closed lines, so they answer the
      // mouse on their boundary only and never hide the parcels beneath from tooltips.
      var shape = opts.fill ? L.polygon(shapes[i], opts) : L.polyline(closedRings(shapes[i]), opts);
      shape.zpIndex = i;
      group.addLayer(shape);
    }
    if (cfg.fields && cfg.fields.length) {
      group.bindTooltip(function (layer) { return infoTable(cfg, layer.zpIndex, true); }, { sticky: true, className: "zp-tooltip" });
      group.bindPopup(function (layer) { return infoTable(cfg, layer.zpIndex, true); }, { maxWidth: 420, className: "zp-popup" });
      group.on("mouseover", function (e) {
        var l = e.propagatedFrom || e.layer;
        if (l && l.setStyle) l.setStyle({ weight: base.weight + 2 });
      });
      group.on("mouseout", function (e) {
        var l = e.propagatedFrom || e.layer;
        if (l && l.setStyle) l.setStyle({ weight: base.weight });
      });
    }
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
    return { group: group, labels: labels, n: shapes.length };
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

  function titleControl(text) {
    var ctl = L.control({ position: "topright" });
    ctl.onAdd = function () { return el("div", "zp-title leaflet-control", text); };
    return ctl;
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
  function drawTool(map, cfg, state) {
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
      active = { mode: mode, pts: [], line: L.polyline([], { color: "#e31a1c", weight: 2, dashArray: "4 4", interactive: false }).addTo(map) };
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

  // ---------------------------------------------------------------- entry point -----------
  ZP.init = function (map, cfg) {
    var t0 = performance.now();
    var renderer = L.canvas({ padding: 0.2, tolerance: 3 });
    var state = { map: map, cfg: cfg, layers: {}, counts: {}, lastAreaMu: null };
    var baseLayers = {}, overlays = {};
    (cfg.basemaps || []).forEach(function (b, i) {
      var layer = tileLayer(b);
      baseLayers[b.name] = layer;
      if (i === 0) layer.addTo(map);
    });
    cfg.layers.forEach(function (lc) {
      var built = buildLayer(map, lc, renderer);
      state.layers[lc.name] = built;
      state.counts[lc.name] = built.n;
      if (lc.show !== false) built.group.addTo(map);
      overlays[lc.name] = built.group;
      if (built.labels) {
        var labelName = lc.name + " · 标注 labels";
        overlays[labelName] = built.labels;
        if (lc.show !== false) built.labels.addTo(map);
      }
    });
    L.control.layers(baseLayers, overlays, { collapsed: false, position: "topright" }).addTo(map);
    if (cfg.title) titleControl(cfg.title).addTo(map);
    L.control.scale({ metric: true, imperial: false, position: "bottomleft" }).addTo(map);
    fullscreenControl(map).addTo(map);
    state.drawn = drawTool(map, cfg, state);
    if (cfg.legend && cfg.legend.items.length) legendControl(cfg.legend).addTo(map);
    if (cfg.bounds) map.fitBounds(cfg.bounds, { animate: false });
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

  // Features drawn per layer: on the map and projected into at least one visible ring part.
  ZP.drawnCounts = function () {
    var out = {};
    Object.keys(ZP.state.layers).forEach(function (name) {
      var n = 0;
      ZP.state.layers[name].group.eachLayer(function (l) { if (l._map && l._parts && l._parts.length) n++; });
      out[name] = n;
    });
    return out;
  };
})();
