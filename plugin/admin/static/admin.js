// Forms post the session token in a hidden field (forms cannot set headers). Tokens live about a
// minute, so a fresh one is put in just before the form goes: App Bridge's inside Shopify, the
// dev entry's outside it. Without either, the form goes with the token the page was loaded with.
(function () {
  "use strict";
  if (window.shopify) { document.documentElement.classList.add("in-shopify"); }

  // Polaris twins: once Shopify's Polaris web components are defined, the plain controls beside
  // them (data-plain) leave the form, so each name posts once. Without Polaris nothing changes.
  function usePolaris() {
    document.documentElement.classList.add("polaris-ready");
    document.querySelectorAll("[data-plain]").forEach(function (plain) {
      var controls = plain.matches("input, select, textarea, button") ? [plain] : plain.querySelectorAll("input, select, textarea, button");
      controls.forEach(function (control) { control.disabled = true; });
    });
  }
  // Tables become Polaris's <s-table> once it is defined: the same cells (links, row forms and
  // all) move into s-table rows; without Polaris the plain <table> stays.
  function polarisTables() {
    document.querySelectorAll("table[data-polaris-table]").forEach(function (table) {
      var grid = document.createElement("s-table");
      if (table.getAttribute("aria-label")) { grid.setAttribute("accessibilityLabel", table.getAttribute("aria-label")); }
      var head = document.createElement("s-table-header-row");
      table.querySelectorAll("thead th").forEach(function (th) {
        var cell = document.createElement("s-table-header");
        cell.textContent = th.textContent;
        head.appendChild(cell);
      });
      grid.appendChild(head);
      var body = document.createElement("s-table-body");
      table.querySelectorAll("tbody > tr").forEach(function (tr) {
        var row = document.createElement("s-table-row");
        Array.prototype.forEach.call(tr.attributes, function (a) { if (a.name.indexOf("data-") === 0) { row.setAttribute(a.name, a.value); } });
        Array.prototype.slice.call(tr.children).forEach(function (td) {
          var cell = document.createElement("s-table-cell");
          while (td.firstChild) { cell.appendChild(td.firstChild); }
          row.appendChild(cell);
        });
        body.appendChild(row);
      });
      grid.appendChild(body);
      table.replaceWith(grid);
    });
  }
  if (window.customElements && document.querySelector("table[data-polaris-table]")) {
    if (window.customElements.get("s-table")) { polarisTables(); }
    else { window.customElements.whenDefined("s-table").then(polarisTables); }
  }
  if (window.customElements && document.querySelector("[data-polaris]")) {
    if (window.customElements.get("s-text-field")) { usePolaris(); }
    else { window.customElements.whenDefined("s-text-field").then(usePolaris); }
  }

  async function freshToken() {
    if (window.shopify && typeof window.shopify.idToken === "function") {
      return window.shopify.idToken();
    }
    var devUrl = document.body && document.body.dataset.devTokenUrl;
    if (devUrl) {
      var response = await fetch(devUrl, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) { return (await response.json()).id_token; }
    }
    return null;
  }

  // Inside Shopify, a form marked data-confirm asks through Polaris's modal first; accepting it
  // posts the form confirmed. Without Polaris the form goes as it is and the server asks.
  var modal = document.getElementById("confirm-modal");
  var pending = null;
  function polarisModal() {
    return modal && window.customElements && window.customElements.get("s-modal") && typeof modal.showOverlay === "function";
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var asker = (event.submitter && event.submitter.dataset.confirm) ? event.submitter : form;
    if (!asker.dataset.confirm || form.querySelector("input[name=confirmed]") || !polarisModal()) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    pending = { form: form, submitter: event.submitter };
    modal.setAttribute("heading", asker.dataset.confirmHeading || modal.getAttribute("heading"));
    modal.querySelector("[data-confirm-text]").textContent = asker.dataset.confirm;
    var accept = modal.querySelector("[data-confirm-accept]");
    if (asker.dataset.confirmLabel) { accept.textContent = asker.dataset.confirmLabel; }
    modal.showOverlay();
  }, true);
  if (modal) {
    modal.querySelector("[data-confirm-accept]").addEventListener("click", function () {
      if (!pending) { return; }
      var flag = document.createElement("input");
      flag.type = "hidden"; flag.name = "confirmed"; flag.value = "1";
      pending.form.appendChild(flag);
      modal.hideOverlay();
      pending.form.requestSubmit(pending.submitter || undefined);
      pending = null;
    });
  }

  // The adjustment form shows the balance after the change as it is typed.
  var adjust = document.getElementById("adjust-form");
  if (adjust) {
    var field = adjust.querySelector("input[name=points]");
    var after = document.getElementById("adjust-after");
    var balance = parseInt(adjust.dataset.balance, 10) || 0;
    var numbers = new Intl.NumberFormat(document.documentElement.lang || "en");
    var update = function () {
      var delta = parseInt((field.value || "0").replace(/[^0-9-]/g, ""), 10) || 0;
      after.textContent = numbers.format(balance + delta);
      after.classList.toggle("negative", balance + delta < 0);
    };
    field.addEventListener("input", update);
    update();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var field = form.querySelector("input[data-session-token]");
    if (!field || form.dataset.tokenFresh === "1") { return; }
    event.preventDefault();
    var submitter = event.submitter;
    freshToken().catch(function () { return null; }).then(function (token) {
      if (token) { field.value = token; }
      form.dataset.tokenFresh = "1";
      if (submitter && submitter.name) {
        var carry = document.createElement("input");
        carry.type = "hidden"; carry.name = submitter.name; carry.value = submitter.value;
        form.appendChild(carry);
      }
      form.submit();
      setTimeout(function () { delete form.dataset.tokenFresh; }, 0);
    });
  });

  // Products and customers are chosen with Shopify's resource picker inside the admin; outside
  // it the merchant types the name and the button stays hidden.
  if (window.shopify && typeof window.shopify.resourcePicker === "function") {
    document.querySelectorAll("[data-resource-picker]").forEach(function (box) {
      var button = box.querySelector(".picker-button");
      if (!button) { return; }
      button.hidden = false;
      button.addEventListener("click", async function () {
        var picked = await window.shopify.resourcePicker({ type: box.dataset.resourcePicker, multiple: false });
        if (!picked || !picked.length) { return; }
        var chosen = picked[0];
        document.getElementById(box.dataset.targetId).value = chosen.id;
        var title = document.getElementById(box.dataset.targetTitle);
        if (title) {
          title.value = chosen.title || chosen.displayName || chosen.email || title.value;
          var twin = document.getElementById("pz-" + title.name);  // the Polaris field that posts it
          if (twin) { twin.value = title.value; }
        }
        var note = box.querySelector("[data-picker-chosen]");
        if (note) { note.textContent = chosen.title || chosen.displayName || ""; }
      });
    });
  }
}());
