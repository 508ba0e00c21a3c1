// Small enhancements; every page works without them.
(function () {
  "use strict";

  // Print views: <button data-print> opens the browser's print dialog.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

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

// The agenda's dialog (scheduling): htmx draws a session or the booking form into
// #dialog-body; open it then, empty it when it closes. Every link in it has a page of its own.
(function () {
  "use strict";

  document.addEventListener("htmx:afterSwap", function (event) {
    var body = event.detail.target;
    if (!body || body.id !== "dialog-body") return;
    var dialog = body.closest("dialog");
    if (dialog && !dialog.open) dialog.showModal();
    var first = body.querySelector("[autofocus], .has-error input, .has-error select, #client-search");
    if (first) first.focus();
  });
  document.addEventListener("close", function (event) {
    if (event.target.id === "agenda-dialog") {
      var body = document.getElementById("dialog-body");
      if (body) body.innerHTML = "";
    }
  }, true);
  // A click on the backdrop (outside the dialog's box) closes it.
  document.addEventListener("click", function (event) {
    var dialog = event.target;
    if (dialog.id !== "agenda-dialog" || !dialog.open) return;
    var box = dialog.getBoundingClientRect();
    var inside = event.clientX >= box.left && event.clientX <= box.right &&
      event.clientY >= box.top && event.clientY <= box.bottom;
    if (!inside) dialog.close();
  });

  // The booking form's client search: Enter searches, it does not book.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches("[data-picker-search]")) return;
    event.preventDefault();
    if (window.htmx) window.htmx.trigger(event.target, "search");
  });

  // Choosing a service fills the duration and price the user has not typed themselves
  // (the server applies the service's values to empty fields as well).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches(".booking-form select[name=service]")) return;
    var option = select.selectedOptions[0];
    var form = select.form;
    [["duration", "data-duration"], ["price", "data-price"]].forEach(function (pair) {
      var input = form.elements[pair[0]];
      if (!input || (input.value && !input.hasAttribute("data-filled"))) return;
      var value = option ? option.getAttribute(pair[1]) : null;
      input.value = value || "";
      if (value) input.setAttribute("data-filled", ""); else input.removeAttribute("data-filled");
    });
  });
  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute("data-filled")) event.target.removeAttribute("data-filled");
  });

  // The agenda opens at the current time (or the first session), not at its first hour.
  document.addEventListener("DOMContentLoaded", function () {
    var scroll = document.querySelector(".agenda-scroll");
    if (!scroll || scroll.scrollHeight <= scroll.clientHeight) return;
    var mark = scroll.querySelector(".now-line") || scroll.querySelector(".block");
    if (!mark) return;
    var head = scroll.querySelector(".col-head");
    var top = mark.getBoundingClientRect().top - scroll.getBoundingClientRect().top;
    scroll.scrollTop = Math.max(0, top - (head ? head.offsetHeight : 0) - 40);
  });
})();

// The new-message page (messaging): a template fills in the subject and the text; choosing a
// channel picks the recipient the card's routing gives for it. Without JavaScript, the page
// offers a "Fill in" button and the routing's choice for the channel it was opened with.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var picker = event.target.closest("select[data-template-picker]");
    if (picker) {
      var source = document.querySelector(picker.getAttribute("data-template-picker"));
      var texts = source ? JSON.parse(source.textContent) : {};
      var chosen = texts[picker.value];
      if (!chosen) return;
      var form = picker.form;
      if (form.elements.subject) form.elements.subject.value = chosen.subject;
      if (form.elements.body) form.elements.body.value = chosen.body;
      if (chosen.channel) {
        var radio = form.querySelector('input[name="channel"][value="' + chosen.channel + '"]');
        if (radio && !radio.disabled && !radio.checked) {
          radio.checked = true;
          radio.dispatchEvent(new Event("change", { bubbles: true }));
        }
      }
      return;
    }
    var channel = event.target.closest('input[name="channel"][data-default-recipient]');
    if (channel && channel.checked) {
      var recipient = channel.form.querySelector(
        'input[name="recipient"][value="' + channel.getAttribute("data-default-recipient") + '"]'
      );
      if (recipient) recipient.checked = true;
    }
  });
})();
