/* Planning workbench maps: the scenario page (tap to add, move, close or resize a facility; the
   coverage redraws from the API at once) and the siting result (chosen sites). */
(function () {
  "use strict";
  var node = document.getElementById("planning-config");
  var mapNode = document.getElementById("pl-map");
  if (!node || !mapNode || typeof L === "undefined") return;
  var config = JSON.parse(node.textContent);
  var S = config.strings || {};

  function fmt(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (_, key) { return values[key] === undefined ? "" : values[key]; });
  }
  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }
  function request(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken") },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.detail || response.statusText);
        return data;
      });
    });
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  var map = L.map(mapNode, { zoomSnap: 0.25, tapTolerance: 15, scrollWheelZoom: false });
  map.setView([31.235, 121.445], 15);
  var bounds = null;
  request("GET", config.api.network).then(function (fc) {
    var layer = L.geoJSON(fc, { interactive: false, style: { color: "#9a8f80", weight: 2, opacity: 0.8 } }).addTo(map);
    if (window.LifecircleStreetNames) window.LifecircleStreetNames.add(map, fc); // directory/street-names.js
    bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
  }).catch(function () {});
  request("GET", config.api.boundary).then(function (fc) {
    L.geoJSON(fc, { interactive: false, style: { color: "#b8322a", weight: 3, fill: false } }).addTo(map);
  }).catch(function () {});
  request("GET", config.api.grids).then(function (fc) {
    L.geoJSON(fc, { interactive: false, style: { color: "#555", weight: 1, dashArray: "4 4", fill: false } }).addTo(map);
  }).catch(function () {});

  // ------------------------------------------------------------------ siting result
  if (config.sites !== undefined) {
    config.sites.forEach(function (site, i) {
      L.marker([site.lat, site.lon], { title: fmt(S.site, { n: i + 1 }) }).addTo(map).bindTooltip(el("span", {}, fmt(S.site, { n: i + 1 })));
    });
    var textarea = document.querySelector("textarea[name=points]");
    if (textarea) {
      map.on("click", function (e) {
        var radio = document.querySelector("input[name=candidates][value=points]");
        if (radio) radio.checked = true;
        textarea.value = (textarea.value.trim() ? textarea.value.trim() + "\n" : "") +
          e.latlng.lng.toFixed(6) + ", " + e.latlng.lat.toFixed(6);
        L.circleMarker(e.latlng, { radius: 6, color: "#7b3fbf" }).addTo(map);
      });
    }
    return;
  }

  // ------------------------------------------------------------------ scenario page
  var base = config.api.planning + "scenarios/" + config.scenario;
  var status = document.getElementById("pl-status");
  var compoundLayer = L.layerGroup().addTo(map);
  var facilityLayer = L.layerGroup().addTo(map);
  var moving = null;

  function say(text, error) {
    status.textContent = text;
    status.classList.toggle("is-error", !!error);
  }
  function drawCompounds(list) {
    compoundLayer.clearLayers();
    list.forEach(function (c) {
      var marker = L.circleMarker([c.lat, c.lon], {
        radius: 8, weight: 2, color: "#333", fillOpacity: 0.9, fillColor: c.covered ? "#2e8b57" : "#d9534f"
      });
      var where = c.nearest_m === null ? S.noneReachable : fmt(S.nearest, { m: Math.round(c.nearest_m) });
      marker.bindTooltip(el("span", {}, c.name + " · " + (c.covered ? S.covered : S.notCovered) + " · " + where));
      marker.addTo(compoundLayer);
    });
  }
  function facilityPopup(f) {
    var box = el("div", { "class": "pl-popup" });
    box.appendChild(el("strong", {}, f.name + (f.active ? "" : " (" + S.closed + ")")));
    var toggle = el("button", { type: "button" }, f.active ? S.close : S.reopen);
    toggle.addEventListener("click", function () { change(f.code, { active: !f.active }); });
    var move = el("button", { type: "button" }, S.move);
    move.addEventListener("click", function () { moving = f.code; map.closePopup(); say(S.pickNewPlace); });
    var cap = el("input", { type: "number", min: "0", inputmode: "numeric", "aria-label": S.capacity, value: f.capacity === null ? "" : f.capacity });
    var resize = el("button", { type: "button" }, S.resize);
    resize.addEventListener("click", function () { change(f.code, { capacity: cap.value === "" ? null : parseInt(cap.value, 10) }); });
    [toggle, move, cap, resize].forEach(function (e) { box.appendChild(e); });
    return box;
  }
  function drawFacilities(list) {
    facilityLayer.clearLayers();
    list.filter(function (f) { return f.categories.indexOf(config.category) >= 0; }).forEach(function (f) {
      var colour = !f.active ? "#999" : (f.origin === "copied" ? "#1f5fbf" : "#7b3fbf");
      var marker = L.marker([f.lat, f.lon], {
        title: f.name, keyboard: true,
        icon: L.divIcon({ className: "", iconSize: [22, 22], html: '<span style="display:block;width:22px;height:22px;border-radius:4px;border:3px solid #222;background:' + (f.active ? colour : "#fff") + '"></span>' })
      });
      marker.bindPopup(function () { return facilityPopup(f); });
      marker.addTo(facilityLayer);
    });
  }
  function reload() {
    return Promise.all([
      request("GET", base + "/compounds?category=" + encodeURIComponent(config.category)).then(drawCompounds),
      request("GET", base).then(function (detail) {
        drawFacilities(detail.facility_list.map(function (f) {
          return { code: f.code, name: f.name, lon: f.lon, lat: f.lat, active: f.active, capacity: f.capacity,
                   origin: f.origin, categories: [f.category].concat(f.services) };
        }));
      })
    ]);
  }
  function updateTable(rows) {
    rows.filter(function (r) { return r.category === config.category; }).forEach(function (r) {
      var tr = document.querySelector('#pl-coverage-table tr[data-grid="' + (r.grid === null ? "all" : r.grid || "none") + '"]');
      if (!tr) return;
      ["population", "aged_60_plus", "aged_0_3"].forEach(function (key) {
        var cell = tr.querySelector('td[data-weight="' + key + '"] [data-testid=share-now]');
        var share = r[key + "_share"];
        if (cell) cell.textContent = share === null ? "—" : Math.floor(share * 100 + 0.5) + "%";
      });
    });
  }
  function done(result) {
    var ms = Math.round(result.change.seconds * 1000);
    var names = {};
    (config.categories || []).forEach(function (c) { names[c.slug] = c.name; });
    var touched = result.change.categories.map(function (slug) { return names[slug] || slug; });
    say(fmt(S.updated, { ms: ms, categories: touched.join(S.listSeparator || ", ") || "—" }));
    updateTable(result.coverage);
    return Promise.all([reload(), request("GET", base + "/coverage").then(function (c) { updatePlan(c.plan); })]);
  }
  // The plan check follows every change: each grid's line says met (✓) or not (✗) at once.
  function updatePlan(plan) {
    plan.forEach(function (p) {
      var li = document.querySelector('[data-testid=plan] li[data-grid="' + p.grid + '"]');
      if (!li) return;
      li.className = p.met ? "is-met" : "is-failing";
      li.setAttribute("data-met", p.met ? "true" : "false");
      li.textContent = (p.met ? "✓ " : "✗ ") + (p.grid_name || p.grid);
    });
  }
  function fail(error) { say(fmt(S.failed, { reason: error.message }), true); }
  function change(code, body) {
    map.closePopup();
    say(S.working);
    request("PATCH", base + "/facilities/" + encodeURIComponent(code), body).then(done).catch(fail);
  }

  map.on("click", function (e) {
    if (moving) {
      var code = moving;
      moving = null;
      change(code, { lon: e.latlng.lng, lat: e.latlng.lat });
      return;
    }
    var box = el("form", { "class": "pl-popup" });
    box.appendChild(el("strong", {}, S.addHere));
    var name = el("input", { "aria-label": S.name, placeholder: S.name, maxlength: "200" });
    var cap = el("input", { type: "number", min: "0", inputmode: "numeric", "aria-label": S.capacity, placeholder: S.capacity });
    var add = el("button", { type: "submit" }, S.add);
    [name, cap, add].forEach(function (x) { box.appendChild(x); });
    box.addEventListener("submit", function (event) {
      event.preventDefault();
      map.closePopup();
      say(S.working);
      request("POST", base + "/facilities", {
        category: config.category, lon: e.latlng.lng, lat: e.latlng.lat, name: name.value,
        capacity: cap.value === "" ? null : parseInt(cap.value, 10)
      }).then(done).catch(fail);
    });
    L.popup().setLatLng(e.latlng).setContent(box).openOn(map);
  });

  drawCompounds(config.compounds);
  drawFacilities(config.facilities);
})();
