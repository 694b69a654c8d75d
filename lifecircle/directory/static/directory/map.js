/* The map of happiness (幸福地图): facilities and places on a Leaflet map over the walking network.
 *
 * Plain script, no build step. Every piece of text comes from the page (#map-config, written by
 * Django with json_script), so the same script serves every language.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("map-config").textContent);
  var S = config.strings;
  var english = config.lang.indexOf("en") === 0;
  // Where the map opens until its layers arrive: the middle of the sub-district, from its data.
  // A sub-district with no boundary and no facilities has no middle; the world view waits for data.
  var START = config.center ? { center: config.center, zoom: 15 } : { center: [0, 0], zoom: 12 };
  var wide = window.matchMedia("(min-width: 900px)");

  var page = document.getElementById("map-page");
  var statusLine = document.getElementById("map-status");
  var detail = document.getElementById("detail");
  var detailBody = document.getElementById("detail-body");
  var openNowBox = document.getElementById("open-now");
  var legendToggle = document.getElementById("legend-toggle");

  var categories = {}; // slug -> {name, name_en, color}
  var places = []; // {marker, props, type: "facility" | "poi", filter: category slug or poi kind}
  var selected = null;
  var lastFocus = null;

  // ---- small helpers ---------------------------------------------------------------------------

  function local(props, field) {
    var en = props[field + "_en"];
    return english && en ? en : props[field] || "";
  }

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text || "";
    return div.innerHTML;
  }

  function safeColor(color) {
    return /^#[0-9a-fA-F]{3,8}$/.test(color || "") ? color : "#3366cc";
  }

  /* el("p", {className: "x"}, "text", child, ...): a DOM element; strings become text, never HTML. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "className") node.className = attrs[key];
      else if (key === "style") node.setAttribute("style", attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === "") continue;
      node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function fetchJson(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  function categoryName(slug) {
    var category = categories[slug];
    return category ? local(category, "name") : slug;
  }

  /* "Mo-Fr 08:30-17:00; Sa 09:00-12:00" -> ["Mon–Fri 08:30–17:00", "Sat 09:00–12:00"] */
  function formatHours(text) {
    text = (text || "").trim();
    if (!text) return [];
    if (text === "24/7") return [S.allDay];
    var day = function (code) { return config.weekdays[code] || code; };
    return text.split(";").map(function (rule) { return rule.trim(); }).filter(Boolean).map(function (rule) {
      var match = rule.match(/^((?:Mo|Tu|We|Th|Fr|Sa|Su)[A-Za-z,\-]*)\s+(.+)$/);
      var days = match ? match[1] : "";
      var times = match ? match[2].trim() : rule;
      var dayText = days.split(",").filter(Boolean).map(function (part) {
        var ends = part.split("-");
        return ends.length === 2 ? fmt(S.dayRange, { first: day(ends[0]), last: day(ends[1]) }) : day(ends[0]);
      }).join(english ? ", " : "、");
      var timeText = times === "off" ? S.closed : times.split(",").map(function (span) {
        return span.trim().replace("-", "–");
      }).join(english ? ", " : "，");
      return dayText ? dayText + " " + timeText : timeText;
    });
  }

  // ---- the map ----------------------------------------------------------------------------------

  var map = L.map("map", { minZoom: 12, maxZoom: 19, zoomSnap: 0.5, tapTolerance: 20 });
  map.attributionControl.setPosition("bottomleft"); // the detail panel covers the right side
  map.setView(START.center, START.zoom);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.createPane("network").style.zIndex = 250; // under the areas (overlayPane is 400) and the markers
  map.createPane("areas").style.zIndex = 350;
  map.createPane("labels").style.zIndex = 450; // grid names stay under the markers (600)
  map.getPane("labels").style.pointerEvents = "none";

  // Zoomed out, the marks shrink (their touch targets stay 44 px) and the grid names go.
  function markZoom() { map.getContainer().classList.toggle("lc-zoom-far", map.getZoom() < 15.5); }
  map.on("zoomend", markZoom);

  if (config.tiles.url) {
    L.tileLayer(config.tiles.url, { maxZoom: 19, attribution: escapeHtml(config.tiles.attribution) }).addTo(map);
    page.classList.add("has-tiles");
  }

  if (window.ResizeObserver) {
    new ResizeObserver(function () { map.invalidateSize(); }).observe(document.getElementById("map"));
  }

  var facilityLayer = L.layerGroup().addTo(map);
  var poiLayer = L.layerGroup().addTo(map);

  function networkStyle(feature) {
    var highway = (feature.properties || {}).highway || "";
    var major = /^(primary|secondary|tertiary|trunk)/.test(highway);
    var path = /^(footway|path|pedestrian|steps|living_street)$/.test(highway);
    return {
      pane: "network", className: "lc-network", interactive: false,
      color: major ? "#c5bcad" : "#d3cbbd", weight: major ? 5 : path ? 2 : 3, opacity: 1,
      dashArray: highway === "steps" ? "2 3" : null, lineCap: "round", lineJoin: "round",
    };
  }

  function drawNetwork(collection) {
    var attribution = collection.attribution ? escapeHtml(collection.attribution) : "";
    L.geoJSON(collection, { style: networkStyle, attribution: attribution }).addTo(map);
    if (window.LifecircleStreetNames) window.LifecircleStreetNames.add(map, collection); // street-names.js
    if (collection.attribution) {
      document.getElementById("network-attribution").textContent = collection.attribution;
      document.querySelector("[data-testid=footer-attribution]").hidden = false;
    }
  }

  // The signed-in resident's home (their compound): a house mark with a label, under the markers.
  function drawHome(home) {
    var icon = L.divIcon({
      className: "lc-home", iconSize: [30, 30], iconAnchor: [15, 15],
      html: el("span", { className: "lc-home-mark", "aria-hidden": "true" }, "\u2302"),
    });
    var marker = L.marker([home.lat, home.lon], { icon: icon, keyboard: false, interactive: false, zIndexOffset: -500 });
    marker.addTo(map).bindTooltip(el("span", { "data-testid": "map-home" }, fmt(S.myHome, { compound: home.name })), {
      permanent: true, direction: "top", offset: [0, -14], className: "lc-home-label",
    });
  }
  if (config.home) drawHome(config.home);

  function drawBoundary(collection) {
    return L.geoJSON(collection, {
      pane: "areas", interactive: false,
      style: { className: "lc-boundary", color: "#b8322a", weight: 3, opacity: 0.8, fill: false },
    }).addTo(map);
  }

  function drawGrids(collection) {
    L.geoJSON(collection, {
      pane: "areas", interactive: false,
      style: { className: "lc-grid", color: "#7a5a2a", weight: 2.5, opacity: 0.8, dashArray: "8 6", fill: false },
      onEachFeature: function (feature, layer) {
        var name = local(feature.properties || {}, "name");
        if (name) layer.bindTooltip(el("span", {}, name), { permanent: true, direction: "center", className: "grid-label", pane: "labels" });
      },
    }).addTo(map);
  }

  function addMarker(feature, type) {
    var props = feature.properties;
    var coords = feature.geometry && feature.geometry.coordinates;
    if (!coords) return;
    var filterKey = type === "facility" ? props.category : props.kind;
    var color = type === "facility"
      ? safeColor((categories[filterKey] || {}).color)
      : safeColor(config.poiKindColors[filterKey]);
    var kindName = type === "facility" ? categoryName(filterKey) : config.poiKinds[filterKey] || filterKey;
    var label = fmt(S.facilityLabel, { name: local(props, "name"), category: kindName });
    // A facility's marker carries its category's symbol from the legend (colour is not enough alone).
    var swatch = type === "facility" && document.querySelector('[data-category="' + filterKey + '"] ~ .swatch[data-symbol]');
    var symbol = swatch ? swatch.getAttribute("data-symbol") : "";
    var icon = L.divIcon({
      className: "lc-marker " + (type === "facility" ? "lc-facility cat-" : "lc-poi kind-") + filterKey,
      html: '<span class="pin" style="--c:' + color + '">' + escapeHtml(symbol) + "</span>",
      iconSize: [44, 44], iconAnchor: [22, 22],
    });
    var marker = L.marker([coords[1], coords[0]], { icon: icon, title: label, riseOnHover: true, keyboard: true });
    var entry = { marker: marker, props: props, type: type, filter: filterKey };
    wireMarker(entry, label, { "data-code": props.code, "data-testid": type === "facility" ? "facility-marker" : "poi-marker" });
    places.push(entry);
  }

  /* Label, test id and data attributes once the marker is on the map; click, Enter or Space opens it. */
  function wireMarker(entry, label, attrs) {
    var marker = entry.marker;
    marker.on("add", function () {
      var node = marker.getElement();
      node.setAttribute("aria-label", label);
      Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
      if (selected === entry) node.classList.add("is-selected");
    });
    marker.on("click", function () { openDetail(entry); });
    marker.on("keypress", function (event) {
      var key = event.originalEvent.key;
      if (key === " " || key === "Spacebar") event.originalEvent.preventDefault();
      if (key === "Enter" || key === " " || key === "Spacebar") openDetail(entry);
    });
  }

  // ---- filters ----------------------------------------------------------------------------------

  function ticked(selector) {
    var result = {};
    document.querySelectorAll(selector).forEach(function (box) {
      result[box.getAttribute(selector.slice(1, -1))] = box.checked;
    });
    return result;
  }

  function applyFilters() {
    var showCategory = ticked("[data-category]");
    var showKind = ticked("[data-poi-kind]");
    var openOnly = openNowBox.checked;
    var shown = 0;
    places.forEach(function (entry) {
      var wanted = entry.type === "facility" ? showCategory[entry.filter] : showKind[entry.filter];
      var visible = wanted !== false && (!openOnly || entry.props.open_now);
      var layer = entry.type === "facility" ? facilityLayer : poiLayer;
      if (visible && !layer.hasLayer(entry.marker)) layer.addLayer(entry.marker);
      if (!visible && layer.hasLayer(entry.marker)) layer.removeLayer(entry.marker);
      if (visible) shown += 1;
    });
    statusLine.textContent = fmt(S.shownCount, { n: shown });
    statusLine.classList.remove("is-error");
  }

  document.querySelectorAll("[data-category], [data-poi-kind]").forEach(function (box) {
    box.addEventListener("change", applyFilters);
  });
  openNowBox.addEventListener("change", applyFilters);
  document.getElementById("show-all").addEventListener("click", function () {
    document.querySelectorAll("[data-category], [data-poi-kind]").forEach(function (box) { box.checked = true; });
    openNowBox.checked = false;
    applyFilters();
  });

  // ---- community layers: residents' requests and proposals, off until ticked --------------------

  var community = {
    requests: { url: config.api.requests, layer: L.layerGroup(), data: null, markerFor: requestMarker },
    proposals: { url: config.api.proposals, layer: L.layerGroup(), data: null, markerFor: proposalMarker },
  };

  /* Several proposals often share a spot (a compound): fan them out around it, far enough apart that
     each 44 px target can be pressed, the same number of pixels at every zoom. */
  function fanOut(features) {
    var groups = {};
    features.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var key = c[0].toFixed(6) + "," + c[1].toFixed(6);
      (groups[key] = groups[key] || []).push(feature);
    });
    var shifts = new Map();
    Object.keys(groups).forEach(function (key) {
      var group = groups[key];
      var n = group.length;
      var radius = n < 2 ? 0 : Math.max(22, 22 / Math.sin(Math.PI / n));
      group.forEach(function (feature, i) {
        var angle = -Math.PI / 2 + (2 * Math.PI * i) / n;
        shifts.set(feature, [Math.round(radius * Math.cos(angle)), Math.round(radius * Math.sin(angle))]);
      });
    });
    return shifts;
  }

  function communityIcon(className, state, shift) {
    shift = shift || [0, 0];
    return L.divIcon({
      className: "lc-marker lc-community " + className + " is-" + state,
      html: '<span class="pin"></span>', iconSize: [44, 44], iconAnchor: [22 - shift[0], 22 - shift[1]],
    });
  }

  function requestMarker(feature, shift) {
    var p = feature.properties;
    var closed = p.status === "closed";
    var label = fmt(S.requestLabel, { service: p.service_name, status: closed ? S.requestClosed : S.requestOpen });
    var coords = feature.geometry.coordinates;
    var marker = L.marker([coords[1], coords[0]], { icon: communityIcon("lc-request", closed ? "closed" : "open", shift), title: label, riseOnHover: true, keyboard: true });
    var entry = { marker: marker, props: p, type: "request" };
    wireMarker(entry, label, { "data-id": p.service_request_id, "data-status": p.status, "data-testid": "request-marker" });
    return marker;
  }

  function proposalMarker(feature, shift) {
    var p = feature.properties;
    var status = config.proposalStatuses[p.status] || p.status;
    var label = fmt(S.proposalLabel, { title: p.title, status: status });
    var coords = feature.geometry.coordinates;
    var marker = L.marker([coords[1], coords[0]], { icon: communityIcon("lc-proposal", p.status === "open" ? "open" : "decided", shift), title: label, riseOnHover: true, keyboard: true });
    var entry = { marker: marker, props: p, type: "proposal" };
    wireMarker(entry, label, { "data-id": String(p.id), "data-status": p.status, "data-testid": "proposal-marker" });
    return marker;
  }

  /* Fetched the first time its box is ticked; a failed fetch unticks the box so a later tick tries again. */
  function showCommunity(box) {
    var source = community[box.getAttribute("data-layer")];
    if (!source) return;
    if (!box.checked) {
      map.removeLayer(source.layer);
      if (selected && selected.marker && source.layer.hasLayer(selected.marker)) closeDetail(false);
      return;
    }
    if (source.data) {
      source.layer.addTo(map);
      return;
    }
    if (source.loading) return;
    source.loading = true;
    box.setAttribute("aria-busy", "true");
    fetchJson(source.url)
      .then(function (collection) {
        source.data = collection;
        var features = (collection.features || []).filter(function (feature) {
          return feature.geometry && feature.geometry.coordinates;
        });
        var shifts = fanOut(features);
        features.forEach(function (feature) { source.layer.addLayer(source.markerFor(feature, shifts.get(feature))); });
        if (box.checked) source.layer.addTo(map);
      })
      .catch(function (error) {
        box.checked = false;
        fail(error);
      })
      .then(function () {
        source.loading = false;
        box.removeAttribute("aria-busy");
      });
  }

  document.querySelectorAll("[data-layer]").forEach(function (box) {
    box.checked = false; // off by default, whatever the browser restored
    box.addEventListener("change", function () { showCommunity(box); });
  });

  // ---- the legend on a phone: a panel that opens over the map -----------------------------------

  function setLegendOpen(open) {
    page.classList.toggle("legend-open", open);
    legendToggle.setAttribute("aria-expanded", String(open));
    if (open) {
      closeDetail(false);
      document.getElementById("legend-title").focus();
    }
  }

  document.getElementById("legend-title").setAttribute("tabindex", "-1");
  legendToggle.addEventListener("click", function () { setLegendOpen(!page.classList.contains("legend-open")); });
  document.getElementById("legend-close").addEventListener("click", function () {
    setLegendOpen(false);
    legendToggle.focus();
  });

  // ---- the detail panel -------------------------------------------------------------------------

  function openState(props) {
    if (!(props.opening_hours || "").trim()) return el("p", { className: "open-state is-unknown", "data-testid": "open-state" }, S.hoursUnknown);
    return props.open_now
      ? el("p", { className: "open-state is-open", "data-testid": "open-state", "data-open": "true" }, S.openNow)
      : el("p", { className: "open-state is-closed", "data-testid": "open-state", "data-open": "false" },
        props.opens_next ? S.closedNow + " · " + fmt(S.opensNext, { when: whenText(props.opens_next) }) : S.closedNow);
  }

  // "2026-12-07T08:00" (the site's local time) as "today 08:00", "tomorrow 08:00" or "Mon 08:00".
  function whenText(local) {
    var day = local.slice(0, 10), time = local.slice(11, 16);
    var today = new Intl.DateTimeFormat("en-CA", { timeZone: config.timeZone }).format(new Date());
    var tomorrow = new Intl.DateTimeFormat("en-CA", { timeZone: config.timeZone }).format(new Date(Date.now() + 864e5));
    if (day === today) return fmt(S.todayAt, { time: time });
    if (day === tomorrow) return fmt(S.tomorrowAt, { time: time });
    var code = ["Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"][new Date(day + "T12:00:00Z").getUTCDay()];
    return (config.weekdays[code] || code) + " " + time;
  }

  function row(list, term, value, testid) {
    if (value === null || value === undefined || value === "" || (value.length === 0 && typeof value !== "string")) return;
    var dd = el("dd", testid ? { "data-testid": testid } : {});
    if (typeof value === "string") dd.textContent = value;
    else dd.appendChild(value);
    list.appendChild(el("dt", {}, term));
    list.appendChild(dd);
  }

  function lines(items, className) {
    if (!items.length) return null;
    var ul = el("ul", { className: className || "plain" });
    items.forEach(function (item) { ul.appendChild(el("li", {}, item)); });
    return ul;
  }

  function roomLine(room) {
    var bits = [config.roomKinds[room.kind] || room.kind];
    if (room.capacity) bits.push(fmt(S.roomCapacity, { n: room.capacity }));
    if (room.floor) bits.push(fmt(S.floor, { floor: room.floor }));
    var li = el("li", { "data-room": room.code }, el("strong", {}, local(room, "name")), el("span", { className: "room-meta" }, bits.join(" · ")));
    if (room.bookable) li.appendChild(el("span", { className: "tag" }, S.bookable));
    return li;
  }

  function dateText(iso) {
    if (!iso) return "";
    try {
      return new Date(iso).toLocaleDateString(config.lang, { year: "numeric", month: "long", day: "numeric", timeZone: config.timeZone });
    } catch (error) {
      return iso.slice(0, 10);
    }
  }

  function showDetail(body, type, id) {
    detailBody.replaceChildren(body);
    detail.removeAttribute("data-code");
    detail.setAttribute("data-type", type);
    detail.setAttribute("data-id", id);
  }

  function renderRequest(p) {
    var closed = p.status === "closed";
    var body = document.createDocumentFragment();
    body.appendChild(el("h2", { id: "detail-title", "data-testid": "detail-title", tabindex: "-1" }, p.service_name));
    body.appendChild(el("p", { className: "detail-kind" },
      el("span", { className: "swatch swatch-request", "aria-hidden": "true" }), S.request));
    body.appendChild(el("p", { className: "open-state " + (closed ? "is-closed" : "is-open"), "data-testid": "request-status", "data-status": p.status },
      closed ? S.requestClosed : S.requestOpen));
    var list = el("dl", { className: "facts" });
    if (p.detailed_status && p.detailed_status !== p.status) {
      row(list, S.requestState, config.requestStates[p.detailed_status] || p.detailed_status, "request-state");
    }
    row(list, S.requested, dateText(p.requested_datetime), "requested");
    if (dateText(p.updated_datetime) !== dateText(p.requested_datetime)) row(list, S.updated, dateText(p.updated_datetime), "updated");
    row(list, S.handledBy, p.agency_responsible, "handled-by");
    body.appendChild(list);
    if (/^\/[^\/]/.test(p.url || "")) { // a page of this site, never a link the data could point elsewhere
      body.appendChild(el("p", { className: "detail-link" }, el("a", { href: p.url, "data-testid": "request-link" }, S.requestLink)));
    }
    body.appendChild(el("p", { className: "detail-note" }, S.requestPrivacy));
    showDetail(body, "request", p.service_request_id);
  }

  function renderProposal(p) {
    var body = document.createDocumentFragment();
    if (p.illustrative) {
      body.appendChild(el("p", { className: "badge badge-illustrative", "data-testid": "illustrative-badge", title: S.illustrativeHint }, S.illustrative));
    }
    body.appendChild(el("h2", { id: "detail-title", "data-testid": "detail-title", tabindex: "-1" }, p.title));
    body.appendChild(el("p", { className: "detail-kind" },
      el("span", { className: "swatch swatch-proposal", "aria-hidden": "true" }), p.kind === "topic" ? S.topic : S.proposal));
    body.appendChild(el("p", { className: "open-state proposal-status is-" + p.status, "data-testid": "proposal-status", "data-status": p.status },
      config.proposalStatuses[p.status] || p.status));
    var list = el("dl", { className: "facts" });
    row(list, S.process, local(p, "process_title"), "process");
    row(list, S.supports, String(p.supports || 0), "supports");
    row(list, S.comments, String(p.comments || 0), "comments");
    body.appendChild(list);
    if (/^\/[^\/]/.test(p.url || "")) {
      body.appendChild(el("p", { className: "detail-link" }, el("a", { href: p.url, "data-testid": "proposal-link" }, S.proposalLink)));
    }
    showDetail(body, "proposal", String(p.id));
  }

  function renderDetail(entry) {
    if (entry.type === "request") return renderRequest(entry.props);
    if (entry.type === "proposal") return renderProposal(entry.props);
    var p = entry.props;
    var isFacility = entry.type === "facility";
    var color = isFacility ? safeColor((categories[p.category] || {}).color) : safeColor(config.poiKindColors[p.kind]);
    var kindName = isFacility ? categoryName(p.category) : config.poiKinds[p.kind] || p.kind;
    var body = document.createDocumentFragment();

    if (p.illustrative) {
      body.appendChild(el("p", { className: "badge badge-illustrative", "data-testid": "illustrative-badge", title: S.illustrativeHint }, S.illustrative));
    }
    body.appendChild(el("h2", { id: "detail-title", "data-testid": "detail-title", tabindex: "-1" }, local(p, "name")));
    body.appendChild(el("p", { className: "detail-kind" },
      el("span", { className: "swatch " + (isFacility ? "swatch-facility" : "swatch-poi"), style: "--c:" + color, "aria-hidden": "true" }),
      el("span", { className: "visually-hidden" }, (isFacility ? S.category : S.kind) + ": "), kindName));
    body.appendChild(openState(p));

    var list = el("dl", { className: "facts" });
    row(list, S.hours, lines(formatHours(p.opening_hours)), "hours");
    if (isFacility) {
      var services = (p.categories || [p.category]).map(categoryName);
      if (services.length > 1) row(list, S.services, lines(services, "chips"), "services");
      if (p.capacity) row(list, S.capacity, p.capacity + " " + (config.capacityUnits[p.capacity_unit] || p.capacity_unit || ""), "capacity");
      if ((p.rooms || []).length) {
        var rooms = el("ul", { className: "rooms" });
        p.rooms.forEach(function (room) { rooms.appendChild(roomLine(room)); });
        row(list, S.rooms, rooms, "rooms");
      }
    } else {
      row(list, S.heritage, p.heritage_designation, "heritage");
    }
    row(list, S.address, local(p, "address"), "address");
    if (p.phone) row(list, S.phone, el("a", { href: "tel:" + p.phone.replace(/[^\d+]/g, "") }, p.phone), "phone");
    if (isFacility) row(list, S.operator, p.operator, "operator");
    if (/^https?:\/\//.test(p.website || "")) {
      row(list, S.website, el("a", { href: p.website, rel: "noopener", target: "_blank" }, p.website.replace(/^https?:\/\/(www\.)?/, "").replace(/\/$/, "")), "website");
    }
    body.appendChild(list);

    var description = local(p, "description");
    if (description) body.appendChild(el("p", { className: "detail-description" }, description));
    detailBody.replaceChildren(body);
    detail.setAttribute("data-code", p.code);
    detail.setAttribute("data-type", entry.type);
    detail.removeAttribute("data-id");
  }

  function markSelected(entry) {
    if (selected && selected.marker.getElement()) selected.marker.getElement().classList.remove("is-selected");
    selected = entry;
    if (entry && entry.marker.getElement()) entry.marker.getElement().classList.add("is-selected");
  }

  function openDetail(entry, fromReach) {
    lastFocus = fromReach ? null : entry.marker.getElement();
    if (!wide.matches) setLegendOpen(false);
    renderDetail(entry);
    if (reach) {
      var back = el("button", { type: "button", className: "reach-back", "data-testid": "reach-back" }, S.backToReach);
      back.addEventListener("click", function () { openReach(true); });
      detailBody.insertBefore(back, detailBody.firstChild);
    }
    detailMode = "facility";
    markSelected(entry);
    detail.hidden = false;
    page.classList.add("detail-open");
    detail.scrollTop = 0;
    // Keep the chosen place in sight: the panel covers the right side (wide) or the bottom (phone).
    var size = map.getSize();
    var cover = wide.matches ? [detail.offsetWidth + 80, 40] : [40, Math.min(detail.offsetHeight, size.y * 0.62) + 48];
    map.panInside(entry.marker.getLatLng(), { paddingTopLeft: [24, 24], paddingBottomRight: cover });
    document.getElementById("detail-title").focus({ preventScroll: true });
  }

  function closeDetail(restoreFocus) {
    if (detail.hidden) return;
    detail.hidden = true;
    detailMode = null;
    detail.removeAttribute("data-mode");
    page.classList.remove("detail-open");
    markSelected(null);
    if (restoreFocus !== false && lastFocus && document.body.contains(lastFocus)) lastFocus.focus();
  }

  document.getElementById("detail-close").addEventListener("click", function () {
    var wasReach = detailMode === "reach";
    closeDetail();
    // The walking areas stay on the map; their pin reopens the list.
    if (wasReach && reach && reach.pin.getElement()) reach.pin.getElement().focus({ preventScroll: true });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    if (page.classList.contains("legend-open")) {
      setLegendOpen(false);
      legendToggle.focus();
    } else if (!detail.hidden && detailMode === "facility" && reach) openReach(true); // back to the walking areas
    else if (reach) clearReach(); // Escape clears the walking areas, and their panel with them
    else if (!detail.hidden) closeDetail();
  });

  // ---- walking areas: a click on the map shows what is within a 5, 10 and 15-minute walk --------

  var TIERS = [5, 10, 15];
  // Largest underneath; each its own hue, translucent so the streets and markers show through.
  var TIER_STYLE = {
    15: { color: "#2d63a6", fillColor: "#4f86c6", fillOpacity: 0.14, weight: 2 },
    10: { color: "#23804d", fillColor: "#3fae6f", fillOpacity: 0.2, weight: 2 },
    5: { color: "#b5460c", fillColor: "#f08b3a", fillOpacity: 0.3, weight: 2.5 },
  };
  var hint = document.getElementById("map-hint");
  var reach = null; // {latlng, pin, layer, data, status: "loading" | "ready" | "far" | "failed"}
  var reachSeq = 0;
  var reachControls = null; // the panel's fixed parts, kept while the elderly toggle refetches
  var detailMode = null; // what the detail panel shows: "facility" or "reach"
  var elderly = false;
  var barrierFree = false; // wheelchair or pram: the barrier-free walking profile (wins over elderly)
  var departAt = ""; // "HH:MM" chosen in the panel; empty = now
  map.createPane("isochrones").style.zIndex = 300; // over the streets, under the grid lines and markers

  // Beside the zoom buttons on a wide screen; on a phone, low down, where the sheet (whose tier
  // counts carry the same colours) covers it while open.
  // One rule everywhere: a place's tier is the standard's distance band it falls in ("15-min circle
  // · ≤800 m"); its minutes are its own walk at the profile's speed. Both are shown, never mixed.
  var tierDistances = {}; // tier minutes -> metres, from the walking areas drawn last
  function tierBand(minutes) {
    return tierDistances[minutes] === undefined ? fmt(S.tierLabel, { n: minutes })
      : fmt(S.tierBand, { n: minutes, m: Math.round(tierDistances[minutes]) });
  }
  var tierLegend = L.control({ position: wide.matches ? "topleft" : "bottomright" });
  tierLegend.onAdd = function () {
    var box = el("div", { className: "reach-legend", "data-testid": "isochrone-legend" }, el("strong", {}, S.tierHeading));
    TIERS.forEach(function (minutes) {
      box.appendChild(el("span", { className: "reach-legend-item", "data-tier": minutes },
        el("span", { className: "tier-swatch tier-" + minutes, "aria-hidden": "true" }), tierBand(minutes)));
    });
    return box;
  };

  function metresText(metres) { return fmt(S.metres, { m: Math.round(metres) }); }

  function reachUrl(latlng) {
    return config.api.isochrones + "?lon=" + latlng.lng.toFixed(6) + "&lat=" + latlng.lat.toFixed(6) +
      "&profile=" + (barrierFree ? "barrier-free" : elderly ? "elderly" : "standard") +
      (departAt ? "&at=" + encodeURIComponent(departAt) : "");
  }

  function removeAreas() {
    if (reach && reach.layer) map.removeLayer(reach.layer);
    if (reach) reach.layer = null;
    tierLegend.remove();
  }

  function clearReach() {
    if (!reach) return;
    reachSeq += 1; // an answer still on its way is dropped
    removeAreas();
    map.removeLayer(reach.pin);
    reach = null;
    if (detailMode === "reach" || !detail.hidden) closeDetail(false);
    map.getContainer().focus({ preventScroll: true });
  }

  function drawAreas(collection) {
    removeAreas();
    reach.layer = L.geoJSON(collection, {
      pane: "isochrones", interactive: false,
      style: function (feature) {
        var minutes = feature.properties.tier_minutes;
        var style = TIER_STYLE[minutes] || TIER_STYLE[15];
        return {
          className: "lc-isochrone tier-" + minutes, color: style.color, weight: style.weight, opacity: 0.85,
          fillColor: style.fillColor, fillOpacity: style.fillOpacity, lineJoin: "round",
        };
      },
    }).addTo(map);
    reach.layer.eachLayer(function (layer) {
      var node = layer.getElement && layer.getElement();
      if (!node) return;
      node.setAttribute("data-testid", "isochrone");
      node.setAttribute("data-tier", String(layer.feature.properties.tier_minutes));
      node.setAttribute("data-distance", String(layer.feature.properties.distance_m));
    });
    tierDistances = {};
    collection.features.forEach(function (f) { tierDistances[f.properties.tier_minutes] = f.properties.distance_m; });
    tierLegend.addTo(map);
    var bounds = reach.layer.getBounds();
    if (bounds.isValid()) {
      var cover = wide.matches ? [detail.offsetWidth + 40, 24] : [24, Math.min(detail.offsetHeight, map.getSize().y * 0.62) + 24];
      map.fitBounds(bounds, { paddingTopLeft: [24, 24], paddingBottomRight: cover, maxZoom: map.getZoom() });
    }
  }

  function placePin(latlng) {
    var icon = L.divIcon({ className: "lc-reach-pin", html: '<span class="pin"></span>', iconSize: [44, 44], iconAnchor: [22, 40] });
    var pin = L.marker(latlng, { icon: icon, title: S.reachPoint, keyboard: true, zIndexOffset: 1000 });
    pin.on("add", function () {
      var node = pin.getElement();
      node.setAttribute("data-testid", "isochrone-pin");
      node.setAttribute("aria-label", S.reachPoint);
      node.setAttribute("data-lon", latlng.lng.toFixed(6));
      node.setAttribute("data-lat", latlng.lat.toFixed(6));
    });
    pin.on("click", function () { openReach(true); });
    pin.on("keypress", function (event) {
      if (event.originalEvent.key === "Enter") openReach(true);
    });
    return pin.addTo(map);
  }

  function showReach(latlng) {
    if (reach) {
      removeAreas();
      map.removeLayer(reach.pin);
    }
    reach = { latlng: latlng, pin: placePin(latlng), layer: null, data: null, status: "loading" };
    hint.hidden = true;
    if (detailMode !== "reach" || detail.hidden) openReach(true);
    fetchReach();
  }

  function fetchReach() {
    var seq = ++reachSeq;
    var current = reach;
    current.status = "loading";
    current.data = null;
    renderReach();
    fetch(reachUrl(current.latlng), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { ok: response.ok, status: response.status, body: body };
        });
      })
      .then(function (answer) {
        if (seq !== reachSeq || reach !== current) return; // a newer click or a clear came first
        if (answer.ok && answer.body && answer.body.features) {
          current.status = "ready";
          current.data = answer.body;
          renderReach();
          drawAreas(answer.body);
        } else {
          current.status = answer.status === 422 ? "far" : "failed";
          current.detail = (answer.body && answer.body.detail) || "";
          removeAreas();
          renderReach();
        }
      })
      .catch(function (error) {
        if (seq !== reachSeq || reach !== current) return;
        current.status = "failed";
        removeAreas();
        renderReach();
        if (window.console) console.warn(error);
      });
  }

  /* The fixed part of the panel (title, elderly toggle, clear button); renderReach fills the rest. */
  function openReach(focusTitle) {
    if (!reach) return;
    if (!wide.matches) setLegendOpen(false);
    markSelected(null);
    var toggle = el("input", { type: "checkbox", id: "reach-elderly", "data-testid": "elderly-toggle" });
    toggle.checked = elderly;
    toggle.addEventListener("change", function () {
      elderly = toggle.checked;
      if (reach) fetchReach();
    });
    var wheels = el("input", { type: "checkbox", id: "reach-barrier-free", "data-testid": "barrier-free-toggle" });
    wheels.checked = barrierFree;
    wheels.addEventListener("change", function () {
      barrierFree = wheels.checked;
      if (reach) fetchReach();
    });
    var when = el("input", { type: "time", id: "reach-time", value: departAt, "data-testid": "reach-time" });
    when.addEventListener("change", function () {
      departAt = when.value;
      if (reach) fetchReach();
    });
    var clear = el("button", { type: "button", className: "button-secondary reach-clear", "data-testid": "isochrone-clear" }, S.clear);
    clear.addEventListener("click", clearReach);
    var results = el("div", { className: "reach-results", "data-testid": "reach-results" });
    var speeds = el("p", { className: "reach-speeds", "data-testid": "reach-distances" });
    var status = el("p", { className: "reach-status", role: "status", "aria-live": "polite" });
    detailBody.replaceChildren(
      el("h2", { id: "detail-title", "data-testid": "detail-title", tabindex: "-1" }, S.reachTitle),
      el("div", { className: "reach-tools" },
        el("label", { className: "switch", for: "reach-elderly" }, toggle,
          el("span", { className: "switch-track", "aria-hidden": "true" }), el("span", {}, S.elderlySpeed)),
        el("label", { className: "switch", for: "reach-barrier-free" }, wheels,
          el("span", { className: "switch-track", "aria-hidden": "true" }), el("span", {}, S.barrierFree)),
        el("label", { for: "reach-time" }, S.departAt, " ", when),
        clear),
      speeds, status, results);
    reachControls = { results: results, speeds: speeds, status: status };
    detail.setAttribute("data-mode", "reach");
    detail.removeAttribute("data-code");
    detail.removeAttribute("data-id");
    detail.setAttribute("data-type", "reach");
    detailMode = "reach";
    detail.hidden = false;
    page.classList.add("detail-open");
    detail.scrollTop = 0;
    renderReach();
    if (focusTitle) document.getElementById("detail-title").focus({ preventScroll: true });
  }

  function tierCounts(items) {
    return TIERS.map(function (minutes) {
      return items.filter(function (item) { return item.tier_minutes <= minutes; }).length;
    });
  }

  function reachItem(item) {
    var entry = null;
    places.forEach(function (candidate) {
      if (candidate.type === "facility" && candidate.props.code === item.code) entry = candidate;
    });
    var name = local(item, "name");
    var title = entry
      ? el("button", { type: "button", className: "reach-name", "aria-label": fmt(S.openDetails, { name: name }) }, name)
      : el("span", { className: "reach-name" }, name);
    if (entry) title.addEventListener("click", function () { openDetail(entry, true); });
    return el("li", {
      "data-testid": "reachable-item", "data-code": item.code, "data-tier": String(item.tier_minutes),
      "data-distance": String(item.distance_m), "data-minutes": String(item.minutes),
    },
    el("span", { className: "tier-badge tier-" + item.tier_minutes }, tierBand(item.tier_minutes)),
    title,
    el("span", { className: "reach-meta" }, metresText(item.distance_m) + " · " + fmt(S.walkMinutes, { n: item.minutes })));
  }

  function renderReach() {
    if (!reach || detailMode !== "reach" || !reachControls) return;
    var results = reachControls.results;
    var status = reachControls.status;
    status.className = "reach-status";
    status.removeAttribute("data-testid");
    results.replaceChildren();
    reachControls.speeds.textContent = "";
    if (reach.status === "loading") {
      status.textContent = S.reachLoading;
      status.classList.add("is-loading");
      return;
    }
    if (reach.status === "far" || reach.status === "failed") {
      status.textContent = reach.status === "far" ? S.reachTooFar : S.reachFailed;
      status.classList.add("is-error");
      status.setAttribute("data-testid", "isochrone-message");
      status.setAttribute("data-reason", reach.status);
      if (reach.detail) status.setAttribute("data-detail", reach.detail);
      return;
    }
    var data = reach.data;
    // "5 min 300 m · 10 min 500 m · …", each tier kept on one line.
    var template = data.profile === "elderly" ? S.speedElderly : S.speedStandard;
    var speed = data.profile === "elderly" ? config.elderlySpeed : config.planningSpeed;
    var parts = fmt(template, { speed: speed, distances: "\u0000" }).split("\u0000");
    reachControls.speeds.appendChild(document.createTextNode(parts[0]));
    TIERS.forEach(function (minutes, i) {
      if (i) reachControls.speeds.appendChild(document.createTextNode(" · "));
      reachControls.speeds.appendChild(el("span", { className: "nowrap", "data-tier": String(minutes), "data-distance": String(data.distances_m[i]) },
        fmt(S.tierLabel, { n: minutes }) + " " + metresText(data.distances_m[i])));
    });
    if (parts[1]) reachControls.speeds.appendChild(document.createTextNode(parts[1]));
    status.textContent = data.reachable.length ? fmt(S.reachTotal, { n: data.reachable.length }) : S.reachNone;
    if (data.departure) {
      results.appendChild(el("p", { className: "reach-open", "data-testid": "isochrone-open", "data-count": String(data.open_on_arrival) },
        fmt(S.openOnArrival, { n: data.open_on_arrival, time: data.departure.slice(11, 16) })));
    }
    (data.notes || []).forEach(function (note) { // what the map data leaves unknown (engine's words, English)
      results.appendChild(el("p", { className: "reach-note", "data-testid": "isochrone-note" }, S.dataGap + " " + note));
    });

    TIERS.forEach(function (minutes, i) { tierDistances[minutes] = data.distances_m[i]; });
    var counts = tierCounts(data.reachable);
    var summary = el("ul", {
      className: "reach-summary", "data-testid": "isochrone-summary", "data-count": String(data.reachable.length),
      "data-profile": data.profile, "data-lon": reach.latlng.lng.toFixed(6), "data-lat": reach.latlng.lat.toFixed(6),
    });
    TIERS.forEach(function (minutes, i) {
      summary.appendChild(el("li", { className: "tier-" + minutes, "data-tier": String(minutes), "data-count": String(counts[i]) },
        el("strong", {}, String(counts[i])), el("span", {}, fmt(S.withinTier, { n: minutes }))));
    });
    results.appendChild(summary);

    // Grouped by category; a facility offering several services is listed under each.
    var order = Object.keys(categories);
    var groups = {};
    data.reachable.forEach(function (item) {
      (item.categories && item.categories.length ? item.categories : [item.category]).forEach(function (slug) {
        (groups[slug] = groups[slug] || []).push(item);
        if (order.indexOf(slug) < 0) order.push(slug);
      });
    });
    order.forEach(function (slug) {
      var items = groups[slug];
      if (!items) return;
      var perTier = tierCounts(items);
      var section = el("section", { className: "reach-group", "data-testid": "reach-group", "data-category": slug });
      var countText = TIERS.map(function (minutes, i) { return fmt(S.tierLabel, { n: minutes }) + " " + perTier[i]; }).join(" · ");
      section.appendChild(el("h3", {},
        el("span", { className: "swatch swatch-facility", style: "--c:" + safeColor((categories[slug] || {}).color), "aria-hidden": "true" }),
        el("span", { className: "reach-group-name" }, categoryName(slug)),
        el("span", { className: "reach-counts", "data-testid": "reach-counts" }, countText)));
      var list = el("ul", { className: "reach-list" });
      items.forEach(function (item) { list.appendChild(reachItem(item)); });
      section.appendChild(list);
      results.appendChild(section);
    });
  }

  map.on("click", function (event) { showReach(event.latlng); });
  // From the keyboard: Enter on the map itself (not on a place) uses the centre of the map.
  map.getContainer().addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target === map.getContainer()) showReach(map.getCenter());
  });

  // The data notice banner's "More" link opens the full notice in the footer.
  document.querySelectorAll('a[href="#data-notice-full"]').forEach(function (link) {
    link.addEventListener("click", function () {
      var full = document.getElementById("data-notice-full");
      if (full && full.tagName === "DETAILS") {
        full.open = true;
        full.querySelector("summary").focus();
      }
    });
  });

  // ---- load ------------------------------------------------------------------------------------

  function fail(error) {
    statusLine.textContent = S.loadError;
    statusLine.classList.add("is-error");
    if (window.console) console.warn(error); // a warning, so a missing optional layer is not an error
  }

  // The network is the base layer: drawn as soon as it arrives, independently of the markers.
  fetchJson(config.api.network).then(drawNetwork).catch(fail);
  fetchJson(config.api.grids).then(drawGrids).catch(fail);
  var boundary = fetchJson(config.api.boundary).then(drawBoundary).catch(function (error) { fail(error); return null; });

  Promise.all([fetchJson(config.api.categories), fetchJson(config.api.facilities), fetchJson(config.api.pois)])
    .then(function (results) {
      results[0].forEach(function (category) { categories[category.slug] = category; });
      results[1].features.forEach(function (feature) { addMarker(feature, "facility"); });
      results[2].features.forEach(function (feature) { addMarker(feature, "poi"); });
      applyFilters();
      return boundary;
    })
    .then(function (boundaryLayer) {
      var bounds = boundaryLayer && boundaryLayer.getBounds();
      if (!bounds || !bounds.isValid()) bounds = L.featureGroup(places.map(function (e) { return e.marker; })).getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], animate: false });
      markZoom();
      if (!reach) hint.hidden = false;
      page.setAttribute("data-loaded", "true"); // markers are drawn and the map has stopped moving
    })
    .catch(fail);
})();
