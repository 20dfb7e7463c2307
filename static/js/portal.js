// Small enhancements; every page works without them.
(function () {
  "use strict";

  // The postal address is required only when the result goes by post.
  function syncDelivery(form) {
    var post = form.querySelector('input[name="delivery"][value="post"]');
    var address = form.querySelector('input[name="delivery_address"]');
    if (!address) return;
    var needed = !!(post && post.checked);
    address.required = needed;
    var wrapper = address.closest(".delivery-address");
    if (wrapper) wrapper.hidden = !needed && !wrapper.classList.contains("field--error");
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.name === "delivery" && target.form) {
      syncDelivery(target.form);
    }
  });

  // A second click while the dossier uploads would only wait for the same answer.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) return;
    if (form.dataset.submitting === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    var button = form.querySelector('button[type="submit"]');
    if (button && button.dataset.busyLabel) {
      button.dataset.label = button.textContent;
      button.textContent = button.dataset.busyLabel;
      button.setAttribute("aria-disabled", "true");
    }
  });

  // A link of the error summary puts the cursor in its input, with the label in view.
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element && event.target.closest("#error-summary a[href^='#']");
    if (!link) return;
    var input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) return;
    event.preventDefault();
    var field = input.closest(".field") || input;
    field.scrollIntoView();
    input.focus({ preventScroll: true });
  });

  // Bring the error summary into view and focus so screen readers announce it.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-submit-once]").forEach(syncDelivery);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });

  // Coming back with the browser's back button must not leave the button busy.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      delete form.dataset.submitting;
      var button = form.querySelector('button[type="submit"]');
      if (button && button.dataset.label) {
        button.textContent = button.dataset.label;
        button.removeAttribute("aria-disabled");
      }
    });
  });
})();
