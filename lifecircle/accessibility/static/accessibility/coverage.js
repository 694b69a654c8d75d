/* The planners' coverage page: a shaded map of the grids and compounds, and charts, for the service
 * and the people chosen in the form; the tables are rendered by Django and only re-weighted here.
 *
 * Plain script, no build step. Text comes from the page (#coverage-config, written by Django with
 * json_script); figures come from the accessibility API, rounded exactly as the server rounds them.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("coverage-config").textContent);
  var S = config.strings;
  var english = config.lang.indexOf("en") === 0;
  var LIST_SEPARATOR = english ? "; " : "；";
  // Red (low) to green (high), in five steps of 20 points, as the table's shading (coverage.css).
  var SHADES = ["#d7301f", "#ef7b3a", "#f2c12e", "#8cc152", "#1a9850"];
  var NO_SHARE = "#bdbdbd";

  var page = document.getElementById("coverage-page");
  var form = document.getElementById("controls");
  var select = document.getElementById("category");
  var table = document.querySelector("[data-testid=coverage-table]");
  var gapTable = document.querySelector("[data-testid=gap-table]");
  var gapRows = document.getElementById("gap-rows");
  var gapSummary = document.querySelector("[data-testid=gap-summary]");
  var statusLine = document.getElementById("coverage-status");

  var state = { category: config.category, weight: config.weight, gaps: config.gaps };
  var categories = {};
  config.categories.forEach(function (c) { categories[c.slug] = c; });
  var gridNames = {};
  config.grids.forEach(function (g) { gridNames[g.code] = g; });

  var shares = {}; // "grid|category" -> coverage row ("" = the whole sub-district)
  var gapsByCategory = {}; // category -> [gap, ...] as the API orders them (worst first)
  var allGaps = [];

  // ---- small helpers ---------------------------------------------------------------------------

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "className") node.className = attrs[key];
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

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text || "";
    return div.innerHTML;
  }

  function grouped(number) {
    return number === null || number === undefined ? "—" : Number(number).toLocaleString("en-US");
  }

  /* As views.percent: whole percent, halves rounded up. */
  function percent(share) {
    return share === null || share === undefined ? null : Math.floor(share * 100 + 0.5);
  }

  function shadeStep(pct) {
    return pct === null ? null : Math.min(SHADES.length - 1, Math.floor(Math.max(0, pct) * SHADES.length / 100));
  }

  function shadeColor(pct) {
    var step = shadeStep(pct);
    return step === null ? NO_SHARE : SHADES[step];
  }

  function pctText(pct) { return pct === null ? "—" : fmt(S.share, { pct: pct }); }

  function metres(m) { return fmt(S.metres, { m: Math.round(m) }); }

  /* The API rounds to whole metres, so a compound just past the threshold is "0 m" too far. */
  function shortfallText(m) {
    if (m === null || m === undefined) return "—";
    return Math.round(m) === 0 ? S.underOneMetre : metres(m);
  }

  function row(grid, slug) { return shares[(grid || "") + "|" + slug] || null; }

  function shareOf(grid, slug) {
    var record = row(grid, slug);
    return record ? percent(record[state.weight + "_share"]) : null;
  }

  function weightName() { return config.weights[state.weight] || state.weight; }

  // ---- the table and the labels: re-weighted in place -----------------------------------------

  function updateTable() {
    if (!table) return;
    table.setAttribute("data-weight", state.weight);
    table.querySelectorAll("td[data-grid]").forEach(function (cell) {
      cell.textContent = cell.getAttribute("data-" + state.weight);
      cell.setAttribute("data-shade", cell.getAttribute("data-shade-" + state.weight));
      cell.title = cell.getAttribute("data-people-" + state.weight) || "";
    });
    table.querySelectorAll("tr[data-category]").forEach(function (tr) {
      tr.classList.toggle("is-selected", tr.getAttribute("data-category") === state.category);
    });
  }

  function updateLabels() {
    var category = categories[state.category];
    document.querySelectorAll("[data-slot=category-name]").forEach(function (node) { node.textContent = category.name; });
    document.querySelectorAll("[data-slot=category-swatch]").forEach(function (node) { node.style.setProperty("--c", category.color); });
    document.querySelectorAll("[data-slot=weight-name]").forEach(function (node) { node.textContent = weightName(); });
    document.querySelectorAll("[data-slot=selected-hint]").forEach(function (node) {
      node.textContent = fmt(S.selectedHint, { m: category.threshold });
    });
  }

  // ---- the gap list -----------------------------------------------------------------------------

  function visibleGaps() {
    if (state.gaps !== "all") return gapsByCategory[state.category] || [];
    // Worst first across every service: nothing reachable at all, then the longest shortfall.
    return allGaps.slice().sort(function (a, b) {
      var x = a.shortfall_m === null ? Infinity : a.shortfall_m;
      var y = b.shortfall_m === null ? Infinity : b.shortfall_m;
      return y - x;
    });
  }

  function gapRow(gap) {
    var grid = gapNames(gap.grid);
    return el("tr", { "data-testid": "gap-row", "data-compound": gap.compound, "data-category": gap.category },
      el("th", { scope: "row", "data-label": S.compound }, gap.compound_name, grid ? el("span", { className: "gap-grid" }, grid) : null),
      el("td", { className: "col-service", "data-label": S.service }, (categories[gap.category] || {}).name || gap.category_name),
      el("td", { className: "num", "data-label": S.nearestShort },
        gap.distance_m === null ? el("span", { className: "unreachable" }, S.noneReachable) : metres(gap.distance_m)),
      el("td", { className: "num shortfall", "data-label": S.tooFarBy }, shortfallText(gap.shortfall_m)),
      el("td", { className: "num", "data-label": S.population }, grouped(gap.population)),
      el("td", { className: "num", "data-label": S.aged60 }, grouped(gap.aged_60_plus)),
      el("td", { className: "num", "data-label": S.aged03 }, grouped(gap.aged_0_3)));
  }

  function gapNames(code) { return code && gridNames[code] ? gridNames[code].short : ""; }

  function updateGaps() {
    var list = visibleGaps();
    var category = categories[state.category];
    var body = document.createDocumentFragment();
    list.forEach(function (gap) { body.appendChild(gapRow(gap)); });
    gapRows.replaceChildren(body);
    gapTable.hidden = list.length === 0;
    gapTable.classList.toggle("show-service", state.gaps === "all");
    var compounds = {};
    list.forEach(function (gap) { compounds[gap.compound] = gap; });
    var people = { population: 0, aged_60_plus: 0, aged_0_3: 0 };
    Object.keys(compounds).forEach(function (code) {
      Object.keys(people).forEach(function (key) { people[key] += compounds[code][key] || 0; });
    });
    if (state.gaps === "all") {
      gapSummary.textContent = list.length
        ? fmt(S.gapSummaryAll, { n: list.length, compounds: Object.keys(compounds).length })
        : S.noGapsAll;
    } else {
      gapSummary.textContent = list.length
        ? fmt(S.gapSummary, {
          n: Object.keys(compounds).length, category: category.name, m: category.threshold,
          people: grouped(people.population), aged60: grouped(people.aged_60_plus), aged03: grouped(people.aged_0_3),
        })
        : fmt(S.noGaps, { category: category.name, m: category.threshold });
    }
    gapSummary.setAttribute("data-count", String(list.length));
  }

  // ---- the map ----------------------------------------------------------------------------------

  var map = L.map("coverage-map", { zoomSnap: 0.25, minZoom: 12, maxZoom: 19, scrollWheelZoom: false, tapTolerance: 15 });
  map.setView([31.2395, 121.4465], 15);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.createPane("network").style.zIndex = 250;
  map.createPane("compounds").style.zIndex = 450;
  map.createPane("labels").style.zIndex = 460;
  map.getPane("labels").style.pointerEvents = "none";
  // Scrolling the page must not zoom the map; once the map is clicked or focused, the wheel zooms it.
  map.on("focus click", function () { map.scrollWheelZoom.enable(); });
  map.on("blur", function () { map.scrollWheelZoom.disable(); });
  if (window.ResizeObserver) new ResizeObserver(function () { map.invalidateSize(); }).observe(map.getContainer());

  var gridLayer = null;
  var compoundLayer = null;
  var compoundsData = null;

  function drawNetwork(collection) {
    L.geoJSON(collection, {
      attribution: escapeHtml(collection.attribution),
      style: function (feature) {
        var highway = (feature.properties || {}).highway || "";
        var major = /^(primary|secondary|tertiary|trunk)/.test(highway);
        return { pane: "network", interactive: false, color: major ? "#bdb3a3" : "#d3cbbd", weight: major ? 4 : 2, opacity: 1 };
      },
    }).addTo(map);
    if (window.LifecircleStreetNames) window.LifecircleStreetNames.add(map, collection); // street-names.js
  }

  function drawGrids(collection) {
    gridLayer = L.geoJSON(collection, {
      style: { className: "cv-grid", color: "#5c4520", weight: 2.5, opacity: 0.9, fillOpacity: 0.5 },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip("", { permanent: true, direction: "center", className: "cv-grid-label", pane: "labels" });
        layer.on("add", function () {
          var node = layer.getElement();
          node.setAttribute("data-testid", "coverage-grid");
          node.setAttribute("data-grid", feature.properties.code);
        });
      },
    }).addTo(map);
    var bounds = gridLayer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8], animate: false });
  }

  function updateGrids() {
    if (!gridLayer) return;
    gridLayer.eachLayer(function (layer) {
      var code = layer.feature.properties.code;
      var pct = shareOf(code, state.category);
      layer.setStyle({ fillColor: shadeColor(pct) });
      var node = layer.getElement();
      if (node) {
        node.setAttribute("data-share", pct === null ? "" : String(pct));
        node.setAttribute("data-shade", shadeStep(pct) === null ? "none" : String(shadeStep(pct)));
      }
      var grid = gridNames[code];
      var label = el("span", {}, el("span", { className: "cv-grid-name" }, grid ? grid.short : code), el("strong", {}, pctText(pct)));
      layer.setTooltipContent(label);
    });
  }

  function gapFor(code) {
    var list = gapsByCategory[state.category] || [];
    for (var i = 0; i < list.length; i++) if (list[i].compound === code) return list[i];
    return null;
  }

  function popupContent(props) {
    var category = categories[state.category];
    var gap = gapFor(props.code);
    var nearest = gap ? gap.distance_m : ((config.nearest[props.code] || {})[state.category]);
    var box = el("div", { className: "cv-popup", "data-testid": "compound-popup" });
    box.appendChild(el("h3", {}, english && props.name_en ? props.name_en : props.name));
    if (props.grid && gridNames[props.grid]) box.appendChild(el("p", { className: "cv-popup-grid" }, gridNames[props.grid].short));
    var facts = el("dl", {});
    function fact(term, value) { facts.appendChild(el("dt", {}, term)); facts.appendChild(el("dd", {}, value)); }
    fact(S.population, grouped(props.population));
    fact(S.aged60, grouped(props.aged_60_plus));
    fact(S.aged03, grouped(props.aged_0_3));
    fact(fmt(S.nearest, { category: category.name }),
      (nearest === null || nearest === undefined ? S.unreachable : metres(nearest)) + " (" + fmt(S.threshold, { m: category.threshold }) + ")");
    box.appendChild(facts);
    if (gap) {
      box.appendChild(el("p", { className: "cv-verdict is-gap", "data-testid": "popup-verdict" },
        gap.shortfall_m === null ? S.unreachable : fmt(S.shortBy, { m: shortfallText(gap.shortfall_m) })));
    } else {
      box.appendChild(el("p", { className: "cv-verdict is-covered", "data-testid": "popup-verdict" }, S.within));
    }
    return box;
  }

  function drawCompounds(collection) {
    compoundsData = collection;
    compoundLayer = L.layerGroup().addTo(map);
    collection.features.forEach(function (feature) {
      var c = feature.geometry && feature.geometry.coordinates;
      if (!c) return;
      var marker = L.circleMarker([c[1], c[0]], { pane: "compounds", radius: 9, className: "cv-compound" });
      marker.feature = feature;
      marker.bindPopup(function () { return popupContent(feature.properties); }, { maxWidth: 280 });
      marker.on("add", function () {
        var node = marker.getElement();
        node.setAttribute("data-testid", "coverage-compound");
        node.setAttribute("data-compound", feature.properties.code);
        node.setAttribute("tabindex", "0");
        node.setAttribute("role", "button");
        node.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            marker.openPopup();
          }
        });
      });
      compoundLayer.addLayer(marker);
    });
  }

  function updateCompounds() {
    if (!compoundLayer) return;
    compoundLayer.eachLayer(function (marker) {
      var props = marker.feature.properties;
      var covered = !gapFor(props.code);
      marker.setStyle(covered
        ? { color: "#ffffff", weight: 2, fillColor: "#1a7f3c", fillOpacity: 1, radius: 8 }
        : { color: "#b3261e", weight: 4, fillColor: "#ffffff", fillOpacity: 1, radius: 8 });
      var node = marker.getElement();
      if (node) {
        node.setAttribute("data-covered", String(covered));
        node.setAttribute("aria-label", (english && props.name_en ? props.name_en : props.name) + ": " + (covered ? S.covered : S.notCovered));
      }
      if (marker.isPopupOpen()) marker.setPopupContent(popupContent(props));
    });
  }

  // ---- charts -----------------------------------------------------------------------------------

  var charts = {};

  /* Writes each bar's value at its end, so a figure is read without hovering. */
  var valueLabels = {
    id: "lcValueLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      var horizontal = chart.options.indexAxis === "y";
      ctx.save();
      ctx.font = "600 14px " + Chart.defaults.font.family;
      ctx.fillStyle = "#1f2328";
      chart.getDatasetMeta(0).data.forEach(function (bar, i) {
        var value = chart.data.datasets[0].data[i];
        var text = value === null ? "—" : value + "%";
        if (horizontal) {
          ctx.textAlign = "left";
          ctx.textBaseline = "middle";
          ctx.fillText(text, (value === null ? chart.scales.x.left : bar.x) + 6, bar.y);
        } else {
          ctx.textAlign = "center";
          ctx.textBaseline = "bottom";
          ctx.fillText(text, bar.x, (value === null ? chart.scales.y.bottom : bar.y) - 4);
        }
      });
      ctx.restore();
    },
  };

  function chartOptions(horizontal) {
    var valueAxis = {
      min: 0, max: 100, grace: 0,
      ticks: { stepSize: 25, maxRotation: 0, callback: function (value) { return value + "%"; } },
      grid: { color: "#ece6da" },
    };
    var labelAxis = { grid: { display: false }, ticks: { autoSkip: false, maxRotation: 0 } };
    return {
      indexAxis: horizontal ? "y" : "x",
      responsive: true, maintainAspectRatio: false, animation: false,
      layout: { padding: horizontal ? { right: 48 } : { top: 24 } },
      scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: function (item) {
              var extra = item.dataset.people ? item.dataset.people[item.dataIndex] : "";
              return pctText(item.raw) + (extra ? " · " + extra : "");
            },
          },
        },
      },
    };
  }

  /* A long label on several lines (Chart.js draws an array as lines), so none is cut off. */
  function wrapLabel(text, width) {
    if (text.length <= width || text.indexOf(" ") < 0) return text;
    var lines = [""];
    text.split(" ").forEach(function (word) {
      var last = lines[lines.length - 1];
      if (last && (last + " " + word).length > width) lines.push(word);
      else lines[lines.length - 1] = last ? last + " " + word : word;
    });
    return lines;
  }

  function setChart(id, labels, values, people, horizontal) {
    labels = labels.map(function (label) { return wrapLabel(label, horizontal ? 18 : 10); });
    var colors = values.map(shadeColor);
    var dataset = {
      data: values, people: people, backgroundColor: colors, borderColor: "rgba(31, 35, 40, 0.55)", borderWidth: 1,
      borderRadius: 4, maxBarThickness: horizontal ? 26 : 56,
    };
    if (charts[id]) {
      charts[id].data.labels = labels;
      charts[id].data.datasets[0] = dataset;
      charts[id].update();
      return charts[id];
    }
    var canvas = document.getElementById(id);
    charts[id] = new Chart(canvas, { type: "bar", data: { labels: labels, datasets: [dataset] }, options: chartOptions(horizontal), plugins: [valueLabels] });
    return charts[id];
  }

  function peopleText(record) {
    if (!record) return "";
    return fmt(S.coveredOf, { covered: grouped(record[state.weight + "_covered"]), total: grouped(record[state.weight]) });
  }

  function describe(labels, values) {
    return labels.map(function (label, i) { return fmt(S.gridValue, { name: label, value: pctText(values[i]) }); }).join(LIST_SEPARATOR);
  }

  function updateCharts() {
    var category = categories[state.category];
    var columns = config.grids.map(function (g) { return g.code; }).concat([""]);
    var labels = config.grids.map(function (g) { return g.short; }).concat([S.whole]);
    var values = columns.map(function (code) { return shareOf(code, state.category); });
    var people = columns.map(function (code) { return peopleText(row(code, state.category)); });
    setChart("chart-grids", labels, values, people, false);
    var caption = fmt(S.chartGrids, { category: category.name, weight: weightName() });
    document.querySelector("[data-slot=chart-grids-caption]").textContent = caption;
    document.getElementById("chart-grids").setAttribute("aria-label",
      fmt(S.chartGridsLabel, { category: category.name, weight: weightName(), values: describe(labels, values) }));

    document.querySelectorAll("canvas[data-testid=chart-tier]").forEach(function (canvas) {
      var tier = Number(canvas.getAttribute("data-tier"));
      var inTier = config.categories.filter(function (c) { return c.tier === tier; });
      var names = inTier.map(function (c) { return c.name; });
      var tierValues = inTier.map(function (c) { return shareOf("", c.slug); });
      setChart(canvas.id, names, tierValues, inTier.map(function (c) { return peopleText(row("", c.slug)); }), true);
      canvas.setAttribute("aria-label", fmt(S.chartTierLabel, { n: tier, weight: weightName(), values: describe(names, tierValues) }));
    });
  }

  function setupChartDefaults() {
    Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = 14;
    Chart.defaults.color = "#1f2328";
  }

  // ---- wiring -----------------------------------------------------------------------------------

  var ready = false;

  function update(what, initial) {
    updateLabels();
    if (what !== "gaps") updateTable();
    if (!ready) return;
    if (what !== "gaps") {
      updateGrids();
      updateCompounds();
      updateCharts();
    }
    updateGaps();
    var query = "?category=" + encodeURIComponent(state.category) + "&weight=" + encodeURIComponent(state.weight) +
      "&gaps=" + encodeURIComponent(state.gaps) + (config.at ? "&at=" + encodeURIComponent(config.at) : "");
    // The address keeps the choice (for sharing and reloading), once there is one.
    if (!initial && window.history && window.history.replaceState) window.history.replaceState(null, "", query + window.location.hash);
  }

  // The figures at an hour are worked out by the server: a new hour loads the page again.
  var atInput = document.getElementById("at");
  function hourChanged() { return atInput && atInput.value.trim() !== (config.at || ""); }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (hourChanged()) form.submit();
  });
  if (atInput) atInput.addEventListener("change", function () { if (hourChanged()) form.submit(); });
  form.querySelector("[data-testid=controls-submit]").hidden = true;
  select.addEventListener("change", function () {
    state.category = select.value;
    update();
  });
  document.querySelectorAll("input[name=weight]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (!radio.checked) return;
      state.weight = radio.value;
      update();
    });
  });
  document.querySelectorAll("input[name=gaps]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (!radio.checked) return;
      state.gaps = radio.value;
      update("gaps");
    });
  });

  function fail(error) {
    statusLine.textContent = S.loadError;
    statusLine.classList.add("is-error");
    if (window.console) console.warn(error);
  }

  fetchJson(config.api.network).then(drawNetwork).catch(fail);
  fetchJson(config.api.boundary).then(function (collection) {
    L.geoJSON(collection, { interactive: false, style: { color: "#b8322a", weight: 3, opacity: 0.8, fill: false } }).addTo(map);
  }).catch(function (error) { if (window.console) console.warn(error); });

  Promise.all([fetchJson(config.api.coverage), fetchJson(config.api.gaps), fetchJson(config.api.grids), fetchJson(config.api.compounds)])
    .then(function (results) {
      results[0].rows.forEach(function (record) { shares[(record.grid || "") + "|" + record.category] = record; });
      allGaps = results[1];
      allGaps.forEach(function (gap) { (gapsByCategory[gap.category] = gapsByCategory[gap.category] || []).push(gap); });
      document.getElementById("selected-view").hidden = false;
      document.getElementById("tier-charts").hidden = false;
      map.invalidateSize();
      drawGrids(results[2]);
      drawCompounds(results[3]);
      setupChartDefaults();
      ready = true;
      update(null, true);
      page.setAttribute("data-ready", "true");
    })
    .catch(fail);
})();
