/* The place of a proposal, picked on a map: a tap (or "Put the pin at the centre of the map", after
 * moving the map with the arrow keys) fills the longitude and latitude fields; "Use where I am now"
 * fills them from the phone's position (WGS84). Without JavaScript, or without Leaflet, the typed
 * fields are all there is, and the server checks the place is inside the sub-district either way.
 * The map draws the sub-district's outline and its walking network with the street names
 * (directory/street-names.js), so the place can be found without a tile server. */
(function () {
  "use strict";
  var box = document.getElementById("pt-place-map");
  var lonInput = document.getElementById("id_lon");
  var latInput = document.getElementById("id_lat");
  var choice = document.getElementById("pt-place-choice");
  var tools = document.getElementById("pt-place-tools");
  var locate = document.getElementById("pt-locate");
  if (!box || !lonInput || !latInput) return;

  function say(chosen) { choice.textContent = choice.getAttribute(chosen ? "data-chosen" : "data-none"); }

  var map = null;
  var marker = null;

  function choose(latlng, centre) {
    lonInput.value = latlng.lng.toFixed(6);
    latInput.value = latlng.lat.toFixed(6);
    if (map) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.marker(latlng, { keyboard: false, alt: "" }).addTo(map);
      if (centre) map.setView(latlng, Math.max(map.getZoom(), 17));
    }
    say(true);
  }

  function clear() {
    lonInput.value = "";
    latInput.value = "";
    if (marker) { marker.remove(); marker = null; }
    say(false);
  }

  if (window.L) {
    box.hidden = false;
    tools.hidden = false;
    var tiles = { url: box.dataset.tileUrl || "", attribution: box.dataset.tileAttribution || "" };
    map = L.map(box, { zoomSnap: 0.5, minZoom: 13, maxZoom: 19, tapTolerance: 15, attributionControl: !!tiles.url });
    if (tiles.url) {
      var credit = document.createElement("div");
      credit.textContent = tiles.attribution; // text, never HTML
      L.tileLayer(tiles.url, { attribution: credit.innerHTML, maxZoom: 19 }).addTo(map);
    }
    var boundaryNode = document.getElementById("pt-place-boundary");
    var boundary = boundaryNode ? JSON.parse(boundaryNode.textContent) : null;
    if (boundary) {
      var outline = L.geoJSON(boundary, { style: { color: "#8f241e", weight: 2, fillOpacity: 0.04 }, interactive: false })
        .addTo(map);
      map.fitBounds(outline.getBounds(), { padding: [8, 8], animate: false });
    } else {
      map.setView([31.23, 121.47], 14); // no outline known: the server still checks the place
    }
    if (box.dataset.networkUrl) {
      fetch(box.dataset.networkUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          L.geoJSON(data, { style: { color: "#b9b1a3", weight: 2, opacity: 0.9 }, interactive: false }).addTo(map);
          if (window.LifecircleStreetNames) window.LifecircleStreetNames.add(map, data);
        })
        .catch(function () {}); // the outline and the typed fields still work
    }
    map.on("click", function (event) { choose(event.latlng, false); });
    document.getElementById("pt-place-centre").addEventListener("click", function () { choose(map.getCenter(), false); });
    document.getElementById("pt-place-clear").addEventListener("click", clear);
    // typing in the fields moves the pin too
    [lonInput, latInput].forEach(function (input) {
      input.addEventListener("change", function () {
        var lon = parseFloat(lonInput.value), lat = parseFloat(latInput.value);
        if (isFinite(lon) && isFinite(lat)) choose(L.latLng(lat, lon), true);
      });
    });
    if (window.ResizeObserver) new ResizeObserver(function () { map.invalidateSize(); }).observe(box);
  } else if (tools) {
    tools.hidden = false;
    document.getElementById("pt-place-centre").hidden = true;
    document.getElementById("pt-place-clear").hidden = true;
    document.getElementById("pt-place-typed").open = true;
  }

  var lon0 = parseFloat(lonInput.value), lat0 = parseFloat(latInput.value);
  if (isFinite(lon0) && isFinite(lat0)) choose(window.L ? L.latLng(lat0, lon0) : { lng: lon0, lat: lat0 }, true);
  else say(false);

  if (locate) {
    if (!navigator.geolocation) { locate.hidden = true; return; }
    locate.hidden = false;
    locate.addEventListener("click", function () {
      var status = document.getElementById("pt-locate-status");
      status.textContent = locate.dataset.waiting;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var here = { lng: pos.coords.longitude, lat: pos.coords.latitude };
        choose(window.L ? L.latLng(here.lat, here.lng) : here, true);
        status.textContent = locate.dataset.done;
      }, function () { status.textContent = locate.dataset.failed; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }
})();
