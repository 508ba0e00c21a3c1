// Small enhancements; every page works without them.
(function () {
  "use strict";

  // Copy a client's code to the clipboard: <button data-copy="#selector" data-copied="Copied">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var text = source.textContent.trim();
    var done = function () {
      var label = button.textContent;
      var status = document.querySelector(button.getAttribute("data-status"));
      if (status) status.textContent = button.getAttribute("data-copied") || "";
      button.textContent = button.getAttribute("data-copied") || "✓";
      button.classList.add("copied");
      setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      document.execCommand("copy");
      done();
    }
  });

  // A failed htmx request must not fail silently: fall back to loading the page itself,
  // which shows the server's own error page (or works, if the failure was transient).
  document.addEventListener("htmx:responseError", function (event) {
    var info = event.detail.pathInfo || {};
    var path = info.finalRequestPath || info.requestPath;
    if (path) window.location.assign(path);
  });
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("connection-error");
    if (box) box.hidden = false;
  });

  // Selects that submit their form on change (practice and language switchers).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
  });
})();
