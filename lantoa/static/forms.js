/* Long forms that cannot lose work (office pages only; no dependencies).
   form[data-guard]: fields changed since the page was drawn are marked, the save state says
   so, and leaving the page asks first. [data-focus]: a message the server drew (errors, a
   refusal) takes the focus and comes into view, also after an htmx swap. */
(function () {
  "use strict";
  function markDirty(form, field) {
    if (field && field.name && field.type !== "hidden") field.classList.add("is-dirty");
    if (form.dataset.dirty === "1") return;
    form.dataset.dirty = "1";
    var state = form.querySelector("[data-save-state]");
    if (state && form.dataset.unsavedText) state.textContent = form.dataset.unsavedText;
  }
  function watch(form) {
    if (form.dataset.guardOn) return;
    form.dataset.guardOn = "1";
    form.addEventListener("input", function (e) { markDirty(form, e.target); });
    form.addEventListener("change", function (e) { markDirty(form, e.target); });
    form.addEventListener("submit", function () { form.dataset.leaving = "1"; });
  }
  function init(root) {
    root = root && root.querySelectorAll ? root : document;
    var forms = root.matches && root.matches("form[data-guard]") ? [root] : root.querySelectorAll("form[data-guard]");
    Array.prototype.forEach.call(forms, watch);
    var target = root.querySelector ? root.querySelector("[data-focus]") : null;
    if (!target && root.matches && root.matches("[data-focus]")) target = root;
    if (!target && root === document) {
      // A refusal told through the page's messages.
      target = document.querySelector(".messages .msg-error");
      if (target) target.setAttribute("tabindex", "-1");
    }
    if (target) {
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "center" });
    }
  }
  window.addEventListener("beforeunload", function (e) {
    var forms = document.querySelectorAll("form[data-guard]");
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].dataset.dirty === "1" && forms[i].dataset.leaving !== "1") {
        e.preventDefault();
        e.returnValue = "";
        return "";
      }
    }
  });
  // An htmx answer that failed keeps the form's "leaving" mark off again.
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail && e.detail.elt;
    if (form && form.dataset && !e.detail.successful) delete form.dataset.leaving;
  });
  // input[data-date-mask]: typed digits become dd/mm/yyyy ("02102023" → "02/10/2023").
  document.addEventListener("input", function (e) {
    var el = e.target;
    if (!el.hasAttribute || !el.hasAttribute("data-date-mask")) return;
    if (e.inputType && e.inputType.indexOf("delete") === 0) return;
    var v = el.value;
    if (/^\d{2}$/.test(v) || /^\d{1,2}\/\d{2}$/.test(v)) {
      el.value = v + "/";
    } else if (/^\d{3,8}$/.test(v)) {
      el.value = [v.slice(0, 2), v.slice(2, 4), v.slice(4)].filter(Boolean).join("/");
    } // anything else (2/10/2023, 02-10-2023, ISO) stays as typed: the server reads it
  });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
})();
