/* A proposal's place on a small map: its pin over the sub-district's walking network, with the
 * street names (directory/street-names.js), so "where" reads as streets, not as coordinates. The
 * coordinates stay in the text beside it for those who cannot see the map. */
(function () {
  "use strict";
  var box = document.getElementById("pt-place-view");
  if (!box || !window.L) return;
  var lat = parseFloat(box.dataset.lat), lon = parseFloat(box.dataset.lon);
  if (!isFinite(lat) || !isFinite(lon)) return;
  box.hidden = false;
  var tiles = { url: box.dataset.tileUrl || "", attribution: box.dataset.tileAttribution || "" };
  // Decorative for screen readers (the text gives the place), so nothing in it takes the focus.
  var map = L.map(box, { zoomSnap: 0.5, minZoom: 14, maxZoom: 19, scrollWheelZoom: false, keyboard: false,
                         zoomControl: false, attributionControl: !!tiles.url });
  if (tiles.url) {
    var credit = document.createElement("div");
    credit.textContent = tiles.attribution; // text, never HTML
    L.tileLayer(tiles.url, { attribution: credit.innerHTML, maxZoom: 19 }).addTo(map);
  }
  map.setView([lat, lon], 17);
  L.marker([lat, lon], { keyboard: false, interactive: false, alt: "" }).addTo(map);
  if (box.dataset.networkUrl) {
    fetch(box.dataset.networkUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        L.geoJSON(data, { style: { color: "#b9b1a3", weight: 2, opacity: 0.9 }, interactive: false }).addTo(map);
        if (window.LifecircleStreetNames) window.LifecircleStreetNames.add(map, data);
      })
      .catch(function () {}); // the pin and the coordinates in the text remain
  }
})();
