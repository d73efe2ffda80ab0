/* Customer web chat: talks to Rasa's REST channel (POST {rasa}/webhooks/rest/webhook).
 *
 * Plain JS, no dependencies. Every text that comes from the bot or the customer is put into the page with
 * textContent, never as HTML, so a message cannot inject markup or script.
 */
(function () {
  "use strict";

  var TICKET_PATTERN = /AS-\d{8}-[A-HJ-NP-Z2-9]{6}/g;
  // U+1F4CD, the pin: a shared location's text starts with it (as on the other channels, the bot reads it that way),
  // but many machines have no emoji font, so the page never shows it as a glyph: bubbles draw the pin icon instead.
  var PIN = "\uD83D\uDCCD";
  var REQUEST_TIMEOUT_MS = 30000;
  var TRANSCRIPT_LIMIT = 100;
  var POLL_INTERVAL_MS = 5000;
  var KEYS = { sender: "aftersales.chat.sender", lang: "aftersales.chat.lang", transcript: "aftersales.chat.transcript",
    updates: "aftersales.chat.updates" };

  var STRINGS = window.AFTERSALES_CHAT_STRINGS;  // chat-strings.js, loaded first

  var state = { lang: "zh", sender: "", endpoint: "", queue: Promise.resolve(), transcript: [], after: 0,
    polling: false };
  var dom = {};

  // -- storage (may be unavailable: private mode, sandboxed iframes) ------------------------------------------

  function load(storage, key) {
    try { return window[storage].getItem(key); } catch (e) { return null; }
  }

  function store(storage, key, value) {
    try { window[storage].setItem(key, value); } catch (e) { /* the chat still works, it just forgets */ }
  }

  function randomSender() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "web:" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function senderId() {
    var existing = load("localStorage", KEYS.sender);
    if (existing && /^web:[0-9a-f]{32}$/.test(existing)) return existing;
    var fresh = randomSender();
    store("localStorage", KEYS.sender, fresh);
    return fresh;
  }

  function initialLanguage() {
    var asked = new URLSearchParams(window.location.search).get("lang");
    if (asked === "zh" || asked === "en") return asked;
    var saved = load("localStorage", KEYS.lang);
    if (saved === "zh" || saved === "en") return saved;
    return /^en\b/i.test(navigator.language || "") ? "en" : "zh";
  }

  function t(key) { return STRINGS[state.lang][key]; }

  // -- DOM helpers ----------------------------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* The share-location button's SVG pin, sized by CSS to the text around it; hidden from screen readers. */
  function pinIcon() {
    var icon = dom.locate.querySelector("svg").cloneNode(true);
    icon.removeAttribute("width");
    icon.removeAttribute("height");
    icon.setAttribute("class", "pin-icon");
    return icon;
  }

  /* `text` into `node` as text nodes, each pin emoji drawn as the pin icon: nothing in it ever becomes HTML. */
  function appendText(node, text) {
    text.split(PIN).forEach(function (part, i) {
      if (i) node.appendChild(pinIcon());
      if (part) node.appendChild(document.createTextNode(part));
    });
    return node;
  }

  function scrollToEnd() {
    dom.log.scrollTop = dom.log.scrollHeight;
  }

  function applyLanguage() {
    var html = document.documentElement;
    html.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.title = state.lang === "zh" ? "在线客服 · 售后服务助手" : "Customer service · After-sales assistant";
    document.querySelectorAll("[data-i18n]").forEach(function (node) { node.textContent = t(node.dataset.i18n); });
    document.querySelectorAll("[data-i18n-label]").forEach(function (node) {
      node.setAttribute("aria-label", t(node.dataset.i18nLabel));
    });
    document.querySelectorAll("[data-i18n-title]").forEach(function (node) { node.title = t(node.dataset.i18nTitle); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (node) {
      node.placeholder = t(node.dataset.i18nPlaceholder);
    });
    document.querySelectorAll(".lang-option").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
    });
  }

  // -- rendering ------------------------------------------------------------------------------------------------

  function remember(item) {
    state.transcript.push(item);
    if (state.transcript.length > TRANSCRIPT_LIMIT) state.transcript.splice(0, state.transcript.length - TRANSCRIPT_LIMIT);
    store("sessionStorage", KEYS.transcript, JSON.stringify(state.transcript));
  }

  function bubble(from, text) {
    var row = el("div", "row row-" + from);
    var body = el("div", "bubble bubble-" + from);
    body.appendChild(el("span", "visually-hidden", from === "bot" ? t("botSays") : t("youSay")));
    body.appendChild(appendText(el("span", "bubble-text"), text));
    row.appendChild(body);
    dom.log.appendChild(row);
    return row;
  }

  function ticketNumbers(text) {
    var found = text.match(TICKET_PATTERN) || [];
    return found.filter(function (number, i) { return found.indexOf(number) === i; });
  }

  function ticketCard(number) {
    var card = el("div", "ticket-card");
    card.setAttribute("role", "group");
    card.setAttribute("aria-label", t("ticketCard") + number);
    card.appendChild(el("div", "ticket-card-label", t("ticketLabel")));
    card.appendChild(el("div", "ticket-card-number", number));
    var check = el("button", "ticket-card-action", t("checkStatus"));
    check.type = "button";
    check.addEventListener("click", function () {
      // The intent as a payload; the customer sees the command in their language.
      send("/ticket_status" + JSON.stringify({ ticket_number: number }), { display: t("statusCommand") + number });
    });
    card.appendChild(check);
    var row = el("div", "row row-bot row-card");
    row.appendChild(card);
    dom.log.appendChild(row);
  }

  function quickReplies(buttons) {
    var group = el("div", "quick-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("quickReplies"));
    buttons.forEach(function (button) {
      if (!button || typeof button.title !== "string" || typeof button.payload !== "string") return;
      var node = el("button", "quick-reply", button.title);
      node.type = "button";
      node.addEventListener("click", function (event) {
        send(button.payload, { display: button.title });
        // The buttons go away: keep keyboard users in the conversation, but don't pop up a phone's keyboard.
        if (event.detail === 0) dom.input.focus();
      });
      group.appendChild(node);
    });
    dom.log.appendChild(group);
  }

  function clearQuickReplies() {
    dom.log.querySelectorAll(".quick-replies").forEach(function (group) { group.remove(); });
  }

  function notice(text, retry) {
    var row = el("div", "notice");
    row.setAttribute("role", retry ? "alert" : "status");
    row.appendChild(el("span", "notice-text", text));
    if (retry) {
      var again = el("button", "notice-action", t("retry"));
      again.type = "button";
      again.addEventListener("click", function () { row.remove(); retry(); });
      row.appendChild(again);
    }
    dom.log.appendChild(row);
    scrollToEnd();
    return row;
  }

  function renderItem(item, live) {
    if (item.from === "user") {
      bubble("user", item.text);
    } else if (item.from === "bot") {
      if (item.text) {
        bubble("bot", item.text);
        ticketNumbers(item.text).forEach(ticketCard);
      }
      if (item.image) {
        var link = el("a", "bubble bubble-bot bubble-link", t("openImage"));
        link.href = item.image;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        var row = el("div", "row row-bot");
        row.appendChild(link);
        dom.log.appendChild(row);
      }
      if (live && item.buttons && item.buttons.length) quickReplies(item.buttons);
    } else if (item.from === "divider") {
      dom.log.appendChild(el("div", "divider", item.text));
    }
    scrollToEnd();
  }

  function addItem(item) {
    remember(item);
    renderItem(item, true);
  }

  function restoreTranscript() {
    var raw = load("sessionStorage", KEYS.transcript);
    if (!raw) return false;
    try {
      var items = JSON.parse(raw);
      if (!Array.isArray(items) || !items.length) return false;
      state.transcript = items.slice(-TRANSCRIPT_LIMIT);
      state.transcript.forEach(function (item, i) { renderItem(item, i === state.transcript.length - 1); });
      return true;
    } catch (e) {
      return false;
    }
  }

  function botItem(reply) {
    var item = { from: "bot", text: typeof reply.text === "string" ? reply.text : "" };
    if (Array.isArray(reply.buttons)) {
      item.buttons = reply.buttons.map(function (b) {
        return { title: String(b && b.title || ""), payload: String(b && b.payload || "") };
      }).filter(function (b) { return b.title && b.payload; });
    }
    if (typeof reply.image === "string" && /^https?:\/\//i.test(reply.image)) item.image = reply.image;
    return item;
  }

  // -- talking to Rasa ------------------------------------------------------------------------------------------

  function setTyping(on) {
    dom.typing.hidden = !on;
    if (on) scrollToEnd();
  }

  function setOnline(ok) {
    dom.statusText.textContent = ok ? t("subtitle") : t("offline");
    dom.statusText.dataset.i18n = ok ? "subtitle" : "offline";
    dom.status.classList.toggle("is-offline", !ok);
  }

  function post(text, metadata) {
    var controller = new AbortController();
    var timer = window.setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    var body = { sender: state.sender, message: text };
    if (metadata) body.metadata = metadata;
    return fetch(state.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal,
      credentials: "omit"
    }).then(function (response) {
      if (!response.ok) throw new Error("status " + response.status);
      return response.json();
    }).finally(function () { window.clearTimeout(timer); });
  }

  function deliver(text, metadata) {
    setTyping(true);
    return post(text, metadata).then(function (replies) {
      setOnline(true);
      (Array.isArray(replies) ? replies : []).forEach(function (reply) {
        if (reply && typeof reply === "object") addItem(botItem(reply));
      });
    }).catch(function (error) {
      setOnline(false);
      var message = error && error.name === "AbortError" ? t("slow") : t("unreachable");
      notice(message, function () { enqueue(text, metadata); });
    }).finally(function () { setTyping(false); });
  }

  function enqueue(text, metadata) {
    // One message at a time, in order: the bot answers each before the next is sent.
    state.queue = state.queue.then(function () { return deliver(text, metadata); });
    return state.queue;
  }

  /* Send `text` to the bot; `options.display` is what the customer's bubble shows (none: a silent message). */
  function send(text, options) {
    if (!state.endpoint) return Promise.resolve();
    var opts = options || {};
    clearQuickReplies();
    if (opts.display) addItem({ from: "user", text: opts.display });
    return enqueue(text, opts.metadata);
  }

  // -- updates the bot cannot send by itself (ticket progress, agents' messages): GET /chat/updates --------------

  function loadCursor() {
    // "<sender> <last id>": the cursor belongs to one sender id, and is forgotten with it.
    var saved = (load("localStorage", KEYS.updates) || "").split(" ");
    var after = saved[0] === state.sender ? parseInt(saved[1], 10) : 0;
    return after > 0 ? after : 0;
  }

  function pollUpdates() {
    if (state.polling || document.visibilityState !== "visible") return;
    state.polling = true;
    var url = "/chat/updates?sender=" + encodeURIComponent(state.sender) + "&after=" + state.after;
    fetch(url, { credentials: "omit", cache: "no-store" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      if (!body || !Array.isArray(body.messages)) return;
      body.messages.forEach(function (message) {
        if (!message || typeof message.id !== "number" || message.id <= state.after) return;
        state.after = message.id;
        // A rating question comes with its 1–5 buttons, which answer like the bot's own.
        if (typeof message.text === "string" && message.text) addItem(botItem(message));
      });
      if (typeof body.next === "number" && body.next > state.after) state.after = body.next;
      store("localStorage", KEYS.updates, state.sender + " " + state.after);
    }).catch(function () { /* offline for now: the next poll catches up */ }).finally(function () {
      state.polling = false;
    });
  }

  function startPolling() {
    pollUpdates();
    window.setInterval(pollUpdates, POLL_INTERVAL_MS);
    document.addEventListener("visibilitychange", pollUpdates);
  }

  // -- user actions ---------------------------------------------------------------------------------------------

  function onSubmit(event) {
    event.preventDefault();
    var text = dom.input.value.trim();
    if (!text) return;
    dom.input.value = "";
    send(text, { display: text });
  }

  function switchLanguage(lang) {
    if (lang === state.lang || !STRINGS[lang]) return;
    state.lang = lang;
    store("localStorage", KEYS.lang, lang);
    applyLanguage();
    addItem({ from: "divider", text: t("switched") });
    send(t("greeting"));
  }

  function shareLocation() {
    if (!navigator.geolocation) {
      notice(t("locationUnsupported"));
      return;
    }
    var pending = notice(t("locating"));
    dom.locate.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      pending.remove();
      dom.locate.disabled = false;
      var latitude = Math.round(position.coords.latitude * 1e5) / 1e5;
      var longitude = Math.round(position.coords.longitude * 1e5) / 1e5;
      // The text becomes the location the bot repeats back; the coordinates travel in the metadata.
      var coordinates = latitude.toFixed(5) + ", " + longitude.toFixed(5);
      send(PIN + " " + coordinates, { display: PIN + " " + t("locationShared") + " (" + coordinates + ")",
        metadata: { location: { latitude: latitude, longitude: longitude } } });
    }, function (error) {
      pending.remove();
      dom.locate.disabled = false;
      notice(error && error.code === 1 ? t("locationDenied") : t("locationUnavailable"));
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 });
  }

  // -- start ----------------------------------------------------------------------------------------------------

  function start() {
    dom.log = document.getElementById("chat-log");
    dom.typing = document.getElementById("typing");
    dom.status = document.getElementById("chat-status");
    dom.statusText = document.getElementById("chat-status-text");
    dom.input = document.getElementById("message");
    dom.locate = document.getElementById("share-location");
    state.lang = initialLanguage();
    state.sender = senderId();
    state.after = loadCursor();
    applyLanguage();

    document.getElementById("composer").addEventListener("submit", onSubmit);
    dom.locate.addEventListener("click", shareLocation);
    document.querySelectorAll(".lang-option").forEach(function (button) {
      button.addEventListener("click", function () { switchLanguage(button.dataset.lang); });
    });

    var restored = restoreTranscript();
    fetch("/chat/config.json", { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("status " + response.status);
      return response.json();
    }).then(function (config) {
      state.endpoint = String(config.rasaUrl).replace(/\/+$/, "") + String(config.webhookPath);
      document.body.dataset.ready = "true";
      if (!restored) send(t("greeting"));
      startPolling();
    }).catch(function () {
      setOnline(false);
      notice(t("configFailed"));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
