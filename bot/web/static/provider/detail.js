/* Provider portal: one ticket — facts, the customer's contact once accepted, history, and what can be done next
 * (accept, reject with a reason, schedule, status updates, notes). Uses the helpers of provider.js. */
(function () {
  "use strict";

  var portal = window.ProviderPortal;
  var state = portal.state;
  var dom = portal.dom;
  var t = portal.t;
  var el = portal.el;

  //: What the outlet can do in each status (the lifecycle's allowed moves); a note can always be added.
  var ACTIONS = {
    routed: ["accept", "reject"], rerouted: ["accept", "reject"],
    accepted: ["schedule", "in_repair", "waiting_parts"], scheduled: ["schedule", "in_repair", "waiting_parts"],
    in_repair: ["waiting_parts", "resolve"], waiting_parts: ["in_repair", "resolve"], resolved: ["reopen"]
  };
  var PHONE = /^\+?[0-9][0-9 -]{3,24}$/;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* "2026-12-05T09:30" (a datetime-local value, in the browser's time zone) → ISO 8601 with the browser's offset. */
  function localToIso(value) {
    var date = new Date(value);
    if (!value || isNaN(date.getTime())) return null;
    var offset = -date.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    offset = Math.abs(offset);
    return value.slice(0, 16) + ":00" + sign + pad(Math.floor(offset / 60)) + ":" + pad(offset % 60);
  }

  function nowLocal() {
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
      pad(d.getMinutes());
  }

  function fact(list, key, value) {
    if (value === null || value === undefined || value === "") return;
    list.appendChild(el("dt", null, t(key)));
    var dd = el("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = String(value);
    list.appendChild(dd);
  }

  function actorName(actor) {
    var kind = String(actor || "").split(":")[0];
    if (actor === "outlet:" + state.outlet) return t("you");
    if (kind === "system") return t("system");
    if (kind === "agent") return t("agent");
    if (/customer$/.test(String(actor))) return t("customer");
    return String(actor || "");
  }

  function renderHistory(events) {
    portal.clear(dom.history);
    (events || []).slice().reverse().forEach(function (event) {
      var item = el("li", "event");
      var head = el("div", "event-head");
      head.appendChild(el("span", "event-kind", portal.label("kind", event.kind)));
      head.appendChild(el("span", "event-when", portal.formatTime(event.at) + " · " + actorName(event.actor)));
      item.appendChild(head);
      Object.keys(event.data || {}).forEach(function (name) {
        var labels = window.PROVIDER_STRINGS[state.lang].data;
        if (!labels[name]) return;  // bookkeeping (ids, previous times) is not shown
        var value = name === "at" ? portal.formatTime(event.data[name]) : event.data[name];
        item.appendChild(el("p", "event-data", labels[name] + ": " + value));
      });
      dom.history.appendChild(item);
    });
  }

  function renderContact(contact) {
    dom.contactCard.hidden = !contact;
    portal.clear(dom.contact);
    if (!contact) return;
    var phone = null;
    if (contact.phone && PHONE.test(contact.phone)) {
      phone = el("a", "phone", contact.phone);
      phone.setAttribute("href", "tel:" + contact.phone.replace(/[ -]/g, ""));
    }
    fact(dom.contact, "f_phone", phone || contact.phone);
    fact(dom.contact, "f_address", contact.location_text);
    fact(dom.contact, "f_language", portal.label("lang", contact.language));
  }

  // -- actions ---------------------------------------------------------------------------------------------------

  function setBusy(busy) {
    state.busy = busy;
    Array.prototype.forEach.call(dom.actions.querySelectorAll("button, input, textarea"), function (node) {
      node.disabled = busy;
    });
  }

  function post(path, body, doneKey) {
    if (state.busy) return;
    var number = state.number;
    setBusy(true);
    portal.request("POST", "/tickets/" + encodeURIComponent(number) + path, body).then(function (result) {
      portal.toast(t(doneKey));
      if (path === "/reject") { state.busy = false; portal.openList(); return; }
      if (state.number === number) { state.ticket = null; portal.render(result); }
    }).catch(portal.fail).then(function () { if (state.busy) setBusy(false); });
  }

  function button(key, className, onClick) {
    var node = el("button", className, t(key));
    node.type = "button";
    node.dataset.action = key;
    node.addEventListener("click", onClick);
    return node;
  }

  function input(tag, attributes) {
    var node = el(tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    return node;
  }

  /* A small form: labelled fields and a submit button; `submit(values)` returns an error text key or sends. */
  function form(name, fields, submitKey, className, submit) {
    var node = el("form", "action-form");
    node.dataset.form = name;
    node.noValidate = true;
    fields.forEach(function (spec) {
      var label = el("label", "field");
      label.appendChild(el("span", "field-label", t(spec.label)));
      label.appendChild(spec.node);
      node.appendChild(label);
    });
    var send = el("button", className, t(submitKey));
    send.type = "submit";
    node.appendChild(send);
    node.addEventListener("submit", function (event) {
      event.preventDefault();
      var problem = submit();
      if (problem) portal.toast(t(problem), true);
    });
    return node;
  }

  var BUILDERS = {
    accept: function () {
      return button("accept", "primary", function () { post("/accept", {}, "done_accept"); });
    },
    reject: function () {
      var reason = input("textarea", { maxlength: "500", rows: "2", name: "reason" });
      return form("reject", [{ label: "rejectReason", node: reason }], "reject", "danger", function () {
        if (!reason.value.trim()) return "reasonMissing";
        post("/reject", { reason: reason.value.trim() }, "done_reject");
      });
    },
    schedule: function () {
      var when = input("input", { type: "datetime-local", min: nowLocal(), name: "at" });
      return form("schedule", [{ label: "scheduleLabel", node: when }], "schedule", "secondary", function () {
        var at = localToIso(when.value);
        if (!at) return "timeMissing";
        post("/schedule", { at: at }, "done_schedule");
      });
    },
    in_repair: function () {
      return button("toInRepair", "secondary", function () { post("/status", { status: "in_repair" }, "done_status"); });
    },
    reopen: function () {
      return button("backToRepair", "secondary", function () {
        post("/status", { status: "in_repair" }, "done_status");
      });
    },
    waiting_parts: function () {
      var code = input("input", { type: "text", maxlength: "64", name: "part_code", autocomplete: "off" });
      var quantity = input("input", { type: "number", min: "1", max: "100", value: "1", name: "quantity" });
      var fields = [{ label: "partCode", node: code }, { label: "quantity", node: quantity }];
      return form("waiting_parts", fields, "waitingParts", "secondary", function () {
        var body = { status: "waiting_parts" };
        if (code.value.trim()) {
          body.part_code = code.value.trim();
          body.quantity = Math.max(1, Math.min(100, parseInt(quantity.value, 10) || 1));
        }
        post("/status", body, "done_status");
      });
    },
    resolve: function () {
      var notes = input("textarea", { maxlength: "2000", rows: "3", name: "notes" });
      return form("resolve", [{ label: "resolveNotes", node: notes }], "resolve", "primary", function () {
        if (!notes.value.trim()) return "notesMissing";
        post("/status", { status: "resolved", notes: notes.value.trim() }, "done_status");
      });
    },
    note: function () {
      var text = input("textarea", { maxlength: "2000", rows: "2", name: "text" });
      return form("note", [{ label: "noteLabel", node: text }], "addNote", "secondary", function () {
        if (!text.value.trim()) return "noteMissing";
        post("/notes", { text: text.value.trim() }, "done_note");
      });
    }
  };

  function renderActions(ticket) {
    portal.clear(dom.actions);
    dom.actions.appendChild(el("h3", null, t("actionsTitle")));
    var names = ACTIONS[ticket.status] || [];
    if (!names.length) dom.actions.appendChild(el("p", "muted", t("noActions")));
    names.concat(["note"]).forEach(function (name) {
      var block = el("div", "action action-" + name);
      block.appendChild(BUILDERS[name]());
      dom.actions.appendChild(block);
    });
  }

  // -- the view --------------------------------------------------------------------------------------------------

  portal.render = function (ticket) {
    var moved = !state.ticket || state.ticket.status !== ticket.status || state.ticket.number !== ticket.number;
    state.ticket = ticket;
    dom.title.textContent = ticket.number;
    dom.status.textContent = portal.label("status", ticket.status);
    dom.status.className = "badge badge-" + ticket.status;
    portal.clear(dom.facts);
    fact(dom.facts, "f_category", portal.label("category", ticket.category));
    fact(dom.facts, "f_priority", portal.label("priority", ticket.priority));
    fact(dom.facts, "f_service", portal.label("service", ticket.service_type));
    fact(dom.facts, "f_product", portal.label("product", ticket.product_category));
    fact(dom.facts, "f_symptom", ticket.symptom);
    fact(dom.facts, "f_created", portal.formatTime(ticket.created_at));
    if (ticket.status === "routed" || ticket.status === "rerouted") {
      fact(dom.facts, "f_acceptDue", portal.formatTime(ticket.sla_accept_due_at));
    }
    fact(dom.facts, "f_resolveDue", ticket.sla_resolve_due_at && portal.formatTime(ticket.sla_resolve_due_at));
    fact(dom.facts, "f_appointment", ticket.appointment_at && portal.formatTime(ticket.appointment_at));
    fact(dom.facts, "f_parts", (ticket.reservations || []).map(function (r) {
      return r.part_number + " × " + r.quantity;
    }).join(", "));
    renderContact(ticket.contact);
    renderHistory(ticket.events);
    if (moved) renderActions(ticket);  // a refresh keeps what is being typed unless the status changed
  };

  portal.loadDetail = function () {
    var number = state.number;
    if (!number) return Promise.resolve();
    return portal.request("GET", "/tickets/" + encodeURIComponent(number)).then(function (ticket) {
      if (state.number === number && state.view === "detail") portal.render(ticket);
    }).catch(portal.fail);
  };

  portal.openDetail = function (number) {
    state.number = number;
    state.ticket = null;
    dom.title.textContent = number;
    dom.status.textContent = "";
    [dom.facts, dom.contact, dom.actions, dom.history].forEach(portal.clear);
    dom.contactCard.hidden = true;
    dom.listView.hidden = true;
    dom.detailView.hidden = false;
    state.view = "detail";
    window.scrollTo(0, 0);
    portal.loadDetail();
  };

  portal.startDetail = function () {
    dom.title = document.getElementById("detail-title");
    dom.status = document.getElementById("detail-status");
    dom.facts = document.getElementById("detail-facts");
    dom.contactCard = document.getElementById("detail-contact-card");
    dom.contact = document.getElementById("detail-contact");
    dom.actions = document.getElementById("detail-actions");
    dom.history = document.getElementById("detail-history");
  };
}());
