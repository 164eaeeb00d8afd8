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
  // input[data-date-mask]: dates as Vietnamese users write them, dd/mm/yyyy. Eight digits
  // get their slashes at once ("02102023" → "02/10/2023"); seven digits, which can only be
  // told apart once typed, are read on leaving the field or sending the form as d/mm/yyyy
  // when the month is one ("2102023" → "02/10/2023"), else dd/m/yyyy; "2/10/2023" is
  // padded. Anything else stays as typed: the server reads it or says what is wrong.
  function pad(n) { return n.length === 1 ? "0" + n : n; }
  function dateText(v) {
    v = v.trim();
    if (/^\d{8}$/.test(v)) return v.slice(0, 2) + "/" + v.slice(2, 4) + "/" + v.slice(4);
    if (/^\d{7}$/.test(v)) {
      var month = +v.slice(1, 3);
      if (v[0] !== "0" && month >= 1 && month <= 12) return "0" + v[0] + "/" + v.slice(1, 3) + "/" + v.slice(3);
      return v.slice(0, 2) + "/0" + v[2] + "/" + v.slice(3);
    }
    var parts = /^(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})$/.exec(v);
    return parts ? pad(parts[1]) + "/" + pad(parts[2]) + "/" + parts[3] : v;
  }
  function masked(el) { return el && el.hasAttribute && el.hasAttribute("data-date-mask"); }
  document.addEventListener("input", function (e) {
    var el = e.target;
    if (!masked(el) || (e.inputType && e.inputType.indexOf("delete") === 0)) return;
    if (/^\d{8}$/.test(el.value)) el.value = dateText(el.value);
  });
  document.addEventListener("focusout", function (e) {
    if (masked(e.target)) e.target.value = dateText(e.target.value);
  });
  document.addEventListener("submit", function (e) {
    var fields = e.target.querySelectorAll ? e.target.querySelectorAll("[data-date-mask]") : [];
    Array.prototype.forEach.call(fields, function (el) { el.value = dateText(el.value); });
  }, true);
  document.addEventListener("htmx:load", function (e) { init(e.target); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
})();
