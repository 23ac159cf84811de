// The instance page's diagram: bpmn-js (served from /static/vendor) draws the version's BPMN and colours
// the elements the page lists in data-completed, data-active and data-failed.
(function () {
  "use strict";

  function ids(container, name) {
    var value = container.getAttribute("data-" + name) || "";
    return value.split(" ").filter(function (id) { return id.length > 0; });
  }

  function show(container, message) {
    container.textContent = message;
    container.classList.add("diagram-unavailable");
  }

  function start() {
    var container = document.getElementById("diagram");
    if (!container) {
      return;
    }
    if (typeof window.BpmnJS !== "function") {
      show(container, "El visor de diagramas no está instalado (ejecute scripts/setup.sh).");
      return;
    }
    var viewer = new window.BpmnJS({ container: container });
    fetch(container.getAttribute("data-diagram-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        [["completed", "cauce-completed"], ["active", "cauce-active"], ["failed", "cauce-failed"]]
          .forEach(function (pair) {
            ids(container, pair[0]).forEach(function (id) {
              if (registry.get(id)) {
                canvas.addMarker(id, pair[1]);
              }
            });
          });
        canvas.zoom("fit-viewport");
      })
      .catch(function (error) {
        show(container, "No se pudo cargar el diagrama (" + error.message + ").");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
