// cauce's properties panel for the bpmn-js Modeler: only what cauce reads (see engine/checks.py and
// engine/compiler.py). Every edit goes through `modeling` so the Modeler's undo/redo covers it.
(function () {
  "use strict";

  var SPIFF = "spiffworkflow:";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function is(bo, type) { return bo && bo.$instanceOf && bo.$instanceOf(type); }

  function Panel(modeler, container, vocabulary, jsonFiles) {
    this.modeler = modeler;
    this.container = container;
    this.vocabulary = vocabulary;
    this.jsonFiles = jsonFiles;
    this.modeling = modeler.get("modeling");
    this.moddle = modeler.get("moddle");
    this.canvas = modeler.get("canvas");
    this.element = null;
    var self = this;
    var bus = modeler.get("eventBus");
    bus.on("selection.changed", function (event) {
      self.show(event.newSelection.length === 1 ? event.newSelection[0] : null);
    });
    bus.on("commandStack.changed", function () { self.show(self.element); });
    bus.on("import.done", function () { self.show(null); });
  }

  // ---- moddle helpers ---------------------------------------------------------------------------------------

  Panel.prototype.extension = function (bo, type) {
    var values = (bo.extensionElements && bo.extensionElements.values) || [];
    for (var i = 0; i < values.length; i++) { if (is(values[i], type)) { return values[i]; } }
    return null;
  };

  Panel.prototype.ensureExtension = function (element, bo, type, attrs) {
    var found = this.extension(bo, type);
    if (found) { return found; }
    var ext = bo.extensionElements;
    if (!ext) {
      ext = this.moddle.create("bpmn:ExtensionElements", { values: [] });
      ext.$parent = bo;
      this.modeling.updateModdleProperties(element, bo, { extensionElements: ext });
    }
    var created = this.moddle.create(type, attrs || {});
    created.$parent = ext;
    this.modeling.updateModdleProperties(element, ext, { values: (ext.values || []).concat([created]) });
    return created;
  };

  Panel.prototype.property = function (bo, name) {
    var props = this.extension(bo, SPIFF + "Properties");
    var list = (props && props.properties) || [];
    for (var i = 0; i < list.length; i++) { if (list[i].name === name) { return list[i]; } }
    return null;
  };

  Panel.prototype.setProperty = function (element, bo, name, value) {
    var found = this.property(bo, name);
    if (found && value === "") {
      var props = this.extension(bo, SPIFF + "Properties");
      this.modeling.updateModdleProperties(element, props, {
        properties: props.properties.filter(function (p) { return p !== found; }) });
    } else if (found) {
      this.modeling.updateModdleProperties(element, found, { value: value });
    } else if (value !== "") {
      var holder = this.ensureExtension(element, bo, SPIFF + "Properties", { properties: [] });
      var prop = this.moddle.create(SPIFF + "Property", { name: name, value: value });
      prop.$parent = holder;
      this.modeling.updateModdleProperties(element, holder, { properties: (holder.properties || []).concat([prop]) });
    }
  };

  Panel.prototype.setBodyExtension = function (element, bo, type, value) {
    var found = this.extension(bo, type);
    if (found && value === "") {
      this.modeling.updateModdleProperties(element, bo.extensionElements, {
        values: bo.extensionElements.values.filter(function (v) { return v !== found; }) });
    } else if (found) {
      this.modeling.updateModdleProperties(element, found, { value: value });
    } else if (value !== "") {
      this.ensureExtension(element, bo, type, { value: value });
    }
  };

  Panel.prototype.expression = function (text) {
    return text === "" ? undefined : this.moddle.create("bpmn:FormalExpression", { body: text });
  };

  // ---- form controls ----------------------------------------------------------------------------------------

  Panel.prototype.field = function (label, control, hint) {
    var id = "prop-" + label.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    control.id = control.id || id;
    return el("div", { "class": "prop-field" }, [
      el("label", { "for": control.id, text: label }), control,
      hint ? el("small", { "class": "muted", text: hint }) : null]);
  };

  Panel.prototype.input = function (value, onChange, multiline, name) {
    var control = el(multiline ? "textarea" : "input", multiline ? { rows: "4" } : { type: "text" });
    control.value = value || "";
    if (name) { control.setAttribute("name", name); }
    control.addEventListener("change", function () { onChange(control.value.trim() === "" ? "" : control.value); });
    return control;
  };

  Panel.prototype.select = function (value, options, onChange, name, empty) {
    var control = el("select", name ? { name: name } : {});
    var known = false;
    if (empty !== null) { control.appendChild(el("option", { value: "", text: empty || "(ninguno)" })); }
    options.forEach(function (pair) {
      control.appendChild(el("option", { value: pair[0], text: pair[1] }));
      if (pair[0] === value) { known = true; }
    });
    if (value && !known) {  // keep what the diagram says, flagged, rather than silently dropping it
      control.appendChild(el("option", { value: value, text: value + " (desconocido)" }));
    }
    control.value = value || "";
    control.addEventListener("change", function () { onChange(control.value); });
    return control;
  };

  // ---- the panel --------------------------------------------------------------------------------------------

  Panel.prototype.show = function (element) {
    if (element && !this.modeler.get("elementRegistry").get(element.id)) { element = null; }
    this.element = element;
    var target = element || this.canvas.getRootElement();
    var box = this.container;
    box.textContent = "";
    if (!target || !target.businessObject) { return; }
    var bo = target.businessObject;
    box.appendChild(el("h2", { text: element ? "Propiedades" : "Proceso" }));
    box.appendChild(el("p", { "class": "muted prop-type", text: bo.$type.replace("bpmn:", "") + " · " + (bo.id || "") }));
    var self = this;
    var sections = [];
    if (is(bo, "bpmn:Collaboration") || is(bo, "bpmn:Process") || is(bo, "bpmn:Participant")) {
      sections = this.processFields(target, bo);
    } else {
      sections.push(this.field("Nombre", this.input(bo.name, function (v) {
        self.modeling.updateProperties(target, { name: v || undefined });
      }, false, "name")));
      if (is(bo, "bpmn:Lane")) { sections = this.laneFields(target, bo); }
      if (is(bo, "bpmn:ServiceTask")) { sections = sections.concat(this.serviceFields(target, bo)); }
      if (is(bo, "bpmn:UserTask") || is(bo, "bpmn:ManualTask")) { sections = sections.concat(this.humanFields(target, bo)); }
      if (is(bo, "bpmn:ScriptTask")) {
        sections.push(this.field("Script", this.input(bo.script, function (v) {
          self.modeling.updateProperties(target, { script: v || undefined, scriptFormat: bo.scriptFormat || "python" });
        }, true, "script")));
      }
      if (is(bo, "bpmn:ExclusiveGateway") || is(bo, "bpmn:InclusiveGateway")) {
        sections = sections.concat(this.gatewayFields(target, bo));
      }
      if (is(bo, "bpmn:SequenceFlow")) { sections = sections.concat(this.flowFields(target, bo)); }
      if (is(bo, "bpmn:Event")) { sections = sections.concat(this.eventFields(target, bo)); }
    }
    sections.forEach(function (node) { box.appendChild(node); });
  };

  // The field builders for each kind of element live in panel_fields.js; they share these helpers.
  Panel.dom = { el: el, is: is, SPIFF: SPIFF };
  window.CauceDesignerPanel = Panel;
}());
