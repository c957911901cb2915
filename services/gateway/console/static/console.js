// The console's only script (vendored, no network): the place picker, "use my location",
// and scanning a code with the camera where the browser has BarcodeDetector.
(function () {
  document.querySelectorAll("[data-pick-into]").forEach(function (select) {
    select.addEventListener("change", function () {
      var target = document.getElementById(select.dataset.pickInto);
      if (target && select.value) { target.value = select.value; }
    });
  });
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    if (!navigator.geolocation) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("lng").value = pos.coords.longitude.toFixed(6);
      });
    });
  });
  document.querySelectorAll("[data-category-switch]").forEach(function (select) {
    select.addEventListener("change", function () {
      var url = new URL(window.location.href);
      url.searchParams.set("category", select.value);
      window.location.href = url.toString();
    });
  });
  var scan = document.querySelector("[data-scan-into]");
  if (scan) {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { scan.hidden = true; return; }
    scan.addEventListener("click", async function () {
      var video = document.getElementById("scan-video");
      var stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}});
      video.hidden = false; video.srcObject = stream; await video.play();
      var detector = new BarcodeDetector({formats: ["qr_code"]});
      var timer = setInterval(async function () {
        var found = await detector.detect(video);
        if (found.length) {
          clearInterval(timer); stream.getTracks().forEach(function (t) { t.stop(); });
          video.hidden = true;
          var input = document.getElementById(scan.dataset.scanInto);
          input.value = found[0].rawValue; input.form.submit();
        }
      }, 300);
    });
  }
})();
