/* zoneplan workbench: edit a plan's phases on the map served by `zoneplan serve`.
 * Licence: MIT (part of zoneplan). Runs on the page of zoneplan/maps (ZP.state holds the map).
 *
 * Everything is judged on the server (/api/preview): the phase's geometry (union of parcels, or a
 * drawn outline snapped to parcel edges), its area in mu on both bases, the rules it breaks and
 * the form's errors. Saves send the plan revision the page loaded; the server refuses a stale one.
 * Text from the plan is only ever inserted with textContent.
 */
(function () {
  "use strict";
  var ZPW = (window.ZPW = {});
  var MU = 10000 / 15;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmt(v, d) {
    return v === null || v === undefined ? "—" : Number(v).toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  // every request but the revision poll counts as work in flight (data-zpw-busy on <body>)
  var inFlight = 0;
  function busy(d) {
    inFlight += d;
    document.body.setAttribute("data-zpw-busy", String(inFlight));
  }
  function api(method, path, body) {
    var opts = { method: method, headers: { "Content-Type": "application/json" }, cache: "no-store" };
    if (body !== undefined) opts.body = JSON.stringify(body);
    var counted = path !== "/api/revision";
    if (counted) busy(1);
    return fetch(path, opts).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    }).finally(function () { if (counted) busy(-1); });
  }

  function start() {
    var state = window.ZP && ZP.state;
    if (!state) return setTimeout(start, 20);
    var map = state.map;
    map.createPane("zpwPhases").style.zIndex = 440;
    map.createPane("zpwEdit").style.zIndex = 460;
    var phaseRenderer = L.svg({ pane: "zpwPhases" }), editRenderer = L.svg({ pane: "zpwEdit" });
    var S = (ZPW.state = {
      revision: null, phases: null, mode: null, parcels: [], drawn: [], phaseId: null,
      preview: null, dirty: false, serverRevision: null,
    });
    var phaseLayer = L.geoJSON(null, {
      renderer: phaseRenderer,
      style: function () { return { color: "#54278f", weight: 2, fillColor: "#9e9ac8", fillOpacity: 0.35 }; },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindTooltip(String(p.name || p.phase_id) + " · " + fmt(p.area.planar_mu, 2) + " 亩 mu", { permanent: true, direction: "center", className: "zpw-phase-label" });
        layer.on("click", function (e) {
          if (S.mode) return; // composing or drawing: the click belongs to the map
          L.DomEvent.stopPropagation(e);
          editPhase(f);
        });
      },
    }).addTo(map);
    var candidate = L.geoJSON(null, { renderer: editRenderer, interactive: false, style: { color: "#e6550d", weight: 3, fillColor: "#fdae6b", fillOpacity: 0.4 } }).addTo(map);
    var conflicts = L.geoJSON(null, { renderer: editRenderer, interactive: false, style: { color: "#cb181d", weight: 2, fillColor: "#cb181d", fillOpacity: 0.6, dashArray: "3 3" } }).addTo(map);
    var sketch = L.polyline([], { renderer: editRenderer, color: "#e6550d", weight: 2, dashArray: "5 4", interactive: false }).addTo(map);
    var handles = L.layerGroup().addTo(map);

    // ------------------------------------------------------------------ panel ----------------
    var panel = el("div", "zpw-panel leaflet-control");
    panel.id = "zpw-panel";
    var modes = el("div", "zpw-row");
    function button(text, cls, fn, parent) {
      var b = el("button", "zpw-btn " + cls, text);
      b.type = "button";
      b.addEventListener("click", function (e) { e.preventDefault(); fn(); });
      (parent || panel).appendChild(b);
      return b;
    }
    panel.appendChild(el("div", "zpw-title", "分期编辑 Phase editor"));
    panel.appendChild(modes);
    var bCompose = button("按地块组合 Compose by parcels", "zpw-compose", function () { setMode("compose"); }, modes);
    var bDraw = button("手绘 Draw", "zpw-draw", function () { setMode("draw"); }, modes);
    var bFinish = button("闭合 Close outline", "zpw-finish", finishDrawing, modes);
    var hint = el("div", "zpw-hint", "点击分期以修改 Click a phase to reshape it, or start a new one.");
    panel.appendChild(hint);
    var areaBox = el("div", "zpw-area");
    areaBox.id = "zpw-area";
    panel.appendChild(areaBox);
    var rulesBox = el("div", "zpw-rules");
    rulesBox.id = "zpw-rules";
    panel.appendChild(rulesBox);
    var form = el("form", "zpw-form");
    form.id = "zpw-form";
    panel.appendChild(form);
    var actions = el("div", "zpw-row");
    panel.appendChild(actions);
    var bSave = button("保存 Save", "zpw-save", save, actions);
    var bCancel = button("取消 Cancel", "zpw-cancel", reset, actions);
    var bDelete = button("删除 Delete", "zpw-delete", remove, actions);
    var bUndo = button("撤销上次保存 Undo last save", "zpw-undo", undo, actions);
    var msg = el("div", "zpw-msg");
    msg.id = "zpw-msg";
    msg.setAttribute("role", "status");
    panel.appendChild(msg);
    var ctl = L.control({ position: "topleft" });
    ctl.onAdd = function () {
      L.DomEvent.disableClickPropagation(panel);
      L.DomEvent.disableScrollPropagation(panel);
      return panel;
    };
    ctl.addTo(map);

    var inputs = {};
    function buildForm(fields, zones) {
      form.textContent = "";
      Object.keys(fields).forEach(function (name) {
        var f = fields[name], row = el("label", "zpw-field");
        row.appendChild(el("span", "zpw-label", f.label + (f.required ? " *" : "")));
        var input;
        if (f.kind === "zone") {
          input = el("select");
          zones.forEach(function (z) {
            var o = el("option", null, z.zone_id + (z.name ? " " + z.name : ""));
            o.value = z.zone_id;
            input.appendChild(o);
          });
        } else {
          input = el("input");
          input.type = f.kind === "text" ? "text" : "number";
          if (f.kind === "number") input.step = "any";
        }
        input.name = name;
        input.addEventListener("change", function () { S.dirty = true; schedulePreview(); });
        row.appendChild(input);
        var err = el("span", "zpw-error");
        err.setAttribute("data-field", name);
        row.appendChild(err);
        form.appendChild(row);
        inputs[name] = { input: input, error: err };
      });
      var gerr = el("span", "zpw-error");
      gerr.setAttribute("data-field", "geometry");
      form.appendChild(gerr);
      inputs.geometry = { input: null, error: gerr };
    }
    function attributes() {
      var out = {};
      Object.keys(inputs).forEach(function (k) { if (inputs[k].input) out[k] = inputs[k].input.value; });
      return out;
    }
    function setAttributes(p) {
      var v = { phase_no: p.phase_no, name: p.name, zone_id: p.zone_id, start_year: p.start_year, end_year: p.end_year,
        investment_yi: p.investment_yuan === null || p.investment_yuan === undefined ? "" : p.investment_yuan / 1e8 };
      Object.keys(v).forEach(function (k) { if (inputs[k] && inputs[k].input) inputs[k].input.value = v[k] === null || v[k] === undefined ? "" : v[k]; });
    }
    function showErrors(errors) {
      Object.keys(inputs).forEach(function (k) { inputs[k].error.textContent = (errors && errors[k]) || ""; });
    }
    function say(text, kind) {
      msg.textContent = text || "";
      msg.className = "zpw-msg" + (kind ? " zpw-msg-" + kind : "");
    }

    // ------------------------------------------------------------------ plan state -----------
    function nextPhaseNo() {
      var no = 0;
      (S.phases ? S.phases.features : []).forEach(function (f) { no = Math.max(no, Number(f.properties.phase_no) || 0); });
      return no + 1;
    }
    function load() {
      return api("GET", "/api/plan").then(function (r) {
        var d = r.data;
        S.revision = d.revision;
        S.serverRevision = d.revision;
        S.phases = d.phases;
        S.pollMs = d.poll_ms;
        if (!form.firstChild) buildForm(d.fields, d.zones);
        if (d.basemap && !S.basemap) {
          // the offline basemap (MBTiles served by zoneplan serve), under every layer
          S.basemap = L.tileLayer(d.basemap.url, { minZoom: d.basemap.min_zoom, maxZoom: 22, maxNativeZoom: d.basemap.max_zoom, attribution: d.basemap.attribution }).addTo(map);
          S.basemap.bringToBack();
        }
        phaseLayer.clearLayers();
        phaseLayer.addData(d.phases);
        bUndo.disabled = !d.can_undo;
        document.body.setAttribute("data-zpw-revision", d.revision);
        document.body.setAttribute("data-zpw-phases", String(d.phases.features.length));
      });
    }
    function poll() {
      var asked = S.revision;
      api("GET", "/api/revision").then(function (r) {
        // a save, undo or reload of this page in flight changes the revision itself
        if (inFlight || asked !== S.revision) return;
        S.serverRevision = r.data.revision;
        bUndo.disabled = !r.data.can_undo;
        if (r.data.revision !== S.revision) {
          if (S.dirty) {
            if (S.warned === r.data.revision) return; // said once per revision
            S.warned = r.data.revision;
            say("此方案已被他人保存 The plan was saved by someone else: your save will be refused — cancel and reload their changes first.", "warn");
          } else return load().then(function () { say("已载入他人保存的修改 Loaded changes saved by someone else.", "info"); });
        }
      }).catch(function () {}).then(function () { setTimeout(poll, S.pollMs || 3000); });
    }

    // ------------------------------------------------------------------ editing ---------------
    function setMode(mode) {
      S.mode = mode;
      state.drawing = !!mode; // hush the map's own tooltips and popups while editing
      map.closePopup();
      L.DomUtil[mode ? "addClass" : "removeClass"](map.getContainer(), "zp-drawing");
      bCompose.classList.toggle("zpw-active", mode === "compose");
      bDraw.classList.toggle("zpw-active", mode === "draw");
      bFinish.style.display = mode === "draw" ? "" : "none";
      if (mode === "draw") { S.parcels = []; S.drawn = []; sketch.setLatLngs([]); map.doubleClickZoom.disable(); }
      else map.doubleClickZoom.enable();
      if (mode === "compose") { S.drawn = []; sketch.setLatLngs([]); }
      if (mode && !S.phaseId && inputs.phase_no && !inputs.phase_no.input.value) {
        inputs.phase_no.input.value = nextPhaseNo();
        inputs.name.input.value = "新分期 Phase " + nextPhaseNo();
      }
      hint.textContent = mode === "compose" ? "点击地块加入或移出 Click parcels to add or remove them." :
        mode === "draw" ? "点击添加顶点，双击闭合 Click to add vertices, double-click to close (snaps to parcel edges)." :
        "点击分期以修改 Click a phase to reshape it, or start a new one.";
    }
    function geometryBody() {
      var body = { attributes: attributes(), phase_id: S.phaseId };
      if (S.parcels.length) body.parcels = S.parcels.slice();
      else if (S.drawn.length >= 3) body.geometry = { type: "Polygon", coordinates: [S.drawn.concat([S.drawn[0]])] };
      return body;
    }
    var timer = null;
    function schedulePreview() {
      // a preview waiting for its debounce counts as work in flight too
      if (timer) clearTimeout(timer);
      else busy(1);
      timer = setTimeout(function () { timer = null; busy(-1); preview(); }, 60);
    }
    function preview() {
      var body = geometryBody();
      if (!body.parcels && !body.geometry) {
        candidate.clearLayers(); conflicts.clearLayers(); areaBox.textContent = ""; rulesBox.textContent = "";
        return Promise.resolve();
      }
      return api("POST", "/api/preview", body).then(function (r) {
        if (r.status !== 200) { say(r.data.error, "error"); return; }
        S.preview = r.data;
        candidate.clearLayers();
        if (r.data.geometry) candidate.addData(r.data.geometry);
        showArea(r.data.area);
        showRules(r.data.rules);
        showErrors(r.data.errors);
      });
    }
    function showArea(a) {
      areaBox.textContent = "";
      areaBox.appendChild(el("div", "zpw-area-main", "面积 Area: " + fmt(a.planar_mu, 2) + " 亩 mu"));
      var planar = el("div", "zpw-area-basis", fmt(a.planar_mu, 2) + " 亩 mu · " + fmt(a.planar_m2, 0) + " m² — " + a.planar_basis);
      planar.setAttribute("data-area-mu", String(a.planar_mu));
      planar.setAttribute("data-basis", "planar");
      var ell = el("div", "zpw-area-basis", fmt(a.ellipsoidal_mu, 2) + " 亩 mu · " + fmt(a.ellipsoidal_m2, 0) + " m² — " + a.ellipsoidal_basis);
      ell.setAttribute("data-area-mu", String(a.ellipsoidal_mu));
      ell.setAttribute("data-basis", "ellipsoidal");
      areaBox.appendChild(planar);
      areaBox.appendChild(ell);
    }
    function showRules(rules) {
      rulesBox.textContent = "";
      conflicts.clearLayers();
      var v = rules.violations || [];
      rulesBox.appendChild(el("div", "zpw-rules-title", v.length ? "违反规则 Rules broken (" + v.length + ")" : "未违反已检查规则 No checked rule broken"));
      v.forEach(function (f) {
        var row = el("div", "zpw-violation");
        row.setAttribute("data-rule", f.rule);
        row.appendChild(el("div", "zpw-violation-title", f.title + " · " + fmt(f.area_mu, 2) + " 亩 mu"));
        row.appendChild(el("div", "zpw-violation-msg", f.message));
        rulesBox.appendChild(row);
        if (f.geometry) conflicts.addData(f.geometry);
      });
      var nc = rules.not_checked || {};
      Object.keys(nc).forEach(function (k) { rulesBox.appendChild(el("div", "zpw-not-checked", "未检查 Not checked: " + k + " — " + nc[k])); });
      rulesBox.appendChild(el("div", "zpw-checked", "已检查 Checked: " + (rules.checked || []).join(", ")));
    }

    map.on("click", function (e) {
      if (S.mode === "compose") {
        api("GET", "/api/parcel?lon=" + e.latlng.lng + "&lat=" + e.latlng.lat).then(function (r) {
          var id = r.data.parcel_id;
          if (!id) return;
          var i = S.parcels.indexOf(id);
          if (i >= 0) S.parcels.splice(i, 1); else S.parcels.push(id);
          S.dirty = true;
          hint.textContent = "已选地块 Parcels: " + S.parcels.join(", ");
          document.body.setAttribute("data-zpw-parcels", S.parcels.join(","));
          preview();
        });
      } else if (S.mode === "draw") {
        S.drawn.push([e.latlng.lng, e.latlng.lat]);
        S.dirty = true;
        sketch.setLatLngs(S.drawn.map(function (c) { return [c[1], c[0]]; }));
        if (S.drawn.length >= 3) liveArea();
      }
    });
    map.on("dblclick", function () { if (S.mode === "draw") finishDrawing(); });
    function liveArea() {
      // while drawing: planar area at once in the browser (the page's Gauss–Krüger formula),
      // both bases from the server when the outline is closed
      var m2 = ZP.areaM2 ? ZP.areaM2(S.drawn.map(function (c) { return L.latLng(c[1], c[0]); })) : 0;
      areaBox.textContent = "";
      areaBox.appendChild(el("div", "zpw-area-main", "面积 Area: " + fmt(m2 / MU, 2) + " 亩 mu (平面 planar, drawing)"));
    }
    function finishDrawing() {
      if (S.mode !== "draw") return;
      // a double-click adds its point twice
      var d = S.drawn;
      if (d.length > 1 && Math.abs(d[d.length - 1][0] - d[d.length - 2][0]) < 1e-9 && Math.abs(d[d.length - 1][1] - d[d.length - 2][1]) < 1e-9) d.pop();
      if (d.length < 3) { say("至少三个顶点 At least three vertices", "error"); return; }
      setMode(null);
      sketch.setLatLngs([]);
      preview().then(function () { if (S.preview && S.preview.geometry) adoptGeometry(S.preview.geometry); });
    }
    // the snapped outline becomes the editable one: drag a vertex handle to reshape it
    function adoptGeometry(g) {
      var ring = g.type === "Polygon" ? g.coordinates[0] : g.coordinates[0][0];
      S.parcels = [];
      S.drawn = ring.slice(0, ring.length - 1).map(function (c) { return [c[0], c[1]]; });
      drawHandles();
    }
    function drawHandles() {
      handles.clearLayers();
      S.drawn.forEach(function (c, i) {
        var h = L.marker([c[1], c[0]], { draggable: true, icon: L.divIcon({ className: "zpw-handle", iconSize: [10, 10] }) });
        h.on("dragend", function () {
          var ll = h.getLatLng();
          S.drawn[i] = [ll.lng, ll.lat];
          S.dirty = true;
          preview().then(function () { if (S.preview && S.preview.geometry) adoptGeometry(S.preview.geometry); });
        });
        handles.addLayer(h);
      });
    }
    function editPhase(f) {
      reset();
      S.phaseId = f.properties.phase_id;
      setAttributes(f.properties);
      bDelete.style.display = "";
      hint.textContent = "修改分期 Reshaping " + S.phaseId + ": drag the vertices, or compose it anew by parcels.";
      adoptGeometry(f.geometry);
      preview();
    }
    function reset() {
      setMode(null);
      S.parcels = []; S.drawn = []; S.phaseId = null; S.preview = null; S.dirty = false;
      candidate.clearLayers(); conflicts.clearLayers(); handles.clearLayers(); sketch.setLatLngs([]);
      areaBox.textContent = ""; rulesBox.textContent = "";
      Object.keys(inputs).forEach(function (k) { if (inputs[k].input && inputs[k].input.tagName !== "SELECT") inputs[k].input.value = ""; });
      showErrors({});
      bDelete.style.display = "none";
      document.body.removeAttribute("data-zpw-parcels");
    }
    function afterWrite(r, okText) {
      if (r.status === 200) {
        var keep = r.data;
        reset();
        return load().then(function () { say(okText(keep), "ok"); });
      }
      if (r.data.errors) showErrors(r.data.errors);
      say((r.status === 409 ? "未保存 Not saved: " : "错误 Error: ") + r.data.error, r.status === 409 ? "stale" : "error");
    }
    function save() {
      var body = geometryBody();
      body.revision = S.revision;
      return api("POST", "/api/save", body).then(function (r) {
        return afterWrite(r, function (d) { return "已保存 Saved " + d.phase_id + " (" + fmt(d.area.planar_mu, 2) + " 亩 mu), revision " + d.revision; });
      });
    }
    function remove() {
      if (!S.phaseId) return;
      return api("POST", "/api/delete", { phase_id: S.phaseId, revision: S.revision }).then(function (r) {
        return afterWrite(r, function (d) { return "已删除 Deleted " + d.deleted; });
      });
    }
    function undo() {
      return api("POST", "/api/undo", { revision: S.revision }).then(function (r) {
        return afterWrite(r, function () { return "已撤销上次保存 Last save undone"; });
      });
    }
    ZPW.setMode = setMode;
    ZPW.save = save;
    ZPW.preview = preview;
    ZPW.reload = load;

    bFinish.style.display = "none";
    bDelete.style.display = "none";
    load().then(function () {
      document.body.setAttribute("data-zpw-ready", "1");
      setTimeout(poll, S.pollMs || 3000);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
