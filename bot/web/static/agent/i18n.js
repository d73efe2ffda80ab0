/* Texts of the agent console, sign-in, dashboard and review pages in Chinese and English, and the shared helpers
 * (language choice, API calls with the CSRF header, element building with textContent only). */
(function () {
  "use strict";

  var STRINGS = {
    zh: {
      consoleTitle: "坐席工作台", loginTitle: "坐席登录", dashboardTitle: "主管看板", forbidden: "仅限主管访问。",
      username: "用户名", password: "密码", signIn: "登录", signOut: "退出", back: "返回工作台",
      badCredentials: "用户名或密码错误。", throttled: "失败次数过多，请稍后再试。", loginFailed: "登录失败，请重试。",
      queue: "转人工队列", conversations: "最近会话", noQueue: "队列为空", noConversations: "暂无会话",
      pick: "请从左侧选择一个会话。", takeOver: "接管", release: "交还机器人", send: "发送",
      composerLabel: "回复客户", composerHint: "接管后可直接回复客户，消息会发送到客户所在的渠道。",
      composerPlaceholder: "输入回复…", sent: "已发送", sendFailed: "发送失败，请重试。",
      paused: "机器人已暂停", botActive: "机器人应答中", queued: "排队中", taken: "已接管", closed: "已结束",
      takenBy: "接管人：", transcript: "对话记录", triage: "实时分诊", draft: "工单草稿", outlets: "最近的授权网点",
      parts: "配件库存", suggestions: "建议回复", none: "—", noOutlets: "需要品牌、产品和位置。",
      noParts: "需要品牌（和型号）。", who_user: "客户", who_bot: "机器人", who_agent: "坐席", who_system: "系统",
      system_pause: "机器人已暂停", system_resume: "机器人已恢复", intent: "意图", category: "分类",
      urgency: "紧急程度", language: "语言", entities: "实体", confidence: "置信度", brand: "品牌",
      product_category: "产品", product_model: "型号", symptom: "故障", error_code: "故障码", location: "位置",
      phone: "电话", available: "可用", eta: "天到货", km: "公里", loadFailed: "加载失败，稍后自动重试。",
      actionFailed: "操作失败：", dashboard: "看板", from: "开始日期", to: "结束日期", apply: "查询",
      totalTickets: "工单总数", slaBreaches: "SLA 超时", lateAccepts: "超时接单", openOverdue: "超时未接",
      timeouts: "超时改派", ticketsByCategory: "每日工单（按分类）", ticketsByBrand: "工单数（按品牌）",
      ticketsByRegion: "工单数（按地区）", ticketsByStatus: "工单数（按状态）", slaByDay: "每日 SLA 超时",
      acceptanceRate: "网点接单率（%）", acceptanceTime: "网点接单时长中位数（分钟）", csatByOutlet: "网点满意度（平均分）",
      day: "日期", tickets: "工单", outlet: "网点", offers: "派单", accepted: "接单", rejected: "拒单",
      rate: "接单率", medianMinutes: "中位数（分钟）", csat: "满意度", ratings: "评价数", showTable: "查看数据表",
      noData: "所选时间段内没有数据。", signedInAs: "当前用户：", region: "地区", status: "状态",
      correctCategory: "更正分类", save: "保存", saved: "已保存，待主管审核", saveFailed: "保存失败：",
      review: "标注审核", reviewTitle: "标注审核", reviewHint: "机器人不确定或坐席更正过的客户消息（已脱敏）。通过的会用于训练。",
      review_pending: "待审核", review_accepted: "已通过", review_rejected: "已驳回", accept: "通过", reject: "驳回",
      relabel: "改标并通过", predicted: "模型预测", candidates: "候选", labelsSoFar: "已有标注", winner: "当前结果",
      agreement: "一致率", origin: "来源", origin_did_you_mean: "客户选择", origin_agent: "坐席更正",
      origin_low_confidence: "低置信度", source_customer: "客户", source_agent: "坐席", source_supervisor: "主管",
      noReview: "没有待处理的消息。", loadMore: "加载更多", reviewedBy: "审核人：", text: "消息"
    },
    en: {
      consoleTitle: "Agent console", loginTitle: "Agent sign-in", dashboardTitle: "Supervisor dashboard",
      forbidden: "Supervisors only.", username: "Username", password: "Password", signIn: "Sign in",
      signOut: "Sign out", back: "Back to the console", badCredentials: "Wrong username or password.",
      throttled: "Too many failed attempts; try again later.", loginFailed: "Sign-in failed; please retry.",
      queue: "Handoff queue", conversations: "Live conversations", noQueue: "The queue is empty",
      noConversations: "No conversations yet", pick: "Pick a conversation on the left.", takeOver: "Take over",
      release: "Release to bot", send: "Send", composerLabel: "Reply to the customer",
      composerHint: "After taking over, your replies reach the customer on their own channel.",
      composerPlaceholder: "Type a reply…", sent: "Sent", sendFailed: "Could not send; please retry.",
      paused: "Bot paused", botActive: "Bot answering", queued: "Queued", taken: "Taken", closed: "Closed",
      takenBy: "Agent: ", transcript: "Transcript", triage: "Live triage", draft: "Ticket draft",
      outlets: "Nearest authorised outlets", parts: "Parts on hand", suggestions: "Suggested replies", none: "—",
      noOutlets: "Needs brand, product and location.", noParts: "Needs a brand (and model).", who_user: "Customer",
      who_bot: "Bot", who_agent: "Agent", who_system: "System", system_pause: "Bot paused",
      system_resume: "Bot resumed", intent: "Intent", category: "Category", urgency: "Urgency", language: "Language",
      entities: "Entities", confidence: "Confidence", brand: "Brand", product_category: "Product",
      product_model: "Model", symptom: "Symptom", error_code: "Error code", location: "Location", phone: "Phone",
      available: "available", eta: "days", km: "km", loadFailed: "Could not load; retrying shortly.",
      actionFailed: "Action failed: ", dashboard: "Dashboard", from: "From", to: "To", apply: "Apply",
      totalTickets: "Tickets", slaBreaches: "SLA breaches", lateAccepts: "Late accepts", openOverdue: "Open overdue",
      timeouts: "Timeouts", ticketsByCategory: "Tickets per day by category", ticketsByBrand: "Tickets by brand",
      ticketsByRegion: "Tickets by region", ticketsByStatus: "Tickets by status", slaByDay: "SLA breaches per day",
      acceptanceRate: "Outlet acceptance rate (%)", acceptanceTime: "Outlet median time to accept (minutes)",
      csatByOutlet: "CSAT per outlet (average)", day: "Day", tickets: "Tickets", outlet: "Outlet",
      offers: "Offers", accepted: "Accepted", rejected: "Rejected", rate: "Rate", medianMinutes: "Median (min)",
      csat: "CSAT", ratings: "Ratings", showTable: "Show the data as a table",
      noData: "No data in the selected range.", signedInAs: "Signed in as ", region: "Region", status: "Status",
      correctCategory: "Correct category", save: "Save", saved: "Saved; a supervisor will review it",
      saveFailed: "Could not save: ", review: "Label review", reviewTitle: "Label review",
      reviewHint: "Customer messages the bot was unsure of or agents corrected (masked). Accepted ones are trained on.",
      review_pending: "Pending", review_accepted: "Accepted", review_rejected: "Rejected", accept: "Accept",
      reject: "Reject", relabel: "Relabel and accept", predicted: "Predicted", candidates: "Candidates",
      labelsSoFar: "Labels so far", winner: "Winning label", agreement: "Agreement", origin: "Origin",
      origin_did_you_mean: "Customer's choice", origin_agent: "Agent correction", origin_low_confidence: "Low confidence",
      source_customer: "Customer", source_agent: "Agent", source_supervisor: "Supervisor",
      noReview: "Nothing to review.", loadMore: "Load more", reviewedBy: "Reviewed by ", text: "Message"
    }
  };
  var NAMES = {
    report_fault: ["报修", "Report fault"], warranty_query: ["保修查询", "Warranty"],
    parts_availability: ["配件查询", "Parts"], ticket_status: ["进度查询", "Ticket status"],
    complaint: ["投诉", "Complaint"], request_human: ["转人工", "Human"], installation_request: ["安装", "Installation"],
    return_refund: ["退换货", "Return/refund"], find_service_centre: ["找网点", "Service centre"],
    greet: ["问候", "Greeting"], out_of_scope: ["其他", "Out of scope"], "new": ["新建", "New"],
    routed: ["已派单", "Routed"], rejected: ["已拒单", "Rejected"], rerouted: ["已改派", "Rerouted"],
    accepted: ["已接单", "Accepted"], scheduled: ["已预约", "Scheduled"], in_repair: ["维修中", "In repair"],
    waiting_parts: ["等配件", "Waiting parts"], resolved: ["已解决", "Resolved"], closed: ["已关闭", "Closed"],
    cancelled: ["已取消", "Cancelled"], safety: ["安全", "Safety"], high: ["高", "High"], normal: ["普通", "Normal"],
    zh: ["中文", "Chinese"], en: ["英文", "English"], mixed: ["中英混合", "Mixed"],
    phone: ["手机", "Phone"], laptop: ["笔记本电脑", "Laptop"], desktop: ["台式电脑", "Desktop PC"],
    tablet: ["平板电脑", "Tablet"], tv: ["电视", "TV"], air_conditioner: ["空调", "Air conditioner"],
    refrigerator: ["冰箱", "Refrigerator"], washing_machine: ["洗衣机", "Washing machine"],
    water_heater: ["热水器", "Water heater"], server: ["服务器", "Server"]
  };
  /* The 11 triage categories, in the order the correction and relabel menus list them. */
  var CATEGORIES = ["report_fault", "warranty_query", "parts_availability", "ticket_status", "complaint",
    "request_human", "installation_request", "return_refund", "find_service_centre", "greet", "out_of_scope"];
  var KEY = "aftersales.agent.lang";

  function initialLang() {
    var stored = null;
    try { stored = localStorage.getItem(KEY); } catch (e) { stored = null; }
    if (stored === "zh" || stored === "en") return stored;
    return /^zh/i.test(navigator.language || "") ? "zh" : "en";
  }

  var I = { lang: initialLang(), listeners: [], categories: CATEGORIES.slice() };
  I.t = function (key) { return (STRINGS[I.lang] || STRINGS.en)[key] || key; };
  I.name = function (key) {
    var pair = NAMES[key];
    return pair ? pair[I.lang === "en" ? 1 : 0] : String(key);
  };
  I.apply = function (root) {
    document.documentElement.lang = I.lang === "en" ? "en" : "zh-CN";
    (root || document).querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = I.t(el.dataset.i18n); });
    (root || document).querySelectorAll("[data-i18n-placeholder]").forEach(function (el) {
      el.placeholder = I.t(el.dataset.i18nPlaceholder);
    });
    document.querySelectorAll(".lang-switch button").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.lang === I.lang));
    });
    if (document.body.dataset.titleKey) document.title = I.t(document.body.dataset.titleKey);
  };
  I.setLang = function (lang) {
    I.lang = lang;
    try { localStorage.setItem(KEY, lang); } catch (e) { /* private mode: the choice lasts for this page */ }
    I.apply();
    I.listeners.forEach(function (fn) { fn(); });
  };
  I.onChange = function (fn) { I.listeners.push(fn); };
  /* An element with text set through textContent only; never HTML. */
  I.el = function (tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  I.clear = function (node) { while (node.firstChild) node.removeChild(node.firstChild); };
  /* Fill a <select> with the categories' localised names, keeping (or setting) its value. */
  I.categoryOptions = function (select, value) {
    var keep = value !== undefined ? value : select.value;
    I.clear(select);
    I.categories.forEach(function (key) {
      var option = I.el("option", null, I.name(key));
      option.value = key;
      select.appendChild(option);
    });
    if (keep) select.value = keep;
  };
  /* JSON API call with the console's CSRF header; rejects with {status, body}; 401 goes to the sign-in page. */
  I.api = function (method, path, body) {
    var init = { method: method, credentials: "same-origin", headers: { "X-Requested-With": "agent-console" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      if (response.status === 401 && path.indexOf("/api/") === 0) {
        window.location.assign("/agent/login?next=" + encodeURIComponent(window.location.pathname));
      }
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!response.ok) throw { status: response.status, body: data };
        return data;
      });
    });
  };
  I.signOut = function () {
    I.api("POST", "/agent/logout").catch(function () { return null; }).then(function () {
      window.location.assign("/agent/login");
    });
  };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".lang-switch button").forEach(function (b) {
      b.addEventListener("click", function () { I.setLang(b.dataset.lang); });
    });
    var out = document.getElementById("sign-out");
    if (out) out.addEventListener("click", I.signOut);
    I.apply();
  });
  window.AgentI18n = I;
})();
