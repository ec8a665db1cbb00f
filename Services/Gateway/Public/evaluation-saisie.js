// Grader portal: saves each grade as its cell is left (Tab, Enter, click elsewhere), through the
// gateway's API, waiting for the worker's confirmation; shows « enregistré » or the error beside
// the cell. Enter moves to the next cell. The page works without this script (one form).
(function () {
  "use strict";
  var form = document.getElementById("saisie-notes");
  if (!form) return;
  var api = form.getAttribute("data-api");
  var cells = Array.prototype.slice.call(form.querySelectorAll("input[data-copie]"));
  var saved = {};
  cells.forEach(function (input) { saved[input.id] = input.value.trim(); });

  function state(input, text, invalid) {
    var span = document.getElementById(input.getAttribute("aria-describedby"));
    if (span) span.textContent = text;
    if (invalid) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }

  function save(input) {
    var value = input.value.trim();
    if (value === "" || value === saved[input.id]) return;
    state(input, "enregistrement…", false);
    fetch(api + "?attendre=5000", {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ notes: [{ copie: input.getAttribute("data-copie"), note: value }] })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (r) {
      if (r.status === 200) { saved[input.id] = value; state(input, "enregistré", false); }
      else if (r.status === 202) { saved[input.id] = value; state(input, "reçu, enregistrement en cours", false); }
      else {
        var detail = r.body && r.body.details && r.body.details[0];
        state(input, (detail && detail.message) || (r.body && r.body.message) || "non enregistré", true);
      }
    }).catch(function () { state(input, "non enregistré (réseau) : réessayez", true); });
  }

  cells.forEach(function (input, index) {
    input.addEventListener("change", function () { save(input); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        save(input);
        if (cells[index + 1]) cells[index + 1].focus();
      }
    });
  });
})();
