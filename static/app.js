// ReviewWatch progressive enhancement. Every page works without this file: it only filters the
// region lists, previews screenshots, counts characters, shows upload progress, copies the receipt
// code and keeps a half-filled form across a language switch.
(function () {
  "use strict";

  // Region: narrow each list to the choice above it.
  function cascade(parentSel, childSel) {
    var parent = document.getElementById(parentSel), child = document.getElementById(childSel);
    if (!parent || !child) return;
    var groups = Array.prototype.map.call(child.querySelectorAll("optgroup"), function (g) { return g.cloneNode(true); });
    var placeholder = child.options[0] ? child.options[0].cloneNode(true) : null;
    function refresh() {
      var keep = child.value, code = parent.value;
      while (child.firstChild) child.removeChild(child.firstChild);
      if (placeholder) child.appendChild(placeholder.cloneNode(true));
      groups.forEach(function (g) {
        var p = g.getAttribute("data-parent");
        if (!code || p === code || p.slice(0, 2) === code.slice(0, 2) && code.slice(2) === "0000") child.appendChild(g.cloneNode(true));
      });
      child.value = keep;
      if (child.value !== keep) child.value = "";
      child.dispatchEvent(new Event("change"));
    }
    parent.addEventListener("change", refresh);
    refresh();
  }
  cascade("region_province", "region_city");
  cascade("region_city", "region_code");

  // "Other" platform name only when "other" is chosen.
  var platform = document.getElementById("platform");
  var otherField = document.querySelector("[data-show-when-platform]");
  if (platform && otherField) {
    var syncOther = function () { otherField.hidden = platform.value !== "other"; };
    platform.addEventListener("change", syncOther);
    syncOther();
  }

  // Character counter.
  Array.prototype.forEach.call(document.querySelectorAll("[data-counter]"), function (area) {
    var out = document.getElementById(area.getAttribute("data-counter"));
    var max = parseInt(area.getAttribute("maxlength"), 10);
    function update() { out.textContent = Array.from(area.value).length + " / " + max; }
    area.addEventListener("input", update);
    update();
  });

  // Screenshot previews, with the limits checked before anything is sent: each choice adds to the
  // screenshots already chosen, each can be removed on its own, and a file that will not be sent
  // says why in words beside a sign (not by colour alone).
  var chosenOf = {};
  Array.prototype.forEach.call(document.querySelectorAll("input[type=file][data-preview]"), function (files) {
    var preview = document.getElementById(files.getAttribute("data-preview"));
    if (!preview) return;
    var maxFiles = parseInt(files.getAttribute("data-max-files"), 10), maxBytes = parseInt(files.getAttribute("data-max-bytes"), 10);
    var said = function (attr) { return files.getAttribute(attr) || ""; };
    var canKeep = false;
    try { canKeep = !!new DataTransfer().items; } catch (e) { canKeep = false; }
    var chosen = [];
    var sync = function () {
      if (!canKeep) return;
      var dt = new DataTransfer();
      chosen.forEach(function (f) { dt.items.add(f); });
      files.files = dt.files;
    };
    var heldCount = function () { return (files.form || document).querySelectorAll("input[name=keep_upload]:checked").length; };
    var problemOf = function (f, i) {
      if (!/^image\/(png|jpeg|webp)$/.test(f.type)) return said("data-bad-type");
      if (f.size > maxBytes) return said("data-bad-size");
      if (heldCount() + i >= maxFiles) return said("data-bad-count");
      return "";
    };
    var render = function () {
      preview.textContent = "";
      var bad = 0;
      chosen.forEach(function (f, i) {
        var fig = document.createElement("figure"), cap = document.createElement("figcaption");
        var note = document.createElement("span"), problem = problemOf(f, i);
        if (problem) { fig.className = "bad"; bad++; }
        if (/^image\//.test(f.type)) {
          var img = document.createElement("img");
          img.alt = "";
          img.src = URL.createObjectURL(f);
          img.onload = function () { URL.revokeObjectURL(img.src); };
          fig.appendChild(img);
        }
        cap.textContent = f.name + " · " + (f.size < 1048576 ? (f.size / 1024).toFixed(1) + " KiB" : (f.size / 1048576).toFixed(1) + " MiB");
        note.className = "file-note";
        note.textContent = problem ? "⚠ " + problem : "✓ " + said("data-file-ok");
        cap.appendChild(note);
        fig.appendChild(cap);
        if (canKeep) {
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "button file-remove";
          remove.textContent = said("data-remove").replace("{0}", "");
          remove.setAttribute("aria-label", said("data-remove").replace("{0}", f.name));
          remove.addEventListener("click", function () {
            chosen.splice(chosen.indexOf(f), 1);
            sync();
            render();
            files.focus();
          });
          fig.appendChild(remove);
        }
        preview.appendChild(fig);
      });
      files.setAttribute("data-bad", String(bad));
    };
    files.addEventListener("change", function () {
      var added = Array.prototype.slice.call(files.files || []);
      chosen = canKeep ? chosen.concat(added.filter(function (f) {
        return !chosen.some(function (c) { return c.name === f.name && c.size === f.size && c.lastModified === f.lastModified; });
      })) : added;
      sync();
      render();
    });
    Array.prototype.forEach.call(document.querySelectorAll("input[name=keep_upload]"), function (k) { k.addEventListener("change", render); });
    chosenOf[files.id] = { count: function () { return chosen.length + heldCount(); }, bad: function () { return chosen.filter(problemOf).length; } };
  });

  // Before sending: the required fields and the screenshots are checked here first, so that a
  // missing answer never costs the upload; the server checks everything again.
  var checkFirst = function (form) {
    var summary = form.getAttribute("data-check-first");
    if (!summary) return true;
    var firstBad = null, seen = {};
    var mark = function (el, bad) {
      if (bad) { el.setAttribute("aria-invalid", "true"); if (!firstBad) firstBad = el; }
      else el.removeAttribute("aria-invalid");
    };
    Array.prototype.forEach.call(form.querySelectorAll("[required]"), function (el) {
      if (el.closest("[hidden]")) return;
      if (el.type === "radio") {
        if (seen[el.name]) return;
        seen[el.name] = true;
        var group = form.querySelectorAll("input[type=radio][name='" + el.name + "']");
        var any = Array.prototype.some.call(group, function (r) { return r.checked; });
        mark(el, !any);
        return;
      }
      mark(el, !el.checkValidity());
    });
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file][data-preview]"), function (input) {
      var state = chosenOf[input.id];
      if (!state) return;
      mark(input, state.count() === 0 || state.bad() > 0);
    });
    var box = form.querySelector(".check-first");
    if (!firstBad) { if (box) box.hidden = true; return true; }
    if (!box) {
      box = document.createElement("p");
      box.className = "alert error check-first";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    box.textContent = summary;
    box.hidden = false;
    firstBad.focus();
    return false;
  };

  // Upload progress: send the same multipart form with XHR, show a labelled bar fixed in view
  // (announced to screen readers every 25 %), let the sender cancel, and follow the server's answer.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), function (form) {
    var box = form.querySelector(".upload-bar");
    if (!box || !window.FormData || !window.XMLHttpRequest) return;
    var bar = box.querySelector("progress"), label = box.querySelector(".upload-label");
    var status = box.querySelector(".upload-status"), cancel = box.querySelector(".upload-cancel");
    var note = form.querySelector(".upload-note");
    var buttons = form.querySelectorAll("button[type=submit]");
    var xhr = null;
    var words = function (attr, a, b, c) {
      return box.getAttribute(attr).replace("{0}", a).replace("{1}", b).replace("{2}", c);
    };
    var files = function () {
      var out = [];
      Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
        Array.prototype.forEach.call(input.files || [], function (f) { out.push(f.size); });
      });
      return out;
    };
    var restore = function (attr) {
      xhr = null;
      box.hidden = true;
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      if (note && attr) { note.textContent = box.getAttribute(attr); note.hidden = false; }
    };
    var show = function (sizes, loaded, total) {
      var pct = total > 0 ? Math.min(100, Math.floor(100 * loaded / total)) : 0;
      // Which file is on its way: the files are the body's bulk, sent in the order chosen.
      var sum = sizes.reduce(function (a, b) { return a + b; }, 0), sent = sum * loaded / (total || 1), n = 0, acc = 0;
      while (n < sizes.length && acc + sizes[n] <= sent) { acc += sizes[n]; n++; }
      var text = words("data-progress", Math.max(1, Math.min(sizes.length, n + 1)), Math.max(1, sizes.length), pct);
      bar.value = pct;
      label.textContent = text;
      var step = Math.floor(pct / 25);
      if (step !== show.lastStep) { show.lastStep = step; status.textContent = text; }
    };
    cancel.addEventListener("click", function () {
      if (xhr) { xhr.abort(); restore("data-cancelled"); }
      var first = form.querySelector("button[type=submit]");
      if (first) first.focus();
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (xhr) return;
      if (!checkFirst(form)) return;
      var sizes = files();
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      if (note) note.hidden = true;
      show.lastStep = -1;
      show(sizes, 0, 1);
      box.hidden = false;
      var req = xhr = new XMLHttpRequest();
      req.open("POST", form.action);
      req.upload.onprogress = function (e) { if (e.lengthComputable && req === xhr) show(sizes, e.loaded, e.total); };
      req.upload.onload = function () {
        if (req !== xhr) return;
        bar.value = 100;
        label.textContent = status.textContent = box.getAttribute("data-waiting");
      };
      req.onload = function () {
        if (req !== xhr) return;
        // The XHR followed the redirect and already holds the receipt, which shows the code once:
        // show that response and fix the address bar, never load the page a second time.
        if (req.responseURL) history.replaceState(null, "", req.responseURL);
        document.open(); document.write(req.responseText); document.close();
        window.scrollTo(0, 0);
      };
      req.onerror = function () { if (req === xhr) restore("data-failed"); };
      req.send(new FormData(form));
    });
  });

  // Print button on the receipt.
  Array.prototype.forEach.call(document.querySelectorAll(".print-button"), function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });

  // Copy the receipt code; where the clipboard is not offered, the code is selected for the reader.
  Array.prototype.forEach.call(document.querySelectorAll(".copy-button"), function (b) {
    var source = document.getElementById(b.getAttribute("data-copy"));
    var status = b.parentNode.querySelector(".copy-status");
    if (!source) return;
    b.hidden = false;
    var say = function (attr) { if (status) status.textContent = b.getAttribute(attr); };
    var select = function () {
      var r = document.createRange(), sel = window.getSelection();
      r.selectNodeContents(source); sel.removeAllRanges(); sel.addRange(r);
    };
    b.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { say("data-copied"); }, function () { select(); say("data-copy-failed"); });
      } else {
        select();
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        say(ok ? "data-copied" : "data-copy-failed");
      }
    });
  });

  // The anonymity warning matters only while no email is given.
  var email = document.getElementById("email"), anon = document.getElementById("anonymous-warning");
  if (email && anon) {
    var syncAnon = function () { anon.hidden = email.value.trim() !== ""; };
    email.addEventListener("input", syncAnon);
    syncAnon();
  }

  // Redaction: draw rectangles over the screenshot; they are written, in the image's own pixels,
  // into the text field that the form sends (which also works typed by hand).
  var canvas = document.getElementById("redact-canvas"), rectsField = document.getElementById("rects");
  if (canvas && rectsField) {
    var natW = parseInt(canvas.getAttribute("data-width"), 10), natH = parseInt(canvas.getAttribute("data-height"), 10);
    var start = null, box = null;
    var picture = document.getElementById("redact-image") || canvas;
    var point = function (ev) {
      // Measured against the picture itself, not the frame around it.
      var r = picture.getBoundingClientRect();
      return { x: Math.max(0, Math.min(r.width, ev.clientX - r.left)), y: Math.max(0, Math.min(r.height, ev.clientY - r.top)), w: r.width, h: r.height };
    };
    canvas.addEventListener("pointerdown", function (ev) {
      start = point(ev);
      box = document.createElement("div");
      box.className = "redact-box drawing";
      canvas.appendChild(box);
      canvas.setPointerCapture(ev.pointerId);
    });
    canvas.addEventListener("pointermove", function (ev) {
      if (!start) return;
      var p = point(ev);
      box.style.left = Math.min(start.x, p.x) / p.w * 100 + "%";
      box.style.top = Math.min(start.y, p.y) / p.h * 100 + "%";
      box.style.width = Math.abs(p.x - start.x) / p.w * 100 + "%";
      box.style.height = Math.abs(p.y - start.y) / p.h * 100 + "%";
    });
    canvas.addEventListener("pointerup", function (ev) {
      if (!start) return;
      var p = point(ev), sx = natW / p.w, sy = natH / p.h;
      var x = Math.round(Math.min(start.x, p.x) * sx), y = Math.round(Math.min(start.y, p.y) * sy);
      var w = Math.round(Math.abs(p.x - start.x) * sx), h = Math.round(Math.abs(p.y - start.y) * sy);
      start = null;
      if (w < 3 || h < 3) { canvas.removeChild(box); return; }
      box.className = "redact-box";
      rectsField.value = (rectsField.value.trim() ? rectsField.value.trim() + "\n" : "") + [x, y, w, h].join(",");
    });
    // With the mouse at hand, the instructions say to drag (without JavaScript, to type).
    var intro = document.getElementById("redact-intro");
    if (intro && intro.getAttribute("data-drag")) intro.textContent = intro.getAttribute("data-drag");
    var clear = document.getElementById("redact-clear");
    if (clear) {
      clear.hidden = false;
      clear.addEventListener("click", function () {
        rectsField.value = "";
        Array.prototype.forEach.call(canvas.querySelectorAll(".redact-box"), function (b) { canvas.removeChild(b); });
      });
    }
  }

  // The language switch keeps what was typed: the fields of a half-filled form (never files,
  // tokens or secrets) wait in this tab's sessionStorage and fill the same form on the next page.
  var KEEP_PREFIX = "rw-keep:", SKIP = /^(csrf_token|form_token|receipt_code|password.*|keep_upload)$/;
  var keptForms = document.querySelectorAll("form[data-keep-on-lang]");
  var storage = null;
  try { storage = window.sessionStorage; } catch (e) { storage = null; }
  var keepable = function (el) {
    var kind = (el.type || "").toLowerCase();
    return el.name && !SKIP.test(el.name) && !el.disabled && ["file", "hidden", "submit", "button", "reset", "password"].indexOf(kind) < 0;
  };
  if (storage && keptForms.length) {
    Array.prototype.forEach.call(document.querySelectorAll("a.lang-switch"), function (link) {
      link.addEventListener("click", function () {
        Array.prototype.forEach.call(keptForms, function (f) {
          var values = [];
          Array.prototype.forEach.call(f.elements, function (el) {
            if (!keepable(el)) return;
            if (el.type === "checkbox" || el.type === "radio") { if (el.checked) values.push([el.name, el.value, true]); }
            else if (el.value !== "") values.push([el.name, el.value]);
          });
          try { storage.setItem(KEEP_PREFIX + f.id, JSON.stringify({ at: Date.now(), values: values })); } catch (e) { /* full or refused: the form comes back empty */ }
        });
      });
    });
    Array.prototype.forEach.call(keptForms, function (f) {
      var raw = storage.getItem(KEEP_PREFIX + f.id);
      if (!raw) return;
      storage.removeItem(KEEP_PREFIX + f.id);
      var kept;
      try { kept = JSON.parse(raw); } catch (e) { return; }
      if (!kept || !kept.values || Date.now() - kept.at > 10 * 60 * 1000) return;
      // In the page's order, so that a region list is narrowed before its child is chosen.
      Array.prototype.forEach.call(f.elements, function (el) {
        if (!keepable(el)) return;
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = kept.values.some(function (v) { return v[0] === el.name && v[1] === el.value && v[2]; });
        } else {
          var v = kept.values.filter(function (x) { return x[0] === el.name; })[0];
          if (!v || el.value === v[1]) return;
          el.value = v[1];
        }
        el.dispatchEvent(new Event(el.tagName === "SELECT" || el.type === "checkbox" || el.type === "radio" ? "change" : "input", { bubbles: true }));
      });
    });
  }

  // A closed tab or a lost connection loses nothing typed: the report form's fields (never files,
  // tokens or secrets) are kept in this browser's localStorage as they are typed, brought back on
  // a fresh form, and forgotten once the receipt is shown.
  var DRAFT_PREFIX = "rw-draft:", DRAFT_DAYS = 3;
  var local = null;
  try { local = window.localStorage; } catch (e) { local = null; }
  if (local) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-clear-draft]"), function (el) {
      try { local.removeItem(DRAFT_PREFIX + el.getAttribute("data-clear-draft")); } catch (e) { /* nothing kept */ }
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-keep-draft]"), function (f) {
      var key = DRAFT_PREFIX + f.id, timer = null;
      var save = function () {
        // A form replaced by the page that answered it (the receipt) saves nothing more.
        if (!document.contains(f)) return;
        var values = [];
        Array.prototype.forEach.call(f.elements, function (el) {
          if (!keepable(el)) return;
          if (el.type === "checkbox" || el.type === "radio") { if (el.checked) values.push([el.name, el.value, true]); }
          else if (el.value !== "") values.push([el.name, el.value]);
        });
        try { local.setItem(key, JSON.stringify({ at: Date.now(), values: values })); } catch (e) { /* full or refused */ }
      };
      var later = function () { clearTimeout(timer); timer = setTimeout(save, 400); };
      var raw = null;
      try { raw = local.getItem(key); } catch (e) { raw = null; }
      var kept = null;
      try { kept = raw && JSON.parse(raw); } catch (e) { kept = null; }
      // Only a fresh form takes the draft: a form the server sent back already holds what was sent.
      var fresh = !document.getElementById("form-problems");
      if (fresh && kept && kept.values && Date.now() - kept.at < DRAFT_DAYS * 86400000) {
        Array.prototype.forEach.call(f.elements, function (el) {
          if (!keepable(el)) return;
          if (el.type === "checkbox" || el.type === "radio") {
            var on = kept.values.some(function (v) { return v[0] === el.name && v[1] === el.value && v[2]; });
            if (el.checked === on) return;
            el.checked = on;
          } else {
            var v = kept.values.filter(function (x) { return x[0] === el.name; })[0];
            if (!v || el.value === v[1]) return;
            el.value = v[1];
          }
          el.dispatchEvent(new Event(el.tagName === "SELECT" || el.type === "checkbox" || el.type === "radio" ? "change" : "input", { bubbles: true }));
        });
      }
      f.addEventListener("input", later);
      f.addEventListener("change", later);
      // Saved as it is sent, so that no save still waiting lands after the receipt cleared it.
      f.addEventListener("submit", function () { clearTimeout(timer); save(); }, true);
    });
  }

  // After a refusal, focus (and so the view) goes to what must be corrected.
  var problems = document.getElementById("form-problems") || document.getElementById("reply-problems");
  if (problems) problems.focus();
})();
