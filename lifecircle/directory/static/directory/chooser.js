/* The sub-district chooser's small map: each sub-district's boundary, named, linking to its map.
 *
 * The list beside the map holds the same links, so the page works without this script. Names are
 * set as text (Leaflet's tooltip takes a DOM node here), never as HTML.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("chooser-config").textContent);
  var english = config.lang.indexOf("en") === 0;
  var map = L.map("chooser-map", { zoomSnap: 0.5, scrollWheelZoom: false });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  if (config.tiles.url) {
    var credit = document.createElement("div");
    credit.textContent = config.tiles.attribution || "";
    L.tileLayer(config.tiles.url, { maxZoom: 19, attribution: credit.innerHTML }).addTo(map);
  }
  map.setView([0, 0], 2); // until the boundaries arrive

  function nameOf(props) {
    return english && props.name_en ? props.name_en : props.name;
  }

  fetch(config.boundaries, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error(config.boundaries + ": HTTP " + response.status);
      return response.json();
    })
    .then(function (collection) {
      var layer = L.geoJSON(collection, {
        style: { color: "#b8322a", weight: 2, fillOpacity: 0.12 },
        onEachFeature: function (feature, shape) {
          var label = document.createElement("span");
          label.textContent = nameOf(feature.properties);
          shape.bindTooltip(label, { sticky: true });
          var link = config.links[feature.properties.code];
          if (link) shape.on("click", function () { window.location.href = link; });
        },
      }).addTo(map);
      if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [12, 12], animate: false });
      document.getElementById("chooser-map").setAttribute("data-loaded", "true");
    })
    .catch(function (error) {
      if (window.console) console.warn(error); // the list beside the map still has every link
    });
})();
