// "Use where I am": fills the longitude and latitude fields from the phone's position (WGS84).
(function () {
  var button = document.getElementById("pt-locate");
  if (!button || !navigator.geolocation) { if (button) button.hidden = true; return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var status = document.getElementById("pt-locate-status");
    status.textContent = button.dataset.waiting;
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("id_lon").value = pos.coords.longitude.toFixed(6);
      document.getElementById("id_lat").value = pos.coords.latitude.toFixed(6);
      status.textContent = button.dataset.done;
    }, function () { status.textContent = button.dataset.failed; }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
