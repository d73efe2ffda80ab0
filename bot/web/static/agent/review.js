/* Supervisors' review queue: customer messages the bot was unsure of or agents corrected, masked, with the model's
 * prediction and the labels people gave; Accept (the winning label), Reject, or Relabel (own label, accepted).
 * Every text goes into the page through textContent, never as HTML. */
(function () {
  "use strict";
  var I = window.AgentI18n;
  var PAGE = 50;
  var S = { items: [], next: null, status: "pending" };

  function $(id) { return document.getElementById(id); }
  function percent(value) { return value === null || value === undefined ? I.t("none") : Math.round(value * 100) + "%"; }
  function fact(dl, key, value) {
    dl.appendChild(I.el("dt", null, I.t(key)));
    var dd = I.el("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value === null || value === undefined || value === "" ? I.t("none") : String(value);
    dl.appendChild(dd);
  }
  function showError(failure) {
    var message = failure && failure.body && failure.body.error ? failure.body.error : String(failure && failure.status || "");
    $("alert").textContent = I.t("actionFailed") + message;
    $("alert").hidden = false;
  }

  function chips(values, text) {
    var box = I.el("span", "chips");
    values.forEach(function (value) { box.appendChild(I.el("span", "chip", text(value))); });
    return values.length ? box : null;
  }

  function decide(item, decision, label) {
    var body = { decision: decision };
    if (label) body.label = label;
    return I.api("POST", "/api/v1/nlu/review/" + item.id, body).then(function (updated) {
      $("alert").hidden = true;
      S.items = S.items.map(function (i) { return i.id === updated.id ? updated : i; })
        .filter(function (i) { return i.review_status === S.status; });
      render();
    }).catch(showError);
  }

  function card(item) {
    var box = I.el("article", "card");
    box.dataset.example = String(item.id);
    box.appendChild(I.el("p", "text", item.text));
    var dl = I.el("dl", "facts");
    fact(dl, "language", I.name(item.language));
    fact(dl, "predicted", item.predicted_intent ? item.predicted_intent + " (" + percent(item.predicted_confidence) + ")" : null);
    fact(dl, "candidates", chips(item.candidates, function (c) { return I.name(c); }));
    fact(dl, "labelsSoFar", chips(item.labels, function (l) {
      return I.t("source_" + l.source) + (l.source === "customer" ? "" : " " + l.actor) + ": " + I.name(l.label);
    }));
    fact(dl, "winner", item.winner ? I.name(item.winner) + " · " + I.t("agreement") + " " + percent(item.agreement) : null);
    fact(dl, "origin", I.t("origin_" + item.origin) + " · " + item.channel + " · " + new Date(item.created_at).toLocaleString(I.lang === "en" ? "en-GB" : "zh-CN"));
    if (item.reviewed_by) fact(dl, "status", I.t("review_" + item.review_status) + " · " + I.t("reviewedBy") + item.reviewed_by);
    box.appendChild(dl);

    var actions = I.el("form", "filters");
    actions.autocomplete = "off";
    var accept = I.el("button", "btn btn-primary", I.t("accept"));
    accept.type = "button";
    accept.disabled = !item.winner;
    accept.dataset.action = "accept";
    accept.addEventListener("click", function () { decide(item, "accept"); });
    var reject = I.el("button", "btn btn-danger", I.t("reject"));
    reject.type = "button";
    reject.dataset.action = "reject";
    reject.addEventListener("click", function () { decide(item, "reject"); });
    var select = I.el("select");
    select.setAttribute("aria-label", I.t("relabel"));
    I.categoryOptions(select, item.winner || item.predicted_intent || "out_of_scope");
    var relabel = I.el("button", "btn", I.t("relabel"));
    relabel.type = "submit";
    relabel.dataset.action = "relabel";
    actions.addEventListener("submit", function (event) { event.preventDefault(); decide(item, "relabel", select.value); });
    [accept, reject, select, relabel].forEach(function (node) { actions.appendChild(node); });
    box.appendChild(actions);
    return box;
  }

  function render() {
    var list = $("items");
    I.clear(list);
    if (!S.items.length) list.appendChild(I.el("p", "card muted", I.t("noReview")));
    S.items.forEach(function (item) { list.appendChild(card(item)); });
    $("more").hidden = !S.next;
    document.body.dataset.loaded = "true";
  }

  function load(more) {
    var query = "?status=" + encodeURIComponent(S.status) + "&limit=" + PAGE + (more && S.next ? "&before=" + S.next : "");
    return I.api("GET", "/api/v1/nlu/review" + query).then(function (page) {
      S.items = more ? S.items.concat(page.items) : page.items;
      S.next = page.next_before;
      $("alert").hidden = true;
      render();
    }).catch(showError);
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("filters").addEventListener("submit", function (event) {
      event.preventDefault();
      S.status = $("status").value;
      load(false);
    });
    $("more").addEventListener("click", function () { load(true); });
    I.onChange(render);
    load(false);
  });
})();
