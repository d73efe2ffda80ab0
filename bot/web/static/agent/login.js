/* Agent sign-in: posts the form as JSON (with the CSRF header); without JS the form posts itself. */
(function () {
  "use strict";
  var I = window.AgentI18n;

  function nextPage() {
    var next = new URLSearchParams(window.location.search).get("next") || "/agent";
    // Only our own console pages: never an absolute or protocol-relative address.
    return /^\/agent(\/[a-z]*)?$/.test(next) ? next : "/agent";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("login-form");
    var error = document.getElementById("login-error");
    var reason = new URLSearchParams(window.location.search).get("error");
    if (reason) error.textContent = I.t(reason === "throttled" ? "throttled" : "badCredentials");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.textContent = "";
      var button = document.getElementById("sign-in");
      button.disabled = true;
      I.api("POST", "/agent/login", {
        username: document.getElementById("username").value,
        password: document.getElementById("password").value
      }).then(function () {
        window.location.assign(nextPage());
      }).catch(function (failure) {
        var status = failure && failure.status;
        error.textContent = I.t(status === 401 ? "badCredentials" : status === 429 ? "throttled" : "loginFailed");
        button.disabled = false;
      });
    });
  });
})();
