/* Agent console: the handoff queue and live conversations on the left; for the selected conversation its transcript,
 * live triage (with a category correction that becomes a training example), ticket draft, outlets, parts and
 * suggested replies; take over, reply, release. Polls every 3 s.
 * Every text from customers, the bot or the server goes into the page through textContent, never as HTML. */
(function () {
  "use strict";
  var I = window.AgentI18n;
  var POLL_MS = 3000;
  var S = { me: null, selected: null, assist: null, pending: [], inFlight: false, lastTranscript: "",
    correction: { key: null, lang: null } };

  function $(id) { return document.getElementById(id); }
  function path(cid, tail) { return "/api/v1/conversations/" + encodeURIComponent(cid) + tail; }
  function time(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return d.toLocaleTimeString(I.lang === "en" ? "en-GB" : "zh-CN", { hour: "2-digit", minute: "2-digit" });
  }
  function clientId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function showError(failure) {
    var alert = $("alert");
    var message = failure && failure.body && failure.body.error ? failure.body.error : String(failure && failure.status || "");
    alert.textContent = I.t("actionFailed") + message;
    alert.hidden = false;
  }

  function listItem(cid, lines, current) {
    var li = I.el("li");
    var button = I.el("button");
    button.type = "button";
    button.dataset.conversation = cid;
    if (current) button.setAttribute("aria-current", "true");
    button.appendChild(I.el("span", "cid", cid));
    lines.forEach(function (line) { button.appendChild(line); });
    button.addEventListener("click", function () { select(cid); });
    li.appendChild(button);
    return li;
  }

  function renderQueue(handoffs) {
    var list = $("queue");
    I.clear(list);
    if (!handoffs.length) list.appendChild(I.el("li", "empty", I.t("noQueue")));
    handoffs.forEach(function (h) {
      var meta = I.el("span", "meta");
      meta.appendChild(I.el("span", "badge badge-" + h.status, I.t(h.status)));
      meta.appendChild(document.createTextNode(" " + h.channel + " · " + I.name(h.reason === "requested" ? "request_human" : h.reason) +
        " · " + time(h.created_at) + (h.agent ? " · " + h.agent : "")));
      var lines = [meta];
      if (h.summary) lines.push(I.el("span", "meta", h.summary.slice(0, 80)));
      list.appendChild(listItem(h.conversation_id, lines, h.conversation_id === S.selected));
    });
  }

  function renderConversations(found) {
    var list = $("conversations");
    I.clear(list);
    if (!found.length) list.appendChild(I.el("li", "empty", I.t("noConversations")));
    found.forEach(function (c) {
      var meta = I.el("span", "meta", c.channel + " · " + time(c.last_activity) + (c.ticket_number ? " · " + c.ticket_number : ""));
      var lines = [meta];
      if (c.handoff_status) lines.push(I.el("span", "badge badge-" + c.handoff_status, I.t(c.handoff_status)));
      list.appendChild(listItem(c.conversation_id, lines, c.conversation_id === S.selected));
    });
  }

  function fact(dl, key, value) {
    dl.appendChild(I.el("dt", null, I.t(key)));
    var dd = I.el("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value === null || value === undefined || value === "" ? I.t("none") : String(value);
    dl.appendChild(dd);
  }

  function renderTranscript(lines) {
    var box = $("transcript");
    var agentTexts = lines.filter(function (l) { return l.who === "agent"; }).map(function (l) { return l.text; });
    S.pending = S.pending.filter(function (text) { return agentTexts.indexOf(text) < 0; });
    var all = lines.concat(S.pending.map(function (text) { return { who: "agent", text: text, at: null, pending: true }; }));
    var signature = JSON.stringify(all) + I.lang;
    if (signature === S.lastTranscript) return;
    S.lastTranscript = signature;
    var atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
    I.clear(box);
    all.forEach(function (line) {
      var item = I.el("div", "line line-" + line.who);
      item.dataset.who = line.who;
      if (line.who === "system") {
        item.textContent = I.t("system_" + line.text) + " " + time(line.at);
      } else {
        item.appendChild(I.el("span", "who", I.t("who_" + line.who)));
        item.appendChild(I.el("span", "text", line.text));
        if (line.at) item.appendChild(I.el("time", null, time(line.at)));
      }
      box.appendChild(item);
    });
    if (atBottom || box.dataset.fresh !== "0") { box.scrollTop = box.scrollHeight; box.dataset.fresh = "0"; }
  }

  function renderTriage(triage) {
    var dl = $("triage");
    I.clear(dl);
    if (!triage) { fact(dl, "intent", null); return; }
    fact(dl, "category", I.name(triage.category));
    fact(dl, "intent", triage.intent + " (" + Math.round(triage.confidence * 100) + "%)");
    var urgency = I.el("span", "badge badge-" + triage.urgency, I.name(triage.urgency));
    fact(dl, "urgency", urgency);
    fact(dl, "language", I.name(triage.language));
    var chips = I.el("span", "chips");
    triage.entities.forEach(function (e) { chips.appendChild(I.el("span", "chip", e.entity + ": " + e.value)); });
    fact(dl, "entities", triage.entities.length ? chips : null);
  }

  /* The correction menu starts at the triaged category for each new customer message and is left alone by the
   * 3-second refresh while the agent picks. */
  function renderCorrection(triage) {
    var form = $("correction"), select = $("correct-label");
    var key = triage && triage.message_key;
    form.hidden = !key;
    if (!key) { S.correction.key = null; return; }
    if (S.correction.key !== key) {
      I.categoryOptions(select, triage.category);
      S.correction.key = key;
      S.correction.lang = I.lang;
      $("correct-note").textContent = "";
    } else if (S.correction.lang !== I.lang) {
      I.categoryOptions(select);
      S.correction.lang = I.lang;
    }
  }

  function saveCorrection(event) {
    event.preventDefault();
    var key = S.correction.key, cid = S.selected;
    if (!key || !cid) return;
    $("correct-save").disabled = true;
    I.api("POST", path(cid, "/triage-correction"), { message_key: key, label: $("correct-label").value,
      agent: S.me && S.me.username })
      .then(function () { $("correct-note").textContent = I.t("saved"); })
      .catch(function (failure) {
        var message = failure && failure.body && failure.body.error ? failure.body.error : String(failure && failure.status || "");
        $("correct-note").textContent = I.t("saveFailed") + message;
      })
      .then(function () { $("correct-save").disabled = false; });
  }

  function renderDraft(draft) {
    var dl = $("draft");
    I.clear(dl);
    fact(dl, "category", I.name(draft.category));
    fact(dl, "urgency", I.name(draft.urgency));
    fact(dl, "brand", draft.brand_name || draft.brand);
    fact(dl, "product_category", draft.product_category ? I.name(draft.product_category) : null);
    ["product_model", "symptom", "error_code", "location", "phone"].forEach(function (key) { fact(dl, key, draft[key]); });
  }

  function renderItems(id, items, empty, line) {
    var list = $(id);
    I.clear(list);
    if (!items.length) list.appendChild(I.el("li", "empty", I.t(empty)));
    items.forEach(function (item) { list.appendChild(line(item)); });
  }

  function mine(handoff) { return !!(handoff && handoff.status === "taken" && S.me && handoff.agent === S.me.username); }

  function renderAssist(a) {
    S.assist = a;
    $("placeholder").hidden = true;
    $("conv-head").hidden = false;
    $("conv-body").hidden = false;
    $("conv-title").textContent = a.conversation_id + (a.channel ? " · " + a.channel : "");
    var bot = $("bot-state");
    bot.className = "badge " + (a.paused ? "badge-paused" : "badge-bot");
    bot.textContent = I.t(a.paused ? "paused" : "botActive");
    var h = a.handoff, state = $("handoff-state");
    state.hidden = !h;
    if (h) {
      state.className = "badge badge-" + h.status;
      state.textContent = I.t(h.status) + (h.agent ? " · " + I.t("takenBy") + h.agent : "");
    }
    $("take-over").hidden = !!(h && h.status === "taken");
    $("release").hidden = !h || (h.status === "taken" && !mine(h));
    var canWrite = mine(h);
    $("reply").disabled = !canWrite;
    $("send").disabled = !canWrite;
    renderTranscript(a.transcript);
    renderTriage(a.triage);
    renderCorrection(a.triage);
    renderDraft(a.draft);
    renderItems("suggestions", a.suggestions, "none", function (text) {
      var li = I.el("li"), button = I.el("button", "suggestion", text);
      button.type = "button";
      button.addEventListener("click", function () { $("reply").value = text; $("reply").focus(); });
      li.appendChild(button);
      return li;
    });
    renderItems("outlets", a.outlets, "noOutlets", function (o) {
      var li = I.el("li", null, (I.lang === "en" ? o.name_en : o.name_zh) + " · " + o.distance_km + " " + I.t("km"));
      li.appendChild(I.el("span", "sub", o.address + (o.phone ? " · " + o.phone : "") + " · " + o.opening_hours));
      return li;
    });
    renderItems("parts", a.parts, "noParts", function (p) {
      var li = I.el("li", null, p.part_number + " " + (I.lang === "en" ? p.name_en : p.name_zh));
      var where = p.nearest ? " · " + p.nearest + (p.eta_days !== null ? " · " + p.eta_days + " " + I.t("eta") : "") : "";
      li.appendChild(I.el("span", "sub", p.available + " " + I.t("available") + where));
      return li;
    });
  }

  function refreshSelected() {
    if (!S.selected) return Promise.resolve();
    var cid = S.selected;
    return I.api("GET", path(cid, "/assist")).then(function (a) {
      if (cid === S.selected) { renderAssist(a); $("alert").hidden = true; }
    }).catch(function (failure) {
      if (cid === S.selected) { $("alert").textContent = I.t("loadFailed"); $("alert").hidden = false; }
      return failure;
    });
  }

  function refresh() {
    if (S.inFlight) return Promise.resolve();
    S.inFlight = true;
    return Promise.all([
      I.api("GET", "/api/v1/handoffs").then(renderQueue).catch(function () { return null; }),
      I.api("GET", "/api/v1/conversations?limit=50").then(renderConversations).catch(function () { return null; }),
      refreshSelected()
    ]).then(function () { S.inFlight = false; }, function () { S.inFlight = false; });
  }

  function select(cid) {
    S.selected = cid;
    S.pending = [];
    S.lastTranscript = "";
    S.correction.key = null;
    $("transcript").dataset.fresh = "1";
    document.querySelectorAll(".list button").forEach(function (b) {
      if (b.dataset.conversation === cid) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
    refreshSelected();
  }

  function act(promise) {
    $("take-over").disabled = $("release").disabled = true;
    return promise.then(function () { $("alert").hidden = true; }).catch(showError).then(function () {
      $("take-over").disabled = $("release").disabled = false;
      return refresh();
    });
  }

  function takeOver() {
    var h = S.assist && S.assist.handoff, cid = S.selected;
    if (h && h.status === "queued") return act(I.api("POST", "/api/v1/handoffs/" + h.id + "/take", {}));
    return act(I.api("POST", path(cid, "/takeover"), {}));
  }

  function release() {
    var h = S.assist && S.assist.handoff;
    if (h) act(I.api("POST", "/api/v1/handoffs/" + h.id + "/resume", {}));
  }

  function send(event) {
    event.preventDefault();
    var text = $("reply").value.trim();
    if (!text || !S.selected) return;
    $("send").disabled = true;
    I.api("POST", path(S.selected, "/messages"), { text: text, agent: S.me.username, client_id: clientId() })
      .then(function () {
        S.pending.push(text);
        $("reply").value = "";
        $("composer-note").textContent = I.t("sent");
        S.lastTranscript = "";
        if (S.assist) renderTranscript(S.assist.transcript);
      })
      .catch(function (failure) { $("composer-note").textContent = I.t("sendFailed"); showError(failure); })
      .then(function () { $("send").disabled = !mine(S.assist && S.assist.handoff); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("take-over").addEventListener("click", takeOver);
    $("release").addEventListener("click", release);
    $("composer").addEventListener("submit", send);
    $("correction").addEventListener("submit", saveCorrection);
    $("reply").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) send(event);
    });
    I.onChange(function () { S.lastTranscript = ""; if (S.assist) renderAssist(S.assist); refresh(); });
    I.api("GET", "/api/v1/agent/me").then(function (me) {
      S.me = me;
      $("me").textContent = me.username;
      $("dashboard-link").hidden = me.role !== "supervisor";
      $("review-link").hidden = me.role !== "supervisor";
      var wanted = new URLSearchParams(window.location.search).get("conversation");
      if (wanted) select(wanted);
      refresh();
      window.setInterval(refresh, POLL_MS);
    }).catch(function () { return null; });
  });
})();
