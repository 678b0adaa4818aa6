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

  // Screenshot previews, with the limits checked before anything is sent.
  Array.prototype.forEach.call(document.querySelectorAll("input[type=file][data-preview]"), function (files) {
    var preview = document.getElementById(files.getAttribute("data-preview"));
    if (!preview) return;
    var maxFiles = parseInt(files.getAttribute("data-max-files"), 10), maxBytes = parseInt(files.getAttribute("data-max-bytes"), 10);
    files.addEventListener("change", function () {
      preview.textContent = "";
      Array.prototype.forEach.call(files.files, function (f, i) {
        var fig = document.createElement("figure"), cap = document.createElement("figcaption");
        var ok = /^image\/(png|jpeg|webp)$/.test(f.type) && f.size <= maxBytes && i < maxFiles;
        if (!ok) fig.className = "bad";
        if (/^image\//.test(f.type)) {
          var img = document.createElement("img");
          img.alt = "";
          img.src = URL.createObjectURL(f);
          img.onload = function () { URL.revokeObjectURL(img.src); };
          fig.appendChild(img);
        }
        cap.textContent = f.name + " · " + (f.size < 1048576 ? (f.size / 1024).toFixed(1) + " KiB" : (f.size / 1048576).toFixed(1) + " MiB");
        fig.appendChild(cap);
        preview.appendChild(fig);
      });
    });
  });

  // Upload progress: send the same multipart form with XHR and follow the server's answer.
  var form = document.getElementById("report-form"), bar = document.getElementById("upload-progress");
  if (form && bar && window.FormData && window.XMLHttpRequest) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var button = document.getElementById("submit-report");
      button.disabled = true;
      bar.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
      xhr.onload = function () {
        // The XHR followed the redirect and already holds the receipt, which shows the code once:
        // show that response and fix the address bar, never load the page a second time.
        if (xhr.responseURL) history.replaceState(null, "", xhr.responseURL);
        document.open(); document.write(xhr.responseText); document.close();
        window.scrollTo(0, 0);
      };
      xhr.onerror = function () { button.disabled = false; bar.hidden = true; form.submit(); };
      xhr.send(new FormData(form));
    });
  }

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

  // After a refusal, focus (and so the view) goes to what must be corrected.
  var problems = document.getElementById("form-problems") || document.getElementById("reply-problems");
  if (problems) problems.focus();
})();
