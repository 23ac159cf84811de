// "Tiene 109 seg para validar la sesión": counts down on the page. The server's expiry is the rule; this only shows it.
(function () {
  "use strict";
  function start() {
    var shown = document.getElementById("otp-seconds");
    if (!shown) { return; }
    var deadline = Date.now() + 1000 * parseInt(shown.getAttribute("data-seconds") || "0", 10);
    function tick() {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      shown.textContent = String(left);
      if (left === 0) {
        var note = document.getElementById("otp-expired");
        if (note) { note.hidden = false; }
        return;
      }
      window.setTimeout(tick, 1000);
    }
    tick();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
