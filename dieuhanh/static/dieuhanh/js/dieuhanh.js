/* Điều hành: small behaviours shared by every page. No inline scripts anywhere (CSP). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Vietnamese conventions for figures and dates: 1.234.567,8 and dd/mm/yyyy.
  const numberFormats = new Map();
  function formatNumber(value, decimals) {
    if (value === null || value === undefined || value === "" || Number.isNaN(Number(value))) {
      return "";
    }
    const key = decimals === undefined ? "auto" : String(decimals);
    if (!numberFormats.has(key)) {
      const options = decimals === undefined
        ? { maximumFractionDigits: 2 }
        : { minimumFractionDigits: decimals, maximumFractionDigits: decimals };
      numberFormats.set(key, new Intl.NumberFormat("vi-VN", options));
    }
    return numberFormats.get(key).format(Number(value));
  }
  function formatDate(value) {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) return "";
    const pad = (n) => String(n).padStart(2, "0");
    return pad(date.getDate()) + "/" + pad(date.getMonth() + 1) + "/" + date.getFullYear();
  }
  window.dieuhanh = Object.assign(window.dieuhanh || {}, { formatNumber, formatDate });

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.requestSubmit();
    }
  });
})();

/* A tree toggle loads its children once (HTMX), then only shows or hides them. */
document.addEventListener("click", function (event) {
  const toggle = event.target.closest(".dh-tree-toggle");
  if (!toggle) return;
  const target = document.getElementById(toggle.getAttribute("aria-controls"));
  const open = toggle.getAttribute("aria-expanded") === "true";
  if (toggle.dataset.loaded === "1") {
    event.preventDefault();
    event.stopImmediatePropagation();
    target.hidden = open;
  } else {
    toggle.dataset.loaded = "1";
  }
  toggle.setAttribute("aria-expanded", open ? "false" : "true");
}, true);
