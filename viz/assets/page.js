"use strict";
(function () {
  var steps = Array.prototype.slice.call(document.querySelectorAll(".step"));
  function setFolded(step, folded) {
    step.classList.toggle("collapsed", folded);
    var head = step.querySelector(".step-head");
    if (head) head.setAttribute("aria-expanded", folded ? "false" : "true");
  }
  steps.forEach(function (step) {
    var head = step.querySelector(".step-head");
    if (!head) return;
    head.addEventListener("click", function () { setFolded(step, !step.classList.contains("collapsed")); });
    head.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); setFolded(step, !step.classList.contains("collapsed")); }
    });
  });
  document.getElementById("expand-all").addEventListener("click", function () { steps.forEach(function (s) { setFolded(s, false); }); });
  document.getElementById("collapse-all").addEventListener("click", function () { steps.forEach(function (s) { setFolded(s, !s.classList.contains("failing")); }); });
  function firstFailing() { return document.querySelector(".step.failing"); }
  function showFailing() {
    var f = firstFailing();
    if (!f) return;
    setFolded(f, false);
    f.scrollIntoView({ block: "center" });
    f.classList.add("flash");
    setTimeout(function () { f.classList.remove("flash"); }, 1500);
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "f" && !e.ctrlKey && !e.metaKey && !e.altKey) showFailing();
  });
  var f = firstFailing();
  document.body.setAttribute("data-failing-step", f ? f.id : "");
  if (!location.hash && f && f.getBoundingClientRect().top > window.innerHeight) showFailing();
  document.body.setAttribute("data-ready", "true");
})();
