// The BPMN editor page: the bpmn-js Modeler (served from /static/vendor) on one of the model's .bpmn files,
// cauce's properties panel (panel.js), and the Validar / Guardar borrador / Desplegar buttons, whose answers
// (problems with file and element id) are drawn on the diagram and listed under it.
(function () {
  "use strict";

  var data, modeler, panel, current, problems = [];

  function $(id) { return document.getElementById(id); }

  function status(message, isError) {
    var node = $("editor-status");
    node.textContent = message;
    node.className = isError ? "error" : "muted";
  }

  function bpmnFiles() { return Object.keys(data.files).filter(function (f) { return /\.bpmn$/i.test(f); }).sort(); }
  function jsonFiles() { return Object.keys(data.files).filter(function (f) { return /\.json$/i.test(f); }).sort(); }

  function keepCurrent() {
    return modeler.saveXML({ format: true }).then(function (result) { data.files[current] = result.xml; });
  }

  function open(file) {
    current = file;
    $("file-switcher").value = file;
    return modeler.importXML(data.files[file]).then(function (result) {
      if (result.warnings && result.warnings.length) {
        status("El diagrama se abrió con " + result.warnings.length + " advertencia(s) del lector BPMN.", false);
      }
      modeler.get("canvas").zoom("fit-viewport");
      drawProblems();
    }).catch(function (error) {
      status("No se pudo abrir " + file + ": " + error.message, true);
    });
  }

  function switchTo(file) {
    if (file === current) { return Promise.resolve(); }
    return keepCurrent().then(function () { return open(file); });
  }

  // An element id the engine reports may be the process's: draw it on the pool that holds the process.
  function shapeFor(id) {
    var registry = modeler.get("elementRegistry");
    var found = id ? registry.get(id) : null;
    if (found) { return found; }
    return registry.filter(function (e) {
      var bo = e.businessObject;
      return bo && bo.processRef && bo.processRef.id === id;
    })[0] || null;
  }

  function clearMarks() {
    var canvas = modeler.get("canvas");
    modeler.get("elementRegistry").getAll().forEach(function (e) { canvas.removeMarker(e.id, "cauce-error"); });
    modeler.get("overlays").remove({ type: "cauce-error" });
  }

  function drawProblems() {
    clearMarks();
    var canvas = modeler.get("canvas");
    var overlays = modeler.get("overlays");
    var perElement = {};
    problems.forEach(function (p) {
      if (p.file && p.file !== current) { return; }
      var shape = shapeFor(p.element_id);
      if (!shape) { return; }
      (perElement[shape.id] = perElement[shape.id] || []).push(p.message);
    });
    Object.keys(perElement).forEach(function (id) {
      canvas.addMarker(id, "cauce-error");
      var note = document.createElement("div");
      note.className = "cauce-error-note";
      note.textContent = perElement[id].join(" · ");
      var shape = modeler.get("elementRegistry").get(id);
      var position = shape.waypoints ? { top: 0, left: 0 } : { bottom: -4, left: 0 };
      overlays.add(id, "cauce-error", { position: position, html: note });
    });
    listProblems();
  }

  function listProblems() {
    var list = $("problems");
    list.textContent = "";
    $("problems-empty").hidden = problems.length > 0;
    problems.forEach(function (p) {
      var item = document.createElement("li");
      var link = document.createElement("button");
      link.type = "button";
      link.className = "link problem-link";
      link.textContent = (p.file || "modelo") + (p.element_id ? " · " + p.element_id : "") + (p.line ? " (línea " + p.line + ")" : "");
      link.addEventListener("click", function () { focusProblem(p); });
      item.appendChild(link);
      item.appendChild(document.createTextNode(": " + p.message));
      list.appendChild(item);
    });
  }

  function focusProblem(p) {
    var go = p.file && p.file !== current && data.files[p.file] !== undefined && /\.bpmn$/i.test(p.file)
      ? switchTo(p.file) : Promise.resolve();
    go.then(function () {
      var shape = shapeFor(p.element_id);
      if (shape) {
        modeler.get("selection").select(shape);
        if (!shape.waypoints) { modeler.get("canvas").scrollToElement(shape, { top: 100, bottom: 100, left: 220, right: 100 }); }
      }
    });
  }

  function post(url) {
    return keepCurrent().then(function () {
      return fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": data.csrf_token },
        body: JSON.stringify({ files: data.files }),
      });
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, error: "HTTP " + response.status, problems: [] }; });
    });
  }

  function answered(answer, okMessage) {
    problems = answer.problems || [];
    drawProblems();
    if (answer.error) {
      status(answer.error, true);
    } else if (problems.length) {
      status("Hay " + problems.length + " problema(s): el modelo no se puede desplegar hasta corregirlos.", true);
    } else {
      status(okMessage, false);
    }
  }

  function busy(on) {
    ["btn-validate", "btn-draft", "btn-deploy"].forEach(function (id) { $(id).disabled = on; });
  }

  function run(url, okMessage, then) {
    busy(true);
    status("Enviando…", false);
    return post(url).then(function (answer) {
      answered(answer, okMessage);
      if (then) { then(answer); }
    }).catch(function (error) {
      status("No se pudo enviar: " + error.message, true);
    }).then(function () { busy(false); });
  }

  function start() {
    data = JSON.parse($("editor-data").textContent);
    var container = $("canvas");
    if (typeof window.BpmnJS !== "function" || typeof window.CauceDesignerPanel !== "function") {
      container.textContent = "El editor de diagramas no está instalado (ejecute scripts/setup.sh).";
      return;
    }
    fetch(data.descriptor_url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (descriptor) {
        modeler = new window.BpmnJS({ container: container, keyboard: { bindTo: document },
                                       moddleExtensions: { spiffworkflow: descriptor } });
        window.cauceModeler = modeler;  // for the browser tests and the curious
        panel = new window.CauceDesignerPanel(modeler, $("properties"), data.vocabulary, jsonFiles);
        var switcher = $("file-switcher");
        bpmnFiles().forEach(function (f) {
          var option = document.createElement("option");
          option.value = f;
          option.textContent = f;
          switcher.appendChild(option);
        });
        $("file-switcher-label").hidden = bpmnFiles().length < 2;
        switcher.addEventListener("change", function () { switchTo(switcher.value); });
        $("btn-validate").addEventListener("click", function () {
          run(data.validate_url, "Sin problemas: el modelo se puede desplegar.");
        });
        $("btn-draft").addEventListener("click", function () {
          run(data.draft_url, "Borrador guardado.");
        });
        $("btn-deploy").addEventListener("click", function () {
          if (!window.confirm("¿Desplegar una nueva versión? Las instancias en curso siguen en su versión.")) { return; }
          run(data.deploy_url, "Desplegado.", function (answer) {
            if (answer.ok && answer.version) {
              window.location.assign(data.edit_url + "?version=" + encodeURIComponent(answer.version));
            }
          });
        });
        // The model's own diagram first (a case model also carries the shared parts it calls).
        var first = data.files[data.model + ".bpmn"] !== undefined ? data.model + ".bpmn" : bpmnFiles()[0];
        if (!first) { container.textContent = "El modelo no tiene archivos .bpmn."; return null; }
        return open(first).then(function () { document.body.setAttribute("data-editor-ready", "1"); });
      })
      .catch(function (error) { status("No se pudo iniciar el editor: " + error.message, true); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
