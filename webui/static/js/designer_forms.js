// The forms editor: a field table kept in sync with the raw JSON of the schema and the UI schema, and a live
// preview the server draws with the task page's own renderer (so what the designer sees is what a user gets).
(function () {
  "use strict";
  const form = document.getElementById("form-editor");
  if (!form) return;
  const schemaBox = document.getElementById("f-esquema");
  const uiBox = document.getElementById("f-esquema-ui");
  const body = document.querySelector("#field-table tbody");
  const note = document.getElementById("table-note");
  const preview = document.getElementById("form-preview");
  const previewErrors = document.getElementById("preview-errors");
  const TYPES = [["string", "Texto"], ["number", "Número"], ["integer", "Entero"], ["boolean", "Sí/No"], ["date", "Fecha"]];
  const WIDGETS = ["", "textarea", "radio", "money", "file"];
  let timer = null;
  let sequence = 0;

  function parse(text) {
    try { const value = JSON.parse(text); return value && typeof value === "object" && !Array.isArray(value) ? value : null; }
    catch (e) { return null; }
  }

  function typeOf(prop) {
    if (prop.type === "string" && prop.format === "date") return "date";
    return prop.type || "string";
  }

  function cell(child) { const td = document.createElement("td"); td.appendChild(child); return td; }

  function input(kind, value, key, label) {
    const el = document.createElement("input");
    el.type = kind; el.dataset.key = key; el.setAttribute("aria-label", label);
    if (kind === "checkbox") el.checked = !!value; else el.value = value || "";
    return el;
  }

  function select(options, value, key, label) {
    const el = document.createElement("select");
    el.dataset.key = key; el.setAttribute("aria-label", label);
    options.forEach(function (o) {
      const opt = document.createElement("option");
      opt.value = Array.isArray(o) ? o[0] : o; opt.textContent = Array.isArray(o) ? o[1] : (o || "(automático)");
      el.appendChild(opt);
    });
    el.value = value || "";
    return el;
  }

  function row(name, prop, ui, required) {
    const tr = document.createElement("tr");
    tr.className = "field-row";
    tr.appendChild(cell(input("text", name, "name", "Nombre")));
    tr.appendChild(cell(input("text", prop.title, "title", "Título")));
    tr.appendChild(cell(select(TYPES, typeOf(prop), "type", "Tipo")));
    tr.appendChild(cell(input("checkbox", required, "required", "Requerido")));
    const options = input("text", (prop.enum || []).join(", "), "enum", "Opciones");
    if (Array.isArray(prop.oneOf)) {
      // Choices with their own labels (oneOf of const/title) are edited in the JSON; the table only shows them.
      options.value = prop.oneOf.map(function (o) { return o && o.title !== undefined ? o.title : (o && o.const); }).join(", ");
      options.disabled = true;
      options.title = "Opciones con etiqueta (oneOf): edítelas en el JSON";
    }
    tr.appendChild(cell(options));
    tr.appendChild(cell(select(WIDGETS, ui["ui:widget"], "widget", "Widget")));
    tr.appendChild(cell(input("checkbox", prop.readOnly, "readOnly", "Solo lectura")));
    tr.appendChild(cell(input("text", ui["ui:help"], "help", "Ayuda")));
    const remove = document.createElement("button");
    remove.type = "button"; remove.textContent = "Quitar"; remove.className = "link remove-field";
    tr.appendChild(cell(remove));
    tr.dataset.original = name;
    return tr;
  }

  // JSON -> table (when the JSON is valid; otherwise the table keeps its last state and says why).
  function drawTable() {
    const schema = parse(schemaBox.value);
    const ui = parse(uiBox.value);
    if (!schema || !ui) {
      note.textContent = "El JSON no es válido: la tabla muestra su último estado válido.";
      note.hidden = false;
      return;
    }
    note.hidden = true;
    const props = schema.properties || {};
    const required = schema.required || [];
    const order = (ui["ui:order"] || []).filter(function (n) { return n in props; });
    const names = order.concat(Object.keys(props).filter(function (n) { return order.indexOf(n) < 0; }));
    body.textContent = "";
    names.forEach(function (n) { body.appendChild(row(n, props[n] || {}, ui[n] || {}, required.indexOf(n) >= 0)); });
  }

  function value(tr, key) {
    const el = tr.querySelector("[data-key='" + key + "']");
    return el.type === "checkbox" ? el.checked : el.value.trim();
  }

  // Table -> JSON: only the keys the table edits change; everything else in both files is kept as written.
  function writeJson() {
    const schema = parse(schemaBox.value) || { type: "object" };
    const ui = parse(uiBox.value) || {};
    const oldProps = schema.properties || {};
    const props = {};
    const required = [];
    const order = [];
    Array.prototype.forEach.call(body.querySelectorAll("tr.field-row"), function (tr) {
      const name = value(tr, "name");
      if (!name) return;
      const before = tr.dataset.original;
      const prop = Object.assign({}, oldProps[before] || {});
      const kind = value(tr, "type");
      prop.type = kind === "date" ? "string" : kind;
      if (kind === "date") prop.format = "date"; else if (prop.format === "date") delete prop.format;
      const title = value(tr, "title");
      if (title) prop.title = title; else delete prop.title;
      const choices = tr.querySelector("[data-key='enum']").disabled ? [] : value(tr, "enum").split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      if (choices.length) prop.enum = choices.map(function (c) { return kind === "number" || kind === "integer" ? Number(c) : c; });
      else if (!Array.isArray(prop.oneOf)) delete prop.enum;
      if (value(tr, "readOnly")) prop.readOnly = true; else delete prop.readOnly;
      props[name] = prop;
      if (value(tr, "required")) required.push(name);
      order.push(name);
      const entry = Object.assign({}, ui[before] || {});
      if (before && before !== name) delete ui[before];
      const widget = value(tr, "widget");
      if (widget) entry["ui:widget"] = widget; else delete entry["ui:widget"];
      const help = value(tr, "help");
      if (help) entry["ui:help"] = help; else delete entry["ui:help"];
      if (Object.keys(entry).length) ui[name] = entry; else delete ui[name];
      tr.dataset.original = name;
    });
    Object.keys(oldProps).forEach(function (n) { if (!(n in props)) delete ui[n]; });
    schema.properties = props;
    schema.required = required;
    const keep = (ui["ui:order"] || []).filter(function (n) { return n === "*" || !(n in oldProps) && !(n in props); });
    ui["ui:order"] = order.concat(keep);
    schemaBox.value = JSON.stringify(schema, null, 2) + "\n";
    uiBox.value = JSON.stringify(ui, null, 2) + "\n";
    schedulePreview();
  }

  function showProblems(answer) {
    const items = (answer.problems || []).map(function (p) {
      return p.file + (p.line ? ", línea " + p.line : "") + ": " + p.message;
    }).concat((answer.errors || []).map(function (e) { return e.field + ": " + e.message; }));
    previewErrors.textContent = "";
    const list = document.createElement("ul");
    (items.length ? items : [answer.error || "La vista previa no está disponible."]).forEach(function (t) {
      const li = document.createElement("li"); li.textContent = t; list.appendChild(li);
    });
    previewErrors.appendChild(list);
    previewErrors.hidden = false;
  }

  function refreshPreview() {
    const mine = ++sequence;
    fetch(form.dataset.previewUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
      body: JSON.stringify({ model: form.dataset.model, file: form.dataset.file, schema: schemaBox.value, ui_schema: uiBox.value }),
    }).then(function (response) {
      if (mine !== sequence) return null;  // a newer edit already asked again
      if (response.ok) {
        return response.text().then(function (html) {
          if (mine !== sequence) return;
          previewErrors.hidden = true;
          // The server renders it with Jinja's autoescaping: the same markup the task page shows.
          preview.innerHTML = html;
          preview.dataset.version = String(mine);
        });
      }
      return response.json().then(showProblems, function () { showProblems({ error: "Error " + response.status }); });
    }).catch(function () { showProblems({ error: "No se pudo contactar al servidor." }); });
  }

  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 300);
  }

  body.addEventListener("input", writeJson);
  body.addEventListener("change", writeJson);
  body.addEventListener("click", function (event) {
    if (!event.target.classList.contains("remove-field")) return;
    event.target.closest("tr").remove();
    writeJson();
  });
  document.getElementById("add-field").addEventListener("click", function () {
    const taken = {};
    Array.prototype.forEach.call(body.querySelectorAll("[data-key='name']"), function (el) { taken[el.value] = true; });
    let n = 1;
    while (taken["campo_" + n]) n += 1;
    const tr = row("campo_" + n, { type: "string", title: "Campo " + n }, {}, false);
    tr.dataset.original = "";
    body.appendChild(tr);
    writeJson();
    tr.querySelector("[data-key='name']").focus();
  });
  [schemaBox, uiBox].forEach(function (box) {
    box.addEventListener("input", function () { drawTable(); schedulePreview(); });
  });
  drawTable();
  refreshPreview();
})();
