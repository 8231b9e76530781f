// The contribution form validates as you type: after a pause, the form is sent to this service's own
// POST /contribute?action=preview (Accept: application/json) and each problem is written next to its field, in the
// same words as the page without JavaScript. No library, and no request anywhere but this service.
(function () {
  "use strict";
  var form = document.getElementById("contribute-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var timer = null, sequence = 0;

  function elementId(name) { return "f-" + name.replace(/[^A-Za-z0-9]/g, "-"); }

  function render(problems) {
    var boxes = form.querySelectorAll(".field-problems");
    for (var i = 0; i < boxes.length; i++) { boxes[i].textContent = ""; }
    var blocks = form.querySelectorAll(".has-problems");
    for (var j = 0; j < blocks.length; j++) { blocks[j].classList.remove("has-problems"); }
    Object.keys(problems).forEach(function (name) {
      var box = document.getElementById(elementId(name) + "-problems");
      if (!box) { return; }  // about the practice as a whole: shown on the next preview
      var list = document.createElement("ul");
      list.className = "problems";
      problems[name].forEach(function (p) {
        var item = document.createElement("li");
        item.className = "problem " + p.severity.toLowerCase();
        item.setAttribute("data-severity", p.severity);
        item.textContent = p.message + (p.fix ? " " + p.fix : "");
        list.appendChild(item);
      });
      box.appendChild(list);
      var block = document.getElementById(elementId(name) + "-block");
      if (block) { block.classList.add("has-problems"); }
    });
  }

  function check() {
    var mine = ++sequence;
    var action = form.getAttribute("action");
    var url = action + (action.indexOf("?") < 0 ? "?" : "&") + "action=preview";
    fetch(url, {method: "POST", body: new FormData(form), credentials: "same-origin",
                headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body && mine === sequence) { render(body.problems || {}); } })
      .catch(function () { /* the form still works by its buttons */ });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(check, 700);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
