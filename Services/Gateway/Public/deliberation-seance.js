// The projected sitting, by keyboard: arrows (or j, k) move from one candidate to the next,
// Enter opens the chosen one's detail. The page works without it (each number is a link).
(function () {
  "use strict";
  var table = document.getElementById("candidats");
  if (!table) { return; }
  var liens = Array.prototype.slice.call(table.querySelectorAll("tbody th a"));
  if (liens.length === 0) { return; }
  var courant = liens.findIndex(function (a) { return a.closest("tr").classList.contains("projection__ligne--choisie"); });
  function choisir(index) {
    courant = Math.max(0, Math.min(liens.length - 1, index));
    liens.forEach(function (a, i) { a.closest("tr").classList.toggle("projection__ligne--courante", i === courant); });
    liens[courant].focus();
  }
  document.addEventListener("keydown", function (e) {
    var cible = e.target;
    if (cible && (cible.tagName === "INPUT" || cible.tagName === "SELECT" || cible.tagName === "TEXTAREA")) { return; }
    if (e.key === "ArrowDown" || e.key === "j") { choisir(courant + 1); e.preventDefault(); }
    else if (e.key === "ArrowUp" || e.key === "k") { choisir(courant - 1); e.preventDefault(); }
  });
  if (courant >= 0) { liens[courant].closest("tr").classList.add("projection__ligne--courante"); }
})();
