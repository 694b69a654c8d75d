/* The place of a new request: tap the map (or use the phone's location) to fill lat and long.
 * Draws the grid boundaries (and tiles, when the site has a tile server) so the place can be found. */
(function () {
  "use strict";
  var box = document.getElementById("report-map");
  if (!box || !window.L) return;
  var latInput = document.getElementById("id_lat");
  var lonInput = document.getElementById("id_long");
  var choice = document.getElementById("map-choice");
  var grids = JSON.parse(document.getElementById("report-grids").textContent);
  // data attributes, not an inline script: the Content-Security-Policy allows no inline script
  var tiles = { url: box.dataset.tileUrl || "", attribution: box.dataset.tileAttribution || "" };

  var map = L.map(box, { zoomControl: true, attributionControl: !!tiles.url });
  if (tiles.url) L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19 }).addTo(map);
  var layer = L.geoJSON(grids, {
    style: { color: "#8f241e", weight: 2, fillOpacity: 0.05 },
    onEachFeature: function (feature, shape) {
      var label = document.createElement("span");
      label.textContent = feature.properties.name || "";  // text, never HTML: names are typed in by staff
      shape.bindTooltip(label, { permanent: true, direction: "center", className: "r311-grid-label" });
    }
  }).addTo(map);
  if (grids.features.length) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
  else map.setView([0, 0], 2); // no grids loaded yet: nothing to centre on

  // the walking network of each sub-district with grids, for orientation when there are no tiles
  if (!tiles.url) {
    var codes = {};
    grids.features.forEach(function (feature) { codes[feature.properties.subdistrict] = true; });
    Object.keys(codes).forEach(function (code) {
      fetch("/api/geo/network.geojson?subdistrict=" + encodeURIComponent(code),
            { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          L.geoJSON(data, { style: { color: "#7d8590", weight: 1, opacity: 0.7 }, interactive: false }).addTo(map);
          if (window.LifecircleStreetNames) window.LifecircleStreetNames.add(map, data); // directory/street-names.js
        })
        .catch(function () {});
    });
  }

  // Open reports near the chosen place, same kind first: a duplicate can be followed instead.
  var nearby = document.getElementById("nearby");
  var asked = 0;
  function el(tag, attributes, children) {  // DOM from text, never from HTML strings
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function showNearby(latlng) {
    if (!nearby) return;
    var ask = ++asked;
    var url = nearby.dataset.url + "?lat=" + latlng.lat.toFixed(6) + "&long=" + latlng.lng.toFixed(6) +
      "&service=" + encodeURIComponent(nearby.dataset.service);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || ask !== asked) return;  // a later tap has asked again
        var list = document.getElementById("nearby-list");
        list.replaceChildren();
        data.reports.forEach(function (report) {
          var words = [report.state, nearby.dataset.metres.replace("{m}", report.distance), report.requested];
          if (report.same_service) words.unshift(nearby.dataset.same);
          list.appendChild(el("li", { "data-testid": "nearby-report", "data-id": String(report.id),
                                 "data-same": String(report.same_service) }, [
            el("a", { href: report.url }, ["#" + report.id + " " + report.service_name]),
            " ", el("small", {}, [words.join(" · ")]),
            report.address || report.description ? el("p", {}, [report.address || report.description]) : ""
          ]));
        });
        document.getElementById("nearby-none").hidden = data.reports.length > 0;
        document.getElementById("nearby-some").hidden = data.reports.length === 0;
        nearby.hidden = false;
      })
      .catch(function () {});
  }

  var marker = null;
  function choose(latlng) {
    if (marker) marker.setLatLng(latlng);
    else marker = L.marker(latlng, { keyboard: false }).addTo(map);
    latInput.value = latlng.lat.toFixed(6);
    lonInput.value = latlng.lng.toFixed(6);
    choice.textContent = choice.getAttribute("data-chosen");
    showNearby(latlng);
  }
  if (latInput.value && lonInput.value) choose(L.latLng(parseFloat(latInput.value), parseFloat(lonInput.value)));
  map.on("click", function (event) { choose(event.latlng); });

  var locate = document.getElementById("locate-me");
  if (locate) {
    if (!navigator.geolocation) locate.hidden = true;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        var here = L.latLng(position.coords.latitude, position.coords.longitude);
        choose(here);
        map.setView(here, 17);
      });
    });
  }
})();
