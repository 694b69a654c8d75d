/* Street names on every Leaflet map of the site, from the walking network's OSM `name` tags.
 *
 * One implementation for the map of happiness and the small maps (a proposal's place, a report's
 * place, ...): a page loads this file after Leaflet and calls
 *
 *     LifecircleStreetNames.add(map, collection)   // collection: /api/geo/network.geojson
 *
 * which returns a layer that places the names along their streets, upright, and again after every
 * zoom, in the page's language: on English pages a street's `name:en` (GeoJSON `name_en`) where
 * it is mapped, else its `name`, so a street is never left unnamed for want of a translation; on
 * Chinese pages `name:zh` (`name_zh`) or `name`. Why it is done here and not with tiles: most
 * installations run without a tile server, so the network itself is the base map and nothing else
 * would name the streets.
 *
 * What decides which names show: streets (roads) from zoom 15, lanes and paths (弄, footways) from
 * zoom 17; a name goes on the longest straight stretch of its street that is longer than the name
 * (the street's pieces joined end to end, so an English name longer than one block still fits),
 * again every 350 px along long streets, and never over another name. The labels are decorative
 * for screen readers (aria-hidden): the pages say in words where things are.
 */
(function () {
  "use strict";

  var MAJOR = /^(primary|secondary|tertiary|trunk|residential|unclassified|living_street)/;
  var REPEAT_PX = 350; // a long street is named again this far along
  var FONT_PX = 12;
  var STRAIGHT_DEG = 10; // a bend sharper than this ends a straight stretch

  function textWidth(text) {
    // CJK characters are about as wide as the font is high; Latin letters about 0.6 of it.
    var width = 0;
    for (var i = 0; i < text.length; i++) width += text.charCodeAt(i) > 0x2e80 ? FONT_PX : FONT_PX * 0.6;
    return width + 6;
  }

  /** The name of a network feature for a reader of ``language`` ("en", "zh-hans", ...). */
  function localName(props, language) {
    var english = !/^zh/i.test(language || "");
    var name = english ? props.name_en || props.name || props.name_zh
      : props.name_zh || props.name || props.name_en;
    return (name || "").trim();
  }

  function lines(geometry) {
    if (!geometry) return [];
    if (geometry.type === "LineString") return [geometry.coordinates];
    if (geometry.type === "MultiLineString") return geometry.coordinates;
    return [];
  }

  function pointKey(c) { return c[0] + "," + c[1]; }

  /**
   * The pieces of one street joined end to end where they share an end point: the network is cut
   * at every junction, so a straight street is many short pieces, each too short for most names.
   */
  function chain(parts) {
    var left = parts.slice(), out = [];
    while (left.length) {
      var line = left.shift().slice();
      for (var grown = true; grown;) {
        grown = false;
        for (var i = 0; i < left.length; i++) {
          var p = left[i], start = pointKey(line[0]), end = pointKey(line[line.length - 1]);
          var reversed = p.slice().reverse();
          if (pointKey(p[0]) === end) line = line.concat(p.slice(1));
          else if (pointKey(p[p.length - 1]) === end) line = line.concat(reversed.slice(1));
          else if (pointKey(p[p.length - 1]) === start) line = p.slice(0, -1).concat(line);
          else if (pointKey(p[0]) === start) line = reversed.slice(0, -1).concat(line);
          else continue;
          left.splice(i, 1);
          grown = true;
          break;
        }
      }
      out.push(line);
    }
    return out;
  }

  function turn(from, to) {
    var d = Math.abs(from - to) % (2 * Math.PI);
    return (d > Math.PI ? 2 * Math.PI - d : d) * 180 / Math.PI;
  }

  /** The straight stretches of a projected line: runs of points that keep within STRAIGHT_DEG of their chord. */
  function straightStretches(points) {
    var stretches = [], a = points[0], b = points[0];
    for (var i = 1; i < points.length; i++) {
      var p = points[i];
      if (p.equals(b)) continue;
      if (b !== a && turn(Math.atan2(p.y - b.y, p.x - b.x), Math.atan2(b.y - a.y, b.x - a.x)) > STRAIGHT_DEG) {
        stretches.push({ a: a, b: b, length: a.distanceTo(b) });
        a = b;
      }
      b = p;
    }
    if (b !== a) stretches.push({ a: a, b: b, length: a.distanceTo(b) });
    return stretches;
  }

  function overlaps(box, boxes) {
    for (var i = 0; i < boxes.length; i++) {
      var b = boxes[i];
      if (box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]) return true;
    }
    return false;
  }

  function label(text, angle) {
    var span = document.createElement("span");
    span.className = "lc-street-name";
    span.textContent = text; // text, never HTML: names come from map data
    span.setAttribute("aria-hidden", "true");
    var s = span.style;
    s.position = "absolute";
    s.left = "0";
    s.top = "0";
    s.whiteSpace = "nowrap";
    s.font = FONT_PX + "px/1 system-ui, 'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif";
    s.color = "#3b3b3b";
    s.textShadow = "0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff";
    s.pointerEvents = "none";
    s.transform = "translate(-50%, -50%) rotate(" + angle.toFixed(1) + "deg)";
    return span;
  }

  /**
   * Name the streets of ``collection`` (GeoJSON lines with properties.name, .name_en, .name_zh and
   * .highway) on ``map``. Options: minZoomMajor (15), minZoomMinor (17), language (the page's
   * <html lang>). Returns the Leaflet layer group (already added).
   */
  function add(map, collection, options) {
    options = options || {};
    var minMajor = options.minZoomMajor || 15;
    var minMinor = options.minZoomMinor || 17;
    var language = options.language || document.documentElement.lang;
    if (!map.getPane("streetNames")) {
      map.createPane("streetNames").style.zIndex = 460; // over the network and areas, under markers (600)
      map.getPane("streetNames").style.pointerEvents = "none";
    }
    var group = L.layerGroup().addTo(map);
    var streets = {}; // name -> {major, parts: [[lonlat, ...]]}
    (collection.features || []).forEach(function (feature) {
      var props = feature.properties || {};
      var name = localName(props, language);
      if (!name) return;
      var street = streets[name] || (streets[name] = { major: false, parts: [] });
      if (MAJOR.test(props.highway || "")) street.major = true;
      lines(feature.geometry).forEach(function (coords) { if (coords.length > 1) street.parts.push(coords); });
    });
    Object.keys(streets).forEach(function (name) { streets[name].parts = chain(streets[name].parts); });
    var names = Object.keys(streets).sort(function (a, b) {
      return (streets[b].major - streets[a].major) || a.localeCompare(b); // main streets claim space first
    });

    function draw() {
      group.clearLayers();
      var zoom = map.getZoom();
      if (zoom < minMajor) return;
      var boxes = [];
      names.forEach(function (name) {
        var street = streets[name];
        if (!street.major && zoom < minMinor) return;
        var need = textWidth(name);
        var stretches = [];
        street.parts.forEach(function (coords) {
          var points = coords.map(function (c) { return map.project([c[1], c[0]], zoom); });
          straightStretches(points).forEach(function (st) { if (st.length >= need) stretches.push(st); });
        });
        stretches.sort(function (x, y) { return y.length - x.length; });
        var placed = [];
        stretches.forEach(function (st) {
          var mid = st.a.add(st.b).divideBy(2);
          for (var k = 0; k < placed.length; k++) if (placed[k].distanceTo(mid) < REPEAT_PX) return;
          var angle = Math.atan2(st.b.y - st.a.y, st.b.x - st.a.x) * 180 / Math.PI;
          if (angle > 90) angle -= 180;
          else if (angle < -90) angle += 180;
          var rad = angle * Math.PI / 180;
          var halfW = (Math.abs(Math.cos(rad)) * need + Math.abs(Math.sin(rad)) * FONT_PX) / 2;
          var halfH = (Math.abs(Math.sin(rad)) * need + Math.abs(Math.cos(rad)) * FONT_PX) / 2;
          var box = [mid.x - halfW, mid.y - halfH, mid.x + halfW, mid.y + halfH];
          if (overlaps(box, boxes)) return;
          boxes.push(box);
          placed.push(mid);
          group.addLayer(L.marker(map.unproject(mid, zoom), {
            pane: "streetNames", interactive: false, keyboard: false,
            icon: L.divIcon({ className: "lc-street-name-anchor", html: label(name, angle), iconSize: [0, 0] }),
          }));
        });
      });
    }

    map.on("zoomend", draw);
    group.on("remove", function () { map.off("zoomend", draw); });
    map.whenReady(draw); // at once when the map has its view already
    return group;
  }

  window.LifecircleStreetNames = { add: add };
})();
