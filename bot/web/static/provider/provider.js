/* Provider portal: sign in with the outlet's API key, list and open tickets (detail.js), refresh every 15 s.
 *
 * Plain JS, no dependencies. The key is kept in sessionStorage only and sent as `Authorization: Bearer` to the
 * provider API on this origin. Every text from the server goes into the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  var API = "/api/v1/provider";
  var REFRESH_MS = 15000;
  var KEYS = { key: "aftersales.provider.key", lang: "aftersales.provider.lang" };
  //: Each tab and the statuses it lists ("new" is whatever awaits the outlet's acceptance).
  var TABS = {
    "new": ["routed", "rerouted"], accepted: ["accepted"], scheduled: ["scheduled"], in_repair: ["in_repair"],
    waiting_parts: ["waiting_parts"], resolved: ["resolved"]
  };

  var portal = window.ProviderPortal = {
    state: { lang: "zh", key: "", outlet: "", tab: "new", view: "signin", items: [], cursor: null, number: null,
             ticket: null, busy: false },
    dom: {}
  };
  var state = portal.state;
  var dom = portal.dom;

  // -- small helpers ---------------------------------------------------------------------------------------------

  function load(storage, key) { try { return window[storage].getItem(key); } catch (e) { return null; } }
  function store(storage, key, value) {
    try {
      if (value === null) window[storage].removeItem(key); else window[storage].setItem(key, value);
    } catch (e) { /* storage unavailable: the portal works until the tab is closed */ }
  }

  portal.t = function (key) {
    var value = window.PROVIDER_STRINGS[state.lang][key];
    return value === undefined ? key : value;
  };
  portal.label = function (group, value) {
    var labels = window.PROVIDER_STRINGS[state.lang][group] || {};
    return labels[value] || value || "—";
  };
  var t = portal.t;

  portal.el = function (tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  portal.clear = function (node) { while (node.firstChild) node.removeChild(node.firstChild); };

  portal.formatTime = function (iso) {
    if (!iso) return "—";
    var date = new Date(iso);
    if (isNaN(date.getTime())) return String(iso);
    return date.toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB", {
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"
    });
  };

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var toastTimer = null;
  portal.toast = function (message, isError) {
    dom.toast.textContent = message;
    dom.toast.classList.toggle("toast-error", Boolean(isError));
    dom.toast.hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function () { dom.toast.hidden = true; }, isError ? 8000 : 4000);
  };

  // -- the provider API ------------------------------------------------------------------------------------------

  function ApiError(status, code, message) { this.status = status; this.code = code; this.message = message; }

  portal.request = function (method, path, body) {
    var headers = { "Authorization": "Bearer " + state.key, "Accept": "application/json" };
    var init = { method: method, headers: headers, cache: "no-store", credentials: "omit" };
    if (method === "POST") {
      headers["Content-Type"] = "application/json";
      headers["Idempotency-Key"] = randomId();  // a retried click of the same action is applied once
      init.body = JSON.stringify(body || {});
    }
    return window.fetch(API + path, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) return data;
        throw new ApiError(response.status, data.code || "", data.error || "");
      });
    }, function () { throw new ApiError(0, "network", ""); });
  };

  portal.explain = function (error) {
    var detail = error.message ? String(error.message) : "";
    switch (error.status) {
      case 400: return t("err400") + detail;
      case 401: return t("keyRejected");
      case 404: return t("err404");
      case 409: return t("err409") + detail;
      case 413: return t("err413");
      case 0: return t("errNetwork");
      default: return t("errServer");
    }
  };

  /* One place for failed calls: 401 signs out, 404 leaves a ticket that is no longer ours, 409 reloads it. */
  portal.fail = function (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401) { signOut(t("keyRejected")); return; }
    portal.toast(portal.explain(error), true);
    if (state.view === "detail" && error.status === 404) portal.openList();
    else if (state.view === "detail" && error.status === 409) portal.loadDetail();
  };

  // -- views -----------------------------------------------------------------------------------------------------

  function show(view) {
    state.view = view;
    dom.signinView.hidden = view !== "signin";
    dom.listView.hidden = view !== "list";
    dom.detailView.hidden = view !== "detail";
    dom.signOut.hidden = view === "signin";
    dom.outlet.hidden = view === "signin";
    dom.outlet.textContent = state.outlet ? t("outlet") + state.outlet : "";
    window.scrollTo(0, 0);
  }

  function showSigninError(message) {
    dom.signinError.textContent = message;
    dom.signinError.hidden = !message;
  }

  function signIn(event) {
    event.preventDefault();
    var key = dom.keyInput.value.trim();
    if (!key) { showSigninError(t("keyMissing")); return; }
    state.key = key;
    dom.signinButton.disabled = true;
    dom.signinButton.textContent = t("signingIn");
    portal.request("GET", "/me").then(function (me) {
      state.outlet = me.outlet_code;
      store("sessionStorage", KEYS.key, key);
      dom.keyInput.value = "";
      showSigninError("");
      portal.openList();
    }, function (error) {
      state.key = "";
      showSigninError(error instanceof ApiError && error.status !== 401 ? portal.explain(error) : t("keyRejected"));
    }).then(function () {
      dom.signinButton.disabled = false;
      dom.signinButton.textContent = t("signIn");
    });
  }

  function signOut(message) {
    store("sessionStorage", KEYS.key, null);
    state.key = ""; state.outlet = ""; state.items = []; state.ticket = null; state.number = null;
    portal.clear(dom.list);
    show("signin");
    showSigninError(message || "");
    dom.keyInput.focus();
  }

  portal.openList = function () {
    state.number = null; state.ticket = null;
    show("list");
    portal.loadList(false);
  };

  portal.loadList = function (more) {
    var tab = state.tab;
    var cursor = more && state.cursor ? "&cursor=" + encodeURIComponent(state.cursor) : "";
    if (!more && !state.items.length) dom.listStatus.textContent = t("loading");
    return Promise.all(TABS[tab].map(function (status) {
      return portal.request("GET", "/tickets?limit=100&status=" + status + cursor);
    })).then(function (pages) {
      if (tab !== state.tab || state.view !== "list") return;
      var items = [];
      pages.forEach(function (page) { items = items.concat(page.items || []); });
      items.sort(function (a, b) { return a.created_at < b.created_at ? 1 : -1; });
      state.items = more ? state.items.concat(items) : items;
      state.cursor = pages.length === 1 ? pages[0].next_cursor : null;
      renderList();
    }).catch(portal.fail);
  };

  function renderList() {
    portal.clear(dom.list);
    state.items.forEach(function (ticket) {
      var item = portal.el("li");
      var card = portal.el("button", "ticket");
      card.type = "button";
      card.dataset.number = ticket.number;
      var top = portal.el("span", "ticket-top");
      top.appendChild(portal.el("span", "number", ticket.number));
      top.appendChild(portal.el("span", "badge badge-" + ticket.status, portal.label("status", ticket.status)));
      card.appendChild(top);
      card.appendChild(portal.el("span", "ticket-what", portal.label("category", ticket.category) + " · " +
                                 portal.label("product", ticket.product_category)));
      if (ticket.symptom) card.appendChild(portal.el("span", "ticket-symptom", ticket.symptom));
      var meta = ticket.status === "scheduled" ? t("appointment") + portal.formatTime(ticket.appointment_at)
        : (ticket.status === "routed" || ticket.status === "rerouted")
          ? t("acceptBy") + portal.formatTime(ticket.sla_accept_due_at) : portal.formatTime(ticket.updated_at);
      card.appendChild(portal.el("span", "ticket-meta", meta));
      item.appendChild(card);
      dom.list.appendChild(item);
    });
    dom.listStatus.textContent = state.items.length ? t("updated") + portal.formatTime(new Date().toISOString())
      : t("empty");
    dom.more.hidden = !state.cursor;
  }

  function selectTab(tab) {
    if (!TABS[tab]) return;
    state.tab = tab; state.items = []; state.cursor = null;
    Array.prototype.forEach.call(dom.tabs.querySelectorAll(".tab"), function (button) {
      button.setAttribute("aria-selected", String(button.dataset.tab === tab));
    });
    portal.clear(dom.list);
    portal.loadList(false);
  }

  // -- language --------------------------------------------------------------------------------------------------

  function setLanguage(lang) {
    state.lang = lang === "en" ? "en" : "zh";
    store("localStorage", KEYS.lang, state.lang);
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.title = t("title") + (state.lang === "zh" ? " · Provider portal" : " · 服务网点工作台");
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (node) {
      node.textContent = t(node.dataset.i18n);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n-label]"), function (node) {
      node.setAttribute("aria-label", t(node.dataset.i18nLabel));
    });
    Array.prototype.forEach.call(document.querySelectorAll(".lang-option"), function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
    });
    dom.outlet.textContent = state.outlet ? t("outlet") + state.outlet : "";
    if (state.view === "list") renderList();
    if (state.view === "detail" && state.ticket) { var ticket = state.ticket; state.ticket = null; portal.render(ticket); }
  }

  // -- start -----------------------------------------------------------------------------------------------------

  function refresh() {
    if (!state.key || state.busy || document.hidden) return;
    if (state.view === "list") portal.loadList(false);
    else if (state.view === "detail") portal.loadDetail();
  }

  function start() {
    ["signin-view", "list-view", "detail-view", "signin-form", "api-key", "signin-button", "signin-error",
     "sign-out", "outlet", "tabs", "ticket-list", "list-status", "more", "back", "toast"].forEach(function (id) {
      dom[id.replace(/-([a-z])/g, function (m, c) { return c.toUpperCase(); })] = document.getElementById(id);
    });
    dom.keyInput = dom.apiKey;
    dom.list = dom.ticketList;
    var saved = load("localStorage", KEYS.lang);
    setLanguage(saved || (/^en\b/i.test(navigator.language || "") ? "en" : "zh"));
    dom.signinForm.addEventListener("submit", signIn);
    dom.signOut.addEventListener("click", function () { signOut(""); });
    dom.back.addEventListener("click", portal.openList);
    dom.more.addEventListener("click", function () { portal.loadList(true); });
    dom.tabs.addEventListener("click", function (event) {
      var tab = event.target.closest(".tab");
      if (tab) selectTab(tab.dataset.tab);
    });
    dom.list.addEventListener("click", function (event) {
      var card = event.target.closest(".ticket");
      if (card) portal.openDetail(card.dataset.number);
    });
    Array.prototype.forEach.call(document.querySelectorAll(".lang-option"), function (button) {
      button.addEventListener("click", function () { setLanguage(button.dataset.lang); });
    });
    portal.startDetail();
    window.setInterval(refresh, REFRESH_MS);
    var key = load("sessionStorage", KEYS.key);
    if (!key) { show("signin"); return; }
    state.key = key;
    portal.request("GET", "/me").then(function (me) { state.outlet = me.outlet_code; portal.openList(); },
                                      function () { signOut(""); });
  }

  document.addEventListener("DOMContentLoaded", start);
}());
