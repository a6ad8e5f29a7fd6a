/* Điều hành: web data entry. A grid that behaves like a clean spreadsheet: Enter and the
   arrows move between rows, each cell is checked as it is typed, and changes save
   themselves in batches. No inline scripts, no eval (CSP): event delegation only. */
(function () {
  "use strict";

  // --- numbers the Vietnamese way: 1.234.567,8 ------------------------------------------
  function ungroup(text, separator) {
    if (!text.includes(separator)) return text;
    const pattern = separator === "." ? /^\d{1,3}(\.\d{3})+$/ : /^\d{1,3}(,\d{3})+$/;
    return pattern.test(text) ? text.split(separator).join("") : null;
  }

  /* "1234.5", "1.234,5", "1234,5", "1.234.567" and "1,234.5" all read as 1234.5 (or
     1234567); a lone dot before exactly three digits is a thousands separator ("1.234"),
     as a Vietnamese reader means it. Returns the plain text the server stores, or null. */
  function normaliseNumber(raw) {
    let text = raw.replace(/[\s\u00a0\u202f]/g, "");
    let negative = false;
    if (/^[-+\u2212]/.test(text)) {
      negative = text[0] !== "+";
      text = text.slice(1);
    }
    if (text.endsWith("%")) text = text.slice(0, -1);
    const commas = (text.match(/,/g) || []).length;
    const dots = (text.match(/\./g) || []).length;
    let whole = text;
    let fraction = "";
    if (commas && dots) {
      if (text.lastIndexOf(",") > text.lastIndexOf(".")) {
        if (commas > 1) return null;
        [whole, fraction] = text.split(",");
        whole = ungroup(whole, ".");
      } else {
        if (dots > 1) return null;
        [whole, fraction] = text.split(".");
        whole = ungroup(whole, ",");
      }
    } else if (commas === 1) {
      [whole, fraction] = text.split(",");
    } else if (commas > 1) {
      whole = ungroup(text, ",");
    } else if (dots > 1) {
      whole = ungroup(text, ".");
    } else if (dots === 1) {
      if (/^[1-9]\d{0,2}\.\d{3}$/.test(text)) whole = text.replace(".", "");
      else [whole, fraction] = text.split(".");
    }
    if (whole === null || !/^\d*$/.test(whole) || !/^\d*$/.test(fraction)) return null;
    if (whole === "" && fraction === "") return null;
    whole = whole.replace(/^0+(?=\d)/, "") || "0";
    fraction = fraction.replace(/0+$/, "");
    const plain = fraction ? whole + "." + fraction : whole;
    return negative && plain !== "0" ? "-" + plain : plain;
  }

  /* The plain text "-1234567.8" shown as "-1.234.567,8", digit for digit. */
  function formatPlain(plain) {
    if (plain === null || plain === undefined || plain === "") return "";
    const negative = plain[0] === "-";
    const [whole, fraction] = (negative ? plain.slice(1) : plain).split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (negative ? "-" : "") + grouped + (fraction ? "," + fraction : "");
  }

  function formatNumber(value, decimals) {
    if (window.dieuhanh && window.dieuhanh.formatNumber) {
      return window.dieuhanh.formatNumber(value, decimals);
    }
    return String(value);
  }

  const YES = ["có", "co", "c", "yes", "y", "true", "1", "x"];
  const NO = ["không", "khong", "k", "no", "n", "false", "0"];

  // --- choosing a report: filter a long list of units as one types ----------------------
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  document.addEventListener("input", function (event) {
    const search = event.target.closest("[data-filter-select]");
    if (!search) return;
    const select = document.getElementById(search.dataset.filterSelect);
    if (!select) return;
    const words = fold(search.value).split(/\s+/).filter(Boolean);
    let firstVisible = null;
    for (const option of select.options) {
      if (!option.value) continue;
      const label = fold(option.textContent);
      const shown = words.every((word) => label.includes(word));
      option.hidden = !shown;
      if (shown && !firstVisible) firstVisible = option;
    }
    for (const group of select.querySelectorAll("optgroup")) {
      group.hidden = ![...group.children].some((option) => !option.hidden);
    }
    const selected = select.selectedOptions[0];
    if (firstVisible && (!selected || selected.hidden || !selected.value)) {
      firstVisible.selected = true;
    }
  });

  // --- the entry grid ---------------------------------------------------------------------
  const root = document.querySelector("[data-entry]");
  if (!root) return;

  const messagesElement = document.getElementById("dh-entry-messages");
  const text = messagesElement ? JSON.parse(messagesElement.textContent) : {};
  const t = (key, values) =>
    (text[key] || key).replace(/%\((\w+)\)s/g, (_m, name) => (values && name in values ? values[name] : ""));
  const csrf = root.dataset.csrf;
  const saveUrl = root.dataset.saveUrl;
  const narrativeUrl = root.dataset.narrativeUrl;
  const editable = root.dataset.editable === "1";
  const rows = Array.from(root.querySelectorAll("tr.dh-row"));

  const cellOf = (element) => element.closest(".dh-cell");
  const inputOf = (cell) => cell.querySelector(".dh-input");
  const commentOf = (cell) => cell.querySelector(".dh-comment-input");

  /* {value, error}: the value as the server wants it ("1234.5", "1", text), or why not. */
  function check(input) {
    const raw = input.value.trim();
    const type = input.dataset.valueType;
    if (raw === "") return { value: "" };
    if (type === "text") return { value: raw };
    if (type === "boolean") {
      const word = raw.toLowerCase();
      if (YES.includes(word)) return { value: "1" };
      if (NO.includes(word)) return { value: "0" };
      return { error: t("notYesNo") };
    }
    const plain = normaliseNumber(raw);
    if (plain === null) return { error: t("notNumber") };
    if (type === "integer" && plain.includes(".")) return { error: t("notWhole") };
    return { value: plain };
  }

  function shown(value, type) {
    if (value === "" || value === null || value === undefined) return "";
    if (type === "text") return value;
    if (type === "boolean") return value === "0" ? t("no") : t("yes");
    return formatPlain(value);
  }

  function setCellState(cell, state, message) {
    cell.dataset.state = state;
    const label = cell.querySelector("[data-cell-state]");
    const error = cell.querySelector("[data-cell-error]");
    const input = inputOf(cell);
    label.textContent = state === "saving" ? t("saving") : state === "saved" ? t("saved") : "";
    const problem = state === "invalid" || state === "error";
    input.classList.toggle("is-invalid", problem);
    input.setAttribute("aria-invalid", problem ? "true" : "false");
    error.hidden = !problem;
    error.textContent = problem ? message || "" : "";
  }

  /* Last period's value and the change, recomputed from what is typed. */
  function showChange(cell, value) {
    const input = inputOf(cell);
    const target = cell.querySelector("[data-change]");
    const type = input.dataset.valueType;
    const before = parseFloat(input.dataset.previous);
    const now = parseFloat(value);
    if (type === "text" || type === "boolean" || !Number.isFinite(before) || !Number.isFinite(now) || before === 0) {
      target.textContent = "";
      target.classList.remove("dh-change-large");
      return;
    }
    const change = ((now - before) / Math.abs(before)) * 100;
    const rounded = Math.round(change * 10) / 10;
    target.textContent = "(" + (rounded > 0 ? "+" : "") + formatNumber(rounded, 1) + "%)";
    target.classList.toggle("dh-change-large", Math.abs(change) >= 50);
  }

  // --- progress and the save state in the bar -------------------------------------------
  const saveState = root.querySelector("[data-save-state]");
  function updateProgress() {
    const inputs = root.querySelectorAll(".dh-input");
    let filled = 0;
    for (const input of inputs) if (input.dataset.saved !== "") filled += 1;
    for (const target of document.querySelectorAll("[data-progress-filled]")) target.textContent = String(filled);
    const bar = root.querySelector("[data-progress-bar]");
    if (bar) bar.value = filled;
  }

  function updateSaveState() {
    if (!saveState) return;
    const problems = root.querySelectorAll('.dh-cell[data-state="invalid"], .dh-cell[data-state="error"]').length;
    let icon = "bi-cloud-check";
    let kind = "ok";
    let label = t("allSaved");
    if (inFlight || pending.size || narrativesBusy()) {
      icon = "bi-arrow-repeat";
      kind = "busy";
      label = inFlight ? t("saving") : t("unsaved");
    } else if (problems) {
      icon = "bi-exclamation-triangle-fill";
      kind = "error";
      label = t("errors", { count: problems });
    }
    if (failure) {
      icon = "bi-exclamation-triangle-fill";
      kind = "error";
      label = failure;
    }
    saveState.dataset.kind = kind;
    saveState.replaceChildren();
    const i = document.createElement("i");
    i.className = "bi " + icon;
    i.setAttribute("aria-hidden", "true");
    saveState.append(i, " " + label);
  }

  // --- the save queue: changed cells go in batches, ~600 ms after the last change -------
  const pending = new Map(); // key -> cell
  let timer = null;
  let inFlight = null; // the running request's promise
  let failure = ""; // a problem of the whole form (read-only now, session ended)
  let retryDelay = 0;

  const keyOf = (input) => input.dataset.indicator + "|" + input.dataset.combination;

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(flush, delay);
    updateSaveState();
  }

  /* Validate a cell; queue it when its value or comment differs from the saved one. */
  function consider(cell) {
    const input = inputOf(cell);
    const comment = commentOf(cell);
    const result = check(input);
    if (result.error) {
      pending.delete(keyOf(input));
      showChange(cell, input.dataset.saved);
      setCellState(cell, "invalid", result.error);
      updateSaveState();
      return false;
    }
    showChange(cell, result.value);
    const changed = result.value !== input.dataset.saved || comment.value !== comment.dataset.saved;
    if (changed) {
      pending.set(keyOf(input), cell);
      setCellState(cell, "dirty");
    } else {
      pending.delete(keyOf(input));
      if (cell.dataset.state === "invalid" || cell.dataset.state === "dirty") setCellState(cell, "");
    }
    updateSaveState();
    return changed;
  }

  function post(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrf,
        "X-Requested-With": "XMLHttpRequest",
      },
      body: JSON.stringify(body),
    }).then(function (response) {
      const type = response.headers.get("Content-Type") || "";
      if (type.includes("application/json") && !response.redirected) {
        return response.json().then((data) => ({ status: response.status, data }));
      }
      // A sign-in page (the session ended) or a refused CSRF token: retrying cannot help.
      // A server error page: try again later.
      const error = new Error(response.status >= 500 ? t("offline") : t("expired"));
      error.fatal = response.status < 500;
      throw error;
    });
  }

  function flush(keepalive) {
    window.clearTimeout(timer);
    timer = null;
    if (inFlight) return inFlight.then(() => (pending.size ? flush(keepalive) : null));
    if (!pending.size || failure) {
      updateSaveState();
      return Promise.resolve();
    }
    const batch = [];
    for (const cell of pending.values()) {
      const input = inputOf(cell);
      const result = check(input);
      if (result.error) continue;
      batch.push({
        cell,
        payload: {
          indicator: input.dataset.indicator,
          combination: input.dataset.combination,
          value: result.value,
          comment: commentOf(cell).value,
        },
      });
    }
    pending.clear();
    if (!batch.length) {
      updateSaveState();
      return Promise.resolve();
    }
    for (const item of batch) setCellState(item.cell, "saving");
    inFlight = post(saveUrl, { cells: batch.map((item) => item.payload) }, keepalive)
      .then(function ({ status, data }) {
        retryDelay = 0;
        const errors = new Map();
        let general = "";
        for (const error of data.errors || []) {
          if (error.index === null || error.index === undefined) general = error.message;
          else errors.set(error.index, error.message);
        }
        if (status === 409 || status === 403) {
          failure = status === 409 ? t("readOnly") : general;
          for (const item of batch) setCellState(item.cell, "error", general);
          if (status === 409) lockGrid();
          return;
        }
        if (Array.isArray(data.warnings)) showWarnings(data.warnings);
        batch.forEach(function (item, index) {
          const input = inputOf(item.cell);
          const comment = commentOf(item.cell);
          const message = errors.get(index) || (status !== 200 ? general : "");
          if (message) {
            setCellState(item.cell, "error", t("refused", { reason: message }).trim());
            return;
          }
          input.dataset.saved = item.payload.value;
          comment.dataset.saved = item.payload.comment;
          markComment(item.cell);
          const now = check(input);
          if (now.value === item.payload.value) {
            if (document.activeElement !== input) input.value = shown(item.payload.value, input.dataset.valueType);
            setCellState(item.cell, "saved");
          } else {
            consider(item.cell); // typed on while it was saving
          }
        });
        updateProgress();
      })
      .catch(function (error) {
        for (const item of batch) {
          if (!pending.has(keyOf(inputOf(item.cell)))) pending.set(keyOf(inputOf(item.cell)), item.cell);
          setCellState(item.cell, "dirty");
        }
        if (error && error.fatal) {
          failure = error.message;
          return;
        }
        failure = "";
        retryDelay = Math.min(retryDelay ? retryDelay * 2 : 3000, 30000);
        if (saveState) {
          saveState.dataset.kind = "error";
          saveState.textContent = t("offline");
        }
        window.setTimeout(() => flush(), retryDelay);
      })
      .finally(function () {
        inFlight = null;
        updateSaveState();
      });
    updateSaveState();
    return inFlight;
  }

  // The validation rules the saved values break: the panel above the grid and a line
  // under each row's indicator name (warnings never block saving).
  function showWarnings(warnings) {
    const panel = document.querySelector("[data-rule-warnings]");
    if (panel) {
      const list = panel.querySelector("[data-rule-warning-list]");
      list.replaceChildren();
      for (const warning of warnings) {
        const item = document.createElement("li");
        item.dataset.rule = warning.rule;
        item.textContent = warning.instruction;
        list.appendChild(item);
      }
      panel.hidden = warnings.length === 0;
    }
    for (const row of root.querySelectorAll("[data-row]")) {
      const holder = row.querySelector("[data-row-warnings]");
      if (!holder) continue;
      holder.replaceChildren();
      const code = row.dataset.row.toUpperCase();
      for (const warning of warnings) {
        if (!warning.indicators.includes(code)) continue;
        const line = document.createElement("span");
        line.className = "dh-rule-warning";
        line.dataset.rule = warning.rule;
        const icon = document.createElement("i");
        icon.className = "bi bi-exclamation-triangle-fill";
        icon.setAttribute("aria-hidden", "true");
        line.append(icon, " " + warning.instruction);
        holder.appendChild(line);
      }
    }
  }

  function lockGrid() {
    for (const input of root.querySelectorAll(".dh-input, .dh-comment-input, .dh-narrative-input")) {
      if (input.tagName === "TEXTAREA") input.readOnly = true;
      else input.disabled = true;
    }
    for (const button of root.querySelectorAll("[data-bs-target='#dh-submit-modal']")) button.disabled = true;
  }

  // --- comments --------------------------------------------------------------------------
  function markComment(cell) {
    const button = cell.querySelector(".dh-comment-toggle");
    const comment = commentOf(cell);
    const has = comment.value.trim() !== "";
    button.classList.toggle("has-comment", has);
    const icon = button.querySelector(".bi");
    icon.classList.toggle("bi-chat-left-text-fill", has);
    icon.classList.toggle("bi-chat-left-text", !has);
  }

  function toggleComment(cell, open) {
    const button = cell.querySelector(".dh-comment-toggle");
    const box = cell.querySelector(".dh-comment");
    const show = open === undefined ? box.hidden : open;
    box.hidden = !show;
    button.setAttribute("aria-expanded", show ? "true" : "false");
    if (show) commentOf(cell).focus();
  }

  root.addEventListener("click", function (event) {
    const button = event.target.closest(".dh-comment-toggle");
    if (!button) return;
    toggleComment(cellOf(button));
  });

  // --- typing, moving, reverting --------------------------------------------------------
  root.addEventListener("input", function (event) {
    const target = event.target;
    if (target.classList.contains("dh-input") || target.classList.contains("dh-comment-input")) {
      if (consider(cellOf(target))) schedule(1500);
    } else if (target.classList.contains("dh-narrative-input")) {
      queueNarrative(target, 1000);
    }
  });

  root.addEventListener("change", function (event) {
    const target = event.target;
    if (target.classList.contains("dh-input") || target.classList.contains("dh-comment-input")) {
      if (consider(cellOf(target))) schedule(600);
    }
  });

  root.addEventListener("focusout", function (event) {
    const target = event.target;
    if (target.classList.contains("dh-input")) {
      // Show the figure the Vietnamese way once the cell is left (if it reads as one).
      const result = check(target);
      if (!result.error && result.value !== "" && target.dataset.valueType !== "text") {
        target.value = shown(result.value, target.dataset.valueType);
      }
    } else if (target.classList.contains("dh-narrative-input")) {
      queueNarrative(target, 0);
    }
  });

  function move(input, step) {
    const row = input.closest("tr.dh-row");
    let index = rows.indexOf(row) + step;
    const column = Number(input.dataset.col);
    while (index >= 0 && index < rows.length) {
      const inputs = rows[index].querySelectorAll(".dh-input:not(:disabled)");
      if (inputs.length) {
        const next = inputs[Math.min(column, inputs.length - 1)];
        next.focus();
        next.select();
        return true;
      }
      index += step;
    }
    return false;
  }

  root.addEventListener("keydown", function (event) {
    const target = event.target;
    if (target.classList.contains("dh-comment-input") && event.key === "Escape") {
      const cell = cellOf(target);
      target.value = target.dataset.saved;
      consider(cell);
      toggleComment(cell, false);
      inputOf(cell).focus();
      event.preventDefault();
      return;
    }
    if (!target.classList.contains("dh-input")) return;
    if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    const cell = cellOf(target);
    if (event.key === "Enter" || event.key === "ArrowDown") {
      event.preventDefault();
      if (consider(cell)) schedule(600);
      move(target, event.shiftKey && event.key === "Enter" ? -1 : 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (consider(cell)) schedule(600);
      move(target, -1);
    } else if (event.key === "Escape") {
      event.preventDefault();
      target.value = shown(target.dataset.saved, target.dataset.valueType);
      consider(cell);
      if (cell.dataset.state !== "saved") setCellState(cell, "");
      target.select();
    } else if (event.key === "F2" && event.shiftKey) {
      event.preventDefault();
      toggleComment(cell, true);
    }
  });

  // --- narrative sections: saved about a second after the typing stops ------------------
  const narrativeTimers = new Map();
  const narrativeRequests = new Set();
  const narrativesBusy = () => narrativeTimers.size > 0 || narrativeRequests.size > 0;

  function narrativeState(textarea, kind, label) {
    const target = textarea.closest(".dh-narrative").querySelector("[data-narrative-state]");
    target.dataset.kind = kind;
    target.textContent = label;
  }

  function queueNarrative(textarea, delay) {
    if (!editable || textarea.readOnly) return;
    if (textarea.value === (textarea.dataset.saved ?? textarea.defaultValue)) {
      if (narrativeTimers.has(textarea)) {
        window.clearTimeout(narrativeTimers.get(textarea));
        narrativeTimers.delete(textarea);
      }
      return;
    }
    window.clearTimeout(narrativeTimers.get(textarea));
    narrativeState(textarea, "busy", t("unsaved"));
    narrativeTimers.set(textarea, window.setTimeout(() => saveNarrative(textarea), delay));
    updateSaveState();
  }

  function saveNarrative(textarea, keepalive) {
    narrativeTimers.delete(textarea);
    const value = textarea.value;
    narrativeState(textarea, "busy", t("saving"));
    const request = post(narrativeUrl, { section: Number(textarea.dataset.section), text: value }, keepalive)
      .then(function ({ status, data }) {
        if (status === 200 && data.ok) {
          textarea.dataset.saved = value;
          narrativeState(textarea, "ok", "✓ " + t("savedAt", { time: data.saved_at || "" }));
          if (textarea.value !== value) queueNarrative(textarea, 1000);
        } else {
          const message = (data.errors && data.errors[0] && data.errors[0].message) || "";
          narrativeState(textarea, "error", t("refused", { reason: message }));
          if (status === 409) lockGrid();
        }
      })
      .catch(function (error) {
        narrativeState(textarea, "error", error && error.fatal ? error.message : t("offline"));
        if (!(error && error.fatal)) queueNarrative(textarea, 5000);
      })
      .finally(function () {
        narrativeRequests.delete(request);
        updateSaveState();
      });
    narrativeRequests.add(request);
    updateSaveState();
    return request;
  }

  function flushNarratives(keepalive) {
    const waiting = [];
    for (const [textarea, handle] of narrativeTimers) {
      window.clearTimeout(handle);
      waiting.push(saveNarrative(textarea, keepalive));
    }
    return Promise.all([...waiting, ...narrativeRequests]);
  }

  // --- submitting: save everything first ------------------------------------------------
  const submitForm = document.querySelector("[data-submit-form]");
  if (submitForm) {
    submitForm.addEventListener("submit", function (event) {
      if (submitForm.dataset.ready === "1") return;
      event.preventDefault();
      const button = submitForm.querySelector("[type=submit]");
      const problem = submitForm.querySelector("[data-submit-error]");
      button.disabled = true;
      Promise.all([flush(), flushNarratives()]).then(function () {
        const invalid = root.querySelectorAll('.dh-cell[data-state="invalid"], .dh-cell[data-state="error"]');
        if (invalid.length || failure) {
          problem.textContent = failure || t("invalidBeforeSubmit");
          problem.hidden = false;
          button.disabled = false;
          return;
        }
        submitForm.dataset.ready = "1";
        submitForm.submit();
      });
    });
  }

  // --- leaving the page ----------------------------------------------------------------
  window.addEventListener("beforeunload", function (event) {
    if (submitForm && submitForm.dataset.ready === "1") return;
    if (pending.size || inFlight || narrativesBusy()) {
      flush(true);
      flushNarratives(true);
      event.preventDefault();
      event.returnValue = "";
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      flush(true);
      flushNarratives(true);
    }
  });

  for (const textarea of root.querySelectorAll(".dh-narrative-input")) textarea.dataset.saved = textarea.value;
  if (!editable) return;
  updateProgress();
})();
