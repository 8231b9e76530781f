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

  // A field of several values shows one box each: when the last box is filled, another empty one follows it (the
  // page without this script adds it on the next preview). At most data-max boxes.
  function addBox(input) {
    var boxes = input.parentNode;
    if (!boxes || !boxes.hasAttribute("data-boxes") || !input.value.trim()) { return; }
    var all = boxes.querySelectorAll("input");
    var max = parseInt(boxes.getAttribute("data-max") || "0", 10);
    if (all[all.length - 1] !== input || (max && all.length >= max) || !input.hasAttribute("aria-label")) { return; }
    var box = input.cloneNode(false);
    var n = all.length + 1;
    box.value = "";
    box.setAttribute("value", "");
    box.id = all[0].id + "-" + n;
    box.removeAttribute("aria-required");
    box.removeAttribute("aria-invalid");
    box.setAttribute("aria-label", input.getAttribute("aria-label").replace(/\d+$/, String(n)));
    boxes.appendChild(document.createTextNode("\n"));
    boxes.appendChild(box);
  }

  // A web address is checked as it is typed: the box says it is not one (aria-invalid) until it is.
  function checkAddress(input) {
    if (input.type !== "url") { return; }
    if (input.value.trim() && !input.validity.valid) { input.setAttribute("aria-invalid", "true"); }
    else if (!input.closest(".has-problems")) { input.removeAttribute("aria-invalid"); }
  }

  // A text's language chosen beside it: the text is marked as being in that language.
  function markLanguage(select) {
    var text = select.getAttribute("data-text") && document.getElementById(select.getAttribute("data-text"));
    if (text) { text.setAttribute("lang", select.value); }
  }

  form.addEventListener("input", function (event) {
    if (event.target.tagName === "INPUT") { addBox(event.target); checkAddress(event.target); }
    later();
  });
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") { markLanguage(event.target); }
    later();
  });
})();
