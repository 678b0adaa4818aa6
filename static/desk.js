// The officer's keyboard shortcuts (issue 17), only where the page says they are on
// (#shortcuts[data-on="1"]): each officer can turn them off (WCAG 2.1.4). j / k move through the
// queue's cases (Enter opens the one in focus), a takes the case on its page or ticks the
// highlighted case on the queue, / goes to the search box, ? opens the list of shortcuts.
// Never while typing in a field, never with Ctrl, Alt or Meta held. Everything they do can
// also be done without them.
(function () {
  "use strict";
  var box = document.getElementById("shortcuts");
  if (!box || box.getAttribute("data-on") !== "1") return;
  var rows = Array.prototype.slice.call(document.querySelectorAll("#queue tbody tr[data-case]"));
  var current = -1;
  function select(i) {
    if (!rows.length) return false;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, j) { r.classList.toggle("kbd-current", j === current); });
    var link = rows[current].querySelector("a.case-link");
    if (link) link.focus();
    return true;
  }
  function typing(t) {
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName) && t.type !== "checkbox" && t.type !== "submit");
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    var done = false;
    if (e.key === "j") {
      done = select(current + 1);
    } else if (e.key === "k") {
      done = select(current - 1);
    } else if (e.key === "/") {
      var q = document.getElementById("q");
      if (q) { q.focus(); q.select(); done = true; }
    } else if (e.key === "a") {
      var take = document.querySelector('form[data-action="take"]');
      if (take) {
        if (take.requestSubmit) take.requestSubmit(); else take.submit();
        done = true;
      } else if (current >= 0) {
        var tick = rows[current].querySelector('input[name="case"]');
        if (tick) { tick.checked = !tick.checked; done = true; }
      }
    } else if (e.key === "?") {
      var help = document.getElementById("shortcuts-help");
      if (help) {
        help.open = !help.open;
        if (help.open) help.scrollIntoView({ block: "nearest" });
        done = true;
      }
    }
    if (done) e.preventDefault();
  });
})();
