// flowadmin's page behaviour. Everything here improves pages that already work
// without JavaScript: the menu button, the org switcher's closing, toasts, rollback of failed
// in-place saves, Save buttons that light up when a row is edited, confirmations.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // --- toasts ---------------------------------------------------------------------------
  var TOAST_MS = 6000;
  var UNDO_MS = 10000; // a toast offering Undo stays 10 s

  function toast(text, kind, action) {
    var region = document.getElementById("toasts");
    if (!region || !text) return;
    var item = document.createElement("div");
    item.className = "toast" + (kind ? " " + kind : "");
    var p = document.createElement("p");
    p.textContent = text;
    item.appendChild(p);
    if (action && action.form) {
      // A server-made Undo (orgs.undo): its form POSTs and the page reloads with the outcome.
      item.appendChild(action.form);
    } else if (action) {
      var act = document.createElement("button");
      act.type = "button";
      act.textContent = action.label;
      act.addEventListener("click", function () { item.remove(); action.run(); });
      item.appendChild(act);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.addEventListener("click", function () { item.remove(); });
    item.appendChild(close);
    region.appendChild(item);
    // Errors stay until dismissed; other toasts leave after a while, not while read or focused.
    if (kind !== "error") {
      var timer;
      var ms = action ? UNDO_MS : TOAST_MS;
      var arm = function () { timer = setTimeout(function () { item.remove(); }, ms); };
      item.addEventListener("mouseenter", function () { clearTimeout(timer); });
      item.addEventListener("focusin", function () { clearTimeout(timer); });
      item.addEventListener("mouseleave", arm);
      arm();
    }
  }
  window.flowadminToast = toast;

  // Server messages (django.contrib.messages) become toasts; without JS they stay in the page.
  function messagesToToasts(root) {
    root.querySelectorAll("ul.messages").forEach(function (list) {
      list.querySelectorAll("li").forEach(function (li) {
        var undo = li.querySelector("form.undo");
        if (undo) undo.remove();
        toast(li.textContent.trim(), li.classList.contains("error") ? "error" : "", undo ? { form: undo } : null);
      });
      var holder = list.parentNode;
      list.remove();
      if (holder && holder.getAttribute("role") === "status" && !holder.children.length) holder.remove();
    });
    // In-place confirmations rendered into swapped fragments take the same road; the first
    // one after an undoable save offers Undo.
    root.querySelectorAll(".flash.ok[role=status], .status-ok[role=status], .row-note.ok[role=status], .saved[role=status]").forEach(function (note) {
      toast(note.textContent.trim(), "", pendingUndo);
      pendingUndo = null;
      note.remove();
    });
  }

  // --- failed htmx requests: roll the control back and say why ----------------------------
  var REASONS = {
    0: "Couldn't reach the server. Check your connection and try again.",
    401: "Your session ended. Sign in again, then retry.",
    403: "You are no longer allowed to do this. Reload the page to see your current access.",
    404: "This no longer exists; someone may have just changed it. Reload the page.",
    409: "Someone else changed this at the same time. Reload the page.",
    413: "That file is too large.",
    429: "Too many attempts. Wait a moment and try again.",
  };

  function reasonFor(xhr) {
    var status = xhr ? xhr.status : 0;
    var given = xhr && xhr.getResponseHeader && xhr.getResponseHeader("X-Reason");
    if (given) return decodeURIComponent(given);
    if (REASONS[status]) return REASONS[status];
    if (status >= 500) return "Something went wrong on the server; nothing was saved. Try again.";
    return "That didn't work (error " + status + "). Reload the page and try again.";
  }

  function controls(form) {
    return form ? form.querySelectorAll("input, select, textarea") : [];
  }

  // What the server last rendered: the controls' default state (every save swaps fresh HTML
  // in), so a change made before htmx:load has run still counts as a change.
  function serverValue(el) {
    if (el.tagName !== "SELECT") return el.defaultValue;
    var chosen = Array.prototype.find.call(el.options, function (o) { return o.defaultSelected; });
    chosen = chosen || el.options[0];
    return chosen ? chosen.value : "";
  }

  function snapshot(form) {
    return Array.prototype.map.call(controls(form), function (el) {
      return { el: el, checked: el.defaultChecked, value: serverValue(el) };
    });
  }

  function restore(saved) {
    (saved || []).forEach(function (s) {
      if (s.el.type === "checkbox" || s.el.type === "radio") s.el.checked = s.checked;
      else if (s.el.type !== "file" && s.el.type !== "hidden") s.el.value = s.value;
    });
  }

  // Remember the last state the server confirmed for every form with in-place saves.
  var confirmed = new WeakMap();
  function remember(elt) {
    var forms = Array.prototype.slice.call(elt.querySelectorAll("form[data-save-row], form[hx-post]"));
    if (elt.matches && elt.matches("form[data-save-row], form[hx-post]")) forms.push(elt);
    forms.forEach(function (form) {
      confirmed.set(form, snapshot(form));
      markDirty(form);
    });
  }

  function failed(event) {
    var elt = event.detail.elt;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest && elt.closest("form"));
    if (form && confirmed.has(form)) {
      restore(confirmed.get(form));
      markDirty(form);
    }
    toast(reasonFor(event.detail.xhr), "error");
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", function (event) {
    event.detail.xhr = null;
    failed(event);
  });

  // --- Undo: a saved grant row (role and flags) can be put back for a while, as a new change
  // (the same service and activity log; the log stays append-only).
  // The role and the flag checkboxes (marked data-flag by workspaces.forms.grants.grant_editor).
  var pendingUndo = null;

  function valuesOf(saved) {
    var values = {};
    (saved || []).forEach(function (s) {
      if (s.el.name !== "role" && !s.el.hasAttribute("data-flag")) return;
      values[s.el.name] = s.el.type === "checkbox" ? s.checked : s.value;
    });
    return values;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!form || !form.matches || !form.matches("form[data-save-row]")) return;
    if (!event.detail.xhr || event.detail.xhr.status !== 200) return;
    if (form.querySelector("input[name=restore]")) { pendingUndo = null; return; }
    var before = valuesOf(confirmed.get(form));
    var action = form.getAttribute("action");
    if (!Object.keys(before).length) return;
    pendingUndo = {
      label: "Undo",
      run: function () {
        var again = document.querySelector('form[data-save-row][action="' + action + '"]');
        if (!again) return;
        Array.prototype.forEach.call(again.elements, function (el) {
          if (!(el.name in before)) return;
          el.disabled = false; // admin flags are locked on; an undo may restore them off
          if (el.type === "checkbox") el.checked = before[el.name];
          else el.value = before[el.name];
        });
        var restore = document.createElement("input");
        restore.type = "hidden";
        restore.name = "restore";
        restore.value = "on";
        again.appendChild(restore);
        htmx.trigger(again, "submit");
      },
    };
  });

  // --- one save pattern: an edited row shows it, and saves only on its Save button ----------
  function isDirty(form) {
    var saved = confirmed.get(form) || snapshot(form);
    return saved.some(function (s) {
      if (s.el.type === "checkbox" || s.el.type === "radio") return s.el.checked !== s.checked;
      return s.el.type !== "hidden" && s.el.value !== s.value;
    });
  }

  function markDirty(form) {
    if (!form.hasAttribute("data-save-row")) return;
    var dirty = isDirty(form);
    form.classList.toggle("dirty", dirty);
    form.querySelectorAll("[data-save]").forEach(function (button) {
      button.disabled = !dirty;
    });
  }
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-save-row]");
    if (form) markDirty(form);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-save-row]");
    if (form) markDirty(form);
  });

  // A chosen image shows before it is uploaded (avatars, logos, assets).
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "file" || !input.files || !input.files[0]) return;
    var preview = input.parentNode.querySelector("img.file-preview");
    if (!/^image\//.test(input.files[0].type)) {
      if (preview) preview.remove();
      return;
    }
    if (!preview) {
      preview = document.createElement("img");
      preview.className = "file-preview";
      preview.alt = "Preview of the chosen image";
      input.insertAdjacentElement("afterend", preview);
    }
    preview.src = URL.createObjectURL(input.files[0]);
  });

  // Server-confirmed toasts for htmx swaps: a response may carry HX-Trigger {"toast": "…"}.
  document.addEventListener("toast", function (event) {
    var detail = event.detail || {};
    toast(detail.value || detail.message || "", detail.kind || "");
  });

  // --- scan charts: a tooltip with the day's value on hover and focus; arrow keys, Home and
  // End move the one tab stop between the days (templates/components/scan_chart.html).
  function initChart(svg) {
    if (svg.dataset.ready) return;
    svg.dataset.ready = "1";
    var figure = svg.closest("figure");
    var tip = figure && figure.querySelector(".chart-tip");
    var days = Array.prototype.slice.call(svg.querySelectorAll(".day"));
    days.forEach(function (day) {
      // The value becomes the item's name, and only our tooltip shows it (no native one).
      var title = day.querySelector("title");
      if (title) {
        day.setAttribute("aria-label", title.textContent);
        title.remove();
      }
    });
    function show(day) {
      if (!tip) return;
      var box = day.querySelector(".bar").getBoundingClientRect();
      var slot = day.querySelector(".slot").getBoundingClientRect();
      var frame = figure.getBoundingClientRect();
      tip.textContent = day.getAttribute("aria-label");
      tip.hidden = false;
      var half = tip.offsetWidth / 2;
      var x = slot.left + slot.width / 2 - frame.left;
      tip.style.left = Math.min(Math.max(x, half), frame.width - half) + "px";
      tip.style.top = Math.max(box.top - frame.top - 4, tip.offsetHeight) + "px";
    }
    function hide() { if (tip) tip.hidden = true; }
    var hovered = null;
    days.forEach(function (day, index) {
      day.addEventListener("mouseenter", function () { hovered = day; show(day); });
      // The pointer leaving a day gives the tip back to the focused day, if any, and focus
      // leaving the chart gives it back to the day under the pointer.
      day.addEventListener("mouseleave", function () {
        hovered = null;
        var focused = days.indexOf(document.activeElement);
        if (focused >= 0) show(days[focused]); else hide();
      });
      day.addEventListener("focus", function () { show(day); });
      day.addEventListener("blur", function () { if (hovered) show(hovered); else hide(); });
      day.addEventListener("keydown", function (event) {
        var to = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: days.length - 1 }[event.key];
        if (to === undefined || to < 0 || to >= days.length) return;
        event.preventDefault();
        day.setAttribute("tabindex", "-1");
        days[to].setAttribute("tabindex", "0");
        days[to].focus();
      });
    });
  }

  // --- the command palette: "/" or Ctrl-K (⌘K) opens it; type, ↑/↓ choose, Enter opens,
  // Esc closes. An ARIA combobox whose listbox the server fills with only what the user may
  // open (orgs.palette, GET /jump/?q=); without JavaScript the "Jump to…" link is a page.
  function initPalette() {
    var dialog = document.getElementById("palette");
    if (!dialog || typeof dialog.showModal !== "function") return;
    var form = dialog.querySelector("form");
    var input = document.getElementById("palette-input");
    var list = document.getElementById("palette-options");
    var status = document.getElementById("palette-status");
    var url = form.getAttribute("action");
    var active = -1;
    var timer = null;
    var asked = 0;
    var opener = null;

    function options() { return list.querySelectorAll("[role=option]"); }

    function choose(index) {
      var all = options();
      active = all.length ? Math.max(0, Math.min(index, all.length - 1)) : -1;
      all.forEach(function (option, i) { option.setAttribute("aria-selected", String(i === active)); });
      if (active < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function load() {
      var mine = ++asked;
      fetch(url + "?q=" + encodeURIComponent(input.value), {
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) throw response;
          return response.text();
        })
        .then(function (html) {
          if (mine !== asked) return; // an answer to an older query
          list.innerHTML = html;
          var count = options().length;
          list.hidden = !count;
          input.setAttribute("aria-expanded", String(count > 0));
          status.textContent = count
            ? count + (count === 1 ? " place" : " places") + " to jump to."
            : "Nothing you can open matches “" + input.value.trim() + "”.";
          choose(0);
        })
        .catch(function (failure) {
          if (mine !== asked) return;
          var answer = failure instanceof Response
            ? { status: failure.status, getResponseHeader: function (name) { return failure.headers.get(name); } }
            : null; // no answer at all
          status.textContent = reasonFor(answer);
        });
    }

    function open() {
      if (dialog.open) return;
      opener = document.activeElement;
      input.value = "";
      dialog.showModal();
      input.focus();
      load();
    }

    function go(option) {
      if (option) window.location.assign(option.getAttribute("data-href"));
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(load, 120);
    });
    input.addEventListener("keydown", function (event) {
      var all = options();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!all.length) return;
        var step = event.key === "ArrowDown" ? 1 : -1;
        choose((active + step + all.length) % all.length);
      } else if (event.key === "Enter" && active >= 0 && all[active]) {
        event.preventDefault(); // without a choice, Enter submits to the Jump to page
        go(all[active]);
      }
    });
    list.addEventListener("click", function (event) {
      go(event.target.closest("[role=option]"));
    });
    list.addEventListener("mousemove", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) choose(Array.prototype.indexOf.call(options(), option));
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close(); // a click on the backdrop
    });
    dialog.addEventListener("close", function () {
      list.innerHTML = "";
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      status.textContent = "";
      if (opener && opener.focus) opener.focus();
    });
    document.querySelectorAll(".jump-button").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        open();
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey) return;
      if ((event.key === "k" || event.key === "K") && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        open();
        return;
      }
      if (event.key !== "/" || event.ctrlKey || event.metaKey) return;
      var target = event.target;
      var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
      if (!typing) {
        event.preventDefault();
        open();
      }
    });
  }

  // --- the shell: menu button and org switcher -------------------------------------------
  function initShell() {
    var button = document.querySelector(".menu-button");
    var sidebar = document.getElementById("sidebar");
    if (button && sidebar) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        sidebar.classList.toggle("open", open);
        if (open) {
          var first = sidebar.querySelector("a");
          if (first) first.focus();
        }
      });
    } else if (button) {
      button.remove();
    }
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      document.querySelectorAll("details.switcher[open]").forEach(function (d) {
        d.open = false;
        d.querySelector("summary").focus();
      });
    });
    document.addEventListener("click", function (event) {
      document.querySelectorAll("details.switcher[open]").forEach(function (d) {
        if (!d.contains(event.target)) d.open = false;
      });
    });
  }

  // A "Print" button (the printable access review evidence): CSP allows no inline handler.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });

  // A picker that belongs to one choice (the access review's "Only the workspaces I choose"):
  // ticking a box in it makes that choice, so what is ticked is used.
  document.addEventListener("change", function (event) {
    var box = event.target;
    var picker = box.closest && box.closest("[data-chooses]");
    if (!picker || box.type !== "checkbox" || !box.checked) return;
    var choice = document.getElementById(picker.getAttribute("data-chooses"));
    if (choice) choice.checked = true;
  });

  document.addEventListener("DOMContentLoaded", initShell);
  document.addEventListener("DOMContentLoaded", initPalette);
  // htmx:load fires for the page once and then for every swapped-in element.
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    messagesToToasts(elt.parentNode || document);
    remember(elt);
    (elt.parentNode || document).querySelectorAll("svg.chart").forEach(initChart);
  });
})();
