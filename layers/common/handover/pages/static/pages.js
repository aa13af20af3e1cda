/* Handover's hosted pages: the only script they run (no inline script is allowed).
   - moves a link token out of the address bar as soon as the page loads;
   - ticks each password rule as the customer types, from the rules the server sent
     (data-rules: the same definition the API enforces), and holds back a submission
     that breaks one;
   - shows and hides a password. */
(function () {
  "use strict";

  if (/[?&]token=/.test(window.location.search) && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname);
  }

  function classes(password) {
    return [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{N}\s]/u]
      .filter(function (pattern) { return pattern.test(password); }).length;
  }

  // One check per rule name of handover/identity/password_policy.py: true when the rule is met.
  var checks = {
    min_length: function (password, params) { return Array.from(password).length >= params.min; },
    max_length: function (password, params) { return Array.from(password).length <= params.max; },
    no_whitespace: function (password) { return !/\s/u.test(password); },
    character_classes: function (password, params) { return classes(password) >= params.needed; },
    contains_email: function (password, params) {
      return password.toLowerCase().indexOf(params.local_part) === -1;
    }
  };

  function unmet(input) {
    var rules = JSON.parse(input.getAttribute("data-rules") || "[]");
    var list = document.querySelector('[data-rules-for="' + input.id + '"]');
    var failed = 0;
    rules.forEach(function (rule) {
      if (rule.server_only || !checks[rule.name]) { return; }
      var met = input.value.length > 0 && checks[rule.name](input.value, rule.params);
      if (!met) { failed += 1; }
      var item = list && list.querySelector('[data-rule="' + rule.name + '"]');
      if (item) {
        item.classList.toggle("met", met);
        item.querySelector(".rule-state").textContent = met ? " (met)" : " (not met yet)";
      }
    });
    return failed;
  }

  document.querySelectorAll("input[data-rules]").forEach(function (input) {
    input.addEventListener("input", function () { unmet(input); });
    var form = input.form;
    form.addEventListener("submit", function (event) {
      var error = form.querySelector('[data-error-for="' + input.id + '"]');
      if (unmet(input) > 0) {
        event.preventDefault();
        error.textContent = "Your password does not meet every rule yet.";
        error.hidden = false;
        input.focus();
      } else {
        error.hidden = true;
      }
    });
  });

  document.querySelectorAll("button[data-toggle]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-toggle"));
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.setAttribute("aria-pressed", show ? "true" : "false");
      button.textContent = show ? "Hide password" : "Show password";
    });
  });
}());
