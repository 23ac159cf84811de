// The properties panel's fields for each kind of element (process, lane, service task, human task, gateway,
// flow, events, timers, messages). Loaded after panel.js, which defines the panel and its helpers.
(function () {
  "use strict";

  var Panel = window.CauceDesignerPanel;
  var el = Panel.dom.el;
  var is = Panel.dom.is;
  var SPIFF = Panel.dom.SPIFF;

  Panel.prototype.processFields = function (element, bo) {
    var process = is(bo, "bpmn:Participant") ? bo.processRef : bo;
    if (is(bo, "bpmn:Collaboration")) {
      var participant = (bo.participants || []).filter(function (p) { return p.processRef; })[0];
      process = participant && participant.processRef;
      element = participant ? this.modeler.get("elementRegistry").get(participant.id) || element : element;
    }
    if (!process) { return []; }
    var self = this;
    return [
      this.field("Nombre del proceso", this.input(process.name, function (v) {
        self.modeling.updateModdleProperties(element, process, { name: v || undefined });
      }, false, "process-name")),
      this.field("Prefijo del número de caso", this.input((this.property(process, "caseNumberPrefix") || {}).value,
        function (v) { self.setProperty(element, process, "caseNumberPrefix", v); }, false, "caseNumberPrefix"),
        "De 2 a 8 letras mayúsculas (caseNumberPrefix)."),
      this.field("Expresión del sujeto", this.input((this.property(process, "subjectExpression") || {}).value,
        function (v) { self.setProperty(element, process, "subjectExpression", v); }, false, "subjectExpression"),
        "De quién trata la instancia, p. ej. el código del estudiante (subjectExpression)."),
    ];
  };

  Panel.prototype.laneFields = function (element, bo) {
    var self = this;
    var roles = this.vocabulary.roles.map(function (r) { return [r[0], r[1] + " (" + r[0] + ")"]; });
    return [this.field("Rol del carril", this.select(bo.name, roles, function (v) {
      self.modeling.updateProperties(element, { name: v || undefined });
    }, "lane-role", "(sin rol)"), "El nombre del carril es el código del rol que trabaja sus tareas.")];
  };

  Panel.prototype.handler = function (name) {
    return this.vocabulary.handlers.filter(function (h) { return h.name === name; })[0] || null;
  };

  Panel.prototype.serviceFields = function (element, bo) {
    var self = this;
    var operator = this.extension(bo, SPIFF + "ServiceTaskOperator");
    var current = operator ? operator.id || "" : "";
    var options = this.vocabulary.handlers.map(function (h) { return [h.name, h.name]; });
    var nodes = [this.field("Handler", this.select(current, options, function (v) { self.setHandler(element, bo, v); },
      "handler", "(sin handler)"))];
    var info = this.handler(current);
    if (info && info.doc) { nodes.push(el("p", { "class": "muted prop-doc", text: info.doc })); }
    if (operator) {
      nodes.push(this.field("Variable del resultado", this.input(operator.resultVariable, function (v) {
        self.modeling.updateModdleProperties(element, operator, { resultVariable: v || undefined });
      }, false, "resultVariable")));
    }
    if (info) {
      var given = {};
      ((operator.parameterList && operator.parameterList.parameters) || []).forEach(function (p) { given[p.id] = p; });
      info.parameters.forEach(function (param) {
        var label = param.name + (param.required ? " *" : "") + (param.annotation ? " (" + param.annotation + ")" : "");
        var control = self.input(given[param.name] ? given[param.name].value : "", function (v) {
          self.setParameter(element, operator, param, v);
        }, false, "param-" + param.name);
        control.id = "param-" + param.name;
        if (param.required) { control.setAttribute("aria-required", "true"); }
        nodes.push(self.field(label, control, param.required ? "Obligatorio. Valor: una expresión." : "Valor: una expresión."));
      });
    }
    return nodes;
  };

  Panel.prototype.setHandler = function (element, bo, name) {
    var operator = this.extension(bo, SPIFF + "ServiceTaskOperator");
    if (!name) {
      if (operator) {
        this.modeling.updateModdleProperties(element, bo.extensionElements, {
          values: bo.extensionElements.values.filter(function (v) { return v !== operator; }) });
      }
      return;
    }
    operator = operator || this.ensureExtension(element, bo, SPIFF + "ServiceTaskOperator", { id: name });
    // Keep the values of parameters the new handler also takes; drop the others (the deploy check refuses them).
    var info = this.handler(name);
    var old = {};
    ((operator.parameterList && operator.parameterList.parameters) || []).forEach(function (p) { old[p.id] = p; });
    var list = this.moddle.create(SPIFF + "Parameters", { parameters: [] });
    list.$parent = operator;
    var self = this;
    list.parameters = (info ? info.parameters : []).filter(function (p) { return old[p.name]; }).map(function (p) {
      var kept = self.moddle.create(SPIFF + "Parameter",
        { id: p.name, type: old[p.name].type || p.annotation || "any", value: old[p.name].value });
      kept.$parent = list;
      return kept;
    });
    this.modeling.updateModdleProperties(element, operator, { id: name, parameterList: list });
  };

  Panel.prototype.setParameter = function (element, operator, param, value) {
    var list = operator.parameterList;
    var found = ((list && list.parameters) || []).filter(function (p) { return p.id === param.name; })[0];
    if (found && value === "") {
      this.modeling.updateModdleProperties(element, list, {
        parameters: list.parameters.filter(function (p) { return p !== found; }) });
      return;
    }
    if (found) { this.modeling.updateModdleProperties(element, found, { value: value }); return; }
    if (value === "") { return; }
    if (!list) {
      list = this.moddle.create(SPIFF + "Parameters", { parameters: [] });
      list.$parent = operator;
      this.modeling.updateModdleProperties(element, operator, { parameterList: list });
    }
    var created = this.moddle.create(SPIFF + "Parameter", { id: param.name, type: param.annotation || "any", value: value });
    created.$parent = list;
    this.modeling.updateModdleProperties(element, list, { parameters: (list.parameters || []).concat([created]) });
  };

  Panel.prototype.humanFields = function (element, bo) {
    var self = this;
    var json = this.jsonFiles().map(function (f) { return [f, f]; });
    function prop(name) { return (self.property(bo, name) || {}).value || ""; }
    var instructions = this.extension(bo, SPIFF + "InstructionsForEndUser");
    return [
      this.field("Formulario (JSON Schema)", this.select(prop("formJsonSchemaFilename"), json, function (v) {
        self.setProperty(element, bo, "formJsonSchemaFilename", v);
      }, "formJsonSchemaFilename", "(sin formulario)")),
      this.field("Formulario (UI Schema)", this.select(prop("formUiSchemaFilename"), json, function (v) {
        self.setProperty(element, bo, "formUiSchemaFilename", v);
      }, "formUiSchemaFilename", "(sin UI schema)")),
      this.field("Instrucciones", this.input(instructions ? instructions.value : "", function (v) {
        self.setBodyExtension(element, bo, SPIFF + "InstructionsForEndUser", v);
      }, true, "instructionsForEndUser"), "Markdown con plantilla Jinja."),
      this.field("Plazo (dueIn)", this.input(prop("dueIn"), function (v) {
        self.setProperty(element, bo, "dueIn", v);
      }, false, "dueIn"), "Duración ISO 8601, p. ej. P2D o PT4H."),
    ];
  };

  Panel.prototype.gatewayFields = function (element, bo) {
    var self = this;
    var registry = this.modeler.get("elementRegistry");
    var flows = (bo.outgoing || []).map(function (f) { return [f.id, (f.name ? f.name + " · " : "") + f.id]; });
    return [this.field("Flujo por defecto", this.select(bo["default"] ? bo["default"].id : "", flows, function (v) {
      var flow = v ? registry.get(v) : null;
      self.modeling.updateProperties(element, { "default": flow ? flow.businessObject : undefined });
    }, "default-flow", "(sin flujo por defecto)"))];
  };

  Panel.prototype.flowFields = function (element, bo) {
    var self = this;
    var source = bo.sourceRef;
    if (!source || !(is(source, "bpmn:ExclusiveGateway") || is(source, "bpmn:InclusiveGateway"))) { return []; }
    var isDefault = source["default"] === bo;
    return [this.field("Condición", this.input(bo.conditionExpression ? bo.conditionExpression.body : "", function (v) {
      self.modeling.updateProperties(element, { conditionExpression: self.expression(v) });
    }, true, "condition"), isDefault ? "Es el flujo por defecto: no necesita condición." : "Expresión Python que da verdadero o falso.")];
  };

  Panel.prototype.eventFields = function (element, bo) {
    var self = this;
    var nodes = [];
    (bo.eventDefinitions || []).forEach(function (def) {
      if (is(def, "bpmn:TimerEventDefinition")) { nodes = nodes.concat(self.timerFields(element, def)); }
      if (is(def, "bpmn:MessageEventDefinition")) { nodes = nodes.concat(self.messageFields(element, bo, def)); }
    });
    return nodes;
  };

  Panel.prototype.timerFields = function (element, def) {
    var self = this;
    var kinds = [["timeDuration", "Duración"], ["timeDate", "Fecha"], ["timeCycle", "Ciclo"]];
    var kind = kinds.map(function (k) { return k[0]; }).filter(function (k) { return def[k]; })[0] || "timeDuration";
    var value = def[kind] ? def[kind].body : "";
    var kindSelect = this.select(kind, kinds, function (v) {
      var props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
      props[v || "timeDuration"] = self.expression(def[kind] ? def[kind].body : "");
      self.modeling.updateModdleProperties(element, def, props);
    }, "timer-kind", null);
    var valueInput = this.input(value, function (v) {
      var props = {};
      props[kind] = self.expression(v);
      self.modeling.updateModdleProperties(element, def, props);
    }, false, "timer-value");
    return [this.field("Tipo de temporizador", kindSelect),
            this.field("Expresión del temporizador", valueInput, "Duración ISO 8601 (P1D), fecha ISO o ciclo (R3/PT1H).")];
  };

  Panel.prototype.definitions = function () {
    var bo = this.canvas.getRootElement().businessObject;
    while (bo && bo.$parent) { bo = bo.$parent; }
    return bo;
  };

  Panel.prototype.messageFields = function (element, bo, def) {
    var self = this;
    var definitions = this.definitions();
    var messages = (definitions.rootElements || []).filter(function (r) { return is(r, "bpmn:Message"); });
    var options = messages.map(function (m) { return [m.id, m.name || m.id]; }).concat([["__new__", "Nuevo mensaje…"]]);
    var nodes = [this.field("Mensaje", this.select(def.messageRef ? def.messageRef.id : "", options, function (v) {
      var message = messages.filter(function (m) { return m.id === v; })[0];
      if (v === "__new__") {
        var name = window.prompt("Nombre del nuevo mensaje");
        if (!name) { self.show(self.element); return; }
        message = self.moddle.create("bpmn:Message", { id: "Message_" + name.replace(/[^A-Za-z0-9_]/g, "_"), name: name });
        message.$parent = definitions;
        self.modeling.updateModdleProperties(element, definitions, { rootElements: definitions.rootElements.concat([message]) });
      }
      self.modeling.updateModdleProperties(element, def, { messageRef: message || undefined });
    }, "message", "(sin mensaje)"))];
    nodes.push(this.field("Clave de correlación", this.input((this.property(bo, "correlationKey") || {}).value, function (v) {
      self.setProperty(element, bo, "correlationKey", v);
    }, false, "correlationKey"), "Expresión cuyo valor une el mensaje con su instancia."));
    var throwing = is(bo, "bpmn:ThrowEvent");
    var type = throwing ? SPIFF + "MessagePayload" : SPIFF + "MessageVariable";
    var current = this.extension(def, type);
    nodes.push(this.field(throwing ? "Contenido (payload)" : "Variable que recibe el mensaje",
      this.input(current ? current.value : "", function (v) { self.setBodyExtension(element, def, type, v); },
        throwing, throwing ? "messagePayload" : "messageVariable")));
    return nodes;
  };
}());
