// The round on a map: the provider (0) and each stop numbered in order with its expected time.
// Built from text with el(), never from HTML strings. Stops are not joined by straight lines: the
// carer walks the streets, and the order and times come from the street network.
(function () {
  const data = JSON.parse(document.getElementById("round-points").textContent);
  const box = document.getElementById("round-map");
  if (!box || !window.L || !data.length) return;
  function el(tag, text) { const node = document.createElement(tag); node.textContent = text; return node; }
  const map = L.map(box);
  const tiles = box.dataset.tiles;
  // Base tiles only where the deployment configures them (MAP_TILE_URL), as on the other maps.
  if (tiles) L.tileLayer(tiles, { maxZoom: 19, attribution: el("span", box.dataset.attribution || "").innerHTML }).addTo(map);
  const marks = data.map(function (p) {
    const icon = L.divIcon({ className: "round-number", html: "", iconSize: [22, 22] });
    const marker = L.marker([p.lat, p.lon], { icon: icon, title: String(p.n) });
    marker.on("add", function () { const n = marker.getElement(); if (n) n.textContent = String(p.n); });
    const label = el("span", p.n + ". " + p.label + (p.time ? " · " + p.time : ""));
    marker.bindTooltip(label, { permanent: false });
    return marker.addTo(map);
  });
  map.fitBounds(L.featureGroup(marks).getBounds().pad(0.2));
}());

// The print button (no inline handler: the Content-Security-Policy allows scripts from files only).
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
