// Forms post the session token in a hidden field (forms cannot set headers). Tokens live about a
// minute, so a fresh one is put in just before the form goes: App Bridge's inside Shopify, the
// dev entry's outside it. Without either, the form goes with the token the page was loaded with.
(function () {
  "use strict";
  if (window.shopify) { document.documentElement.classList.add("in-shopify"); }

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

  // The store switcher changes store as soon as another one is picked.
  var switcher = document.getElementById("store-switcher");
  if (switcher) { switcher.addEventListener("change", function () { switcher.form.submit(); }); }
}());
