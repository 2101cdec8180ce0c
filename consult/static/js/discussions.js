// Discussions: enhancements only. Without this file, every link and form works as is:
// "Reply" opens the reply page, "Preview" re-renders the form with the preview.
(function () {
  "use strict";

  var PREVIEW_DELAY = 600;

  // A counter of the characters typed, under the text box.
  function setUpCounter(form) {
    var counter = form.querySelector("[data-counter-for]");
    var box = form.querySelector("textarea");
    if (!counter || !box) {
      return;
    }
    var max = parseInt(counter.getAttribute("data-counter-max"), 10);
    var label = counter.getAttribute("data-counter-label") || "";
    function update() {
      counter.textContent = label + " " + box.value.length + " / " + max;
    }
    box.addEventListener("input", update);
    counter.hidden = false;
    update();
  }

  // The text as it will be published, rendered by the server's own sanitiser.
  function setUpPreview(form) {
    var section = form.querySelector("[data-live-preview]");
    var box = form.querySelector("textarea");
    var url = form.getAttribute("data-preview-url");
    var token = form.querySelector("input[name=csrf_token]");
    if (!section || !box || !url || !window.fetch) {
      return;
    }
    var output = section.querySelector(".consult-prose");
    var timer = null;
    function render() {
      if (!box.value.trim()) {
        section.hidden = true;
        return;
      }
      var data = new FormData();
      data.append("body", box.value);
      if (token) {
        data.append("csrf_token", token.value);
      }
      fetch(url, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html === null) {
            return;
          }
          output.innerHTML = html; // sanitised by the server (core.sanitize), as on the page
          section.hidden = false;
        })
        .catch(function () {
          section.hidden = true;
        });
    }
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(render, PREVIEW_DELAY);
    });
  }

  function enhance(form) {
    setUpCounter(form);
    setUpPreview(form);
  }

  // "Reply" opens a copy of the thread's form under the contribution instead of a new page.
  function setUpInlineReplies() {
    var template = document.querySelector("#discussion form.consult-contribution-form");
    if (!template) {
      return;
    }
    document.querySelectorAll("a[data-reply-to]").forEach(function (link) {
      link.setAttribute("aria-expanded", "false");
      link.addEventListener("click", function (event) {
        var id = link.getAttribute("data-reply-to");
        var existing = document.getElementById("reply-form-" + id);
        event.preventDefault();
        if (existing) {
          existing.remove();
          link.setAttribute("aria-expanded", "false");
          return;
        }
        var form = template.cloneNode(true);
        form.id = "reply-form-" + id;
        form.action = link.href;
        form.querySelectorAll("#error-summary, .fr-error-text").forEach(function (node) {
          node.remove();
        });
        form.querySelectorAll("[id]").forEach(function (node) {
          node.id = "reply-" + id + "-" + node.id;
        });
        form.querySelectorAll("[for]").forEach(function (node) {
          node.setAttribute("for", "reply-" + id + "-" + node.getAttribute("for"));
        });
        form.querySelectorAll("[aria-describedby], [aria-labelledby]").forEach(function (node) {
          ["aria-describedby", "aria-labelledby"].forEach(function (name) {
            var value = node.getAttribute(name);
            if (value) {
              node.setAttribute(name, value.split(" ").map(function (part) {
                return "reply-" + id + "-" + part;
              }).join(" "));
            }
          });
        });
        form.querySelectorAll("[data-counter-for]").forEach(function (node) {
          node.setAttribute("data-counter-for", "reply-" + id + "-" + node.getAttribute("data-counter-for"));
        });
        var box = form.querySelector("textarea");
        box.value = "";
        box.removeAttribute("aria-invalid");
        var label = form.getAttribute("data-reply-label");
        var send = form.querySelector("button[name=send]");
        if (label && send) {
          send.textContent = label;
        }
        var preview = form.querySelector("[data-live-preview]");
        if (preview) {
          preview.hidden = true;
        }
        link.closest("article").after(form);
        link.setAttribute("aria-controls", form.id);
        link.setAttribute("aria-expanded", "true");
        enhance(form);
        box.focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.consult-contribution-form").forEach(enhance);
    setUpInlineReplies();
  });
})();
