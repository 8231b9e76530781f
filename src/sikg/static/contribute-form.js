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
    if (box.getAttribute("data-names")) {  // a name to type: a combobox of its own
      box.setAttribute("list", box.getAttribute("data-names"));
      box.removeAttribute("aria-activedescendant");
      combobox(box);
    }
  }

  // A field leading to nodes (a link's evidence: a page and a quotation) shows its entries: when something is typed
  // into the last one, an empty entry follows it, its inputs named for the next number (the page without this script
  // adds it on the next preview).
  function addEntry(input) {
    var entry = input.closest && input.closest(".node-entry");
    if (!entry || !input.value.trim()) { return; }
    var siblings = entry.parentNode.querySelectorAll(":scope > .node-entry");
    if (siblings[siblings.length - 1] !== entry) { return; }
    var prefix = entry.getAttribute("data-entry");
    var match = /\|(\d+)\|$/.exec(prefix);
    if (!match) { return; }
    var next = prefix.slice(0, match.index) + "|" + (parseInt(match[1], 10) + 1) + "|";
    var oldId = elementId(prefix), newId = elementId(next);
    var copy = entry.cloneNode(true);
    copy.setAttribute("data-entry", next);
    var renamed = function (value) { return value.split(oldId).join(newId); };
    Array.prototype.forEach.call(copy.querySelectorAll("*"), function (el) {
      ["id", "for", "aria-describedby", "data-text", "list", "data-field", "aria-controls"].forEach(function (a) {
        if (el.hasAttribute(a)) { el.setAttribute(a, a === "data-field" ? el.getAttribute(a).replace(prefix, next) :
                                                  renamed(el.getAttribute(a))); }
      });
      if (el.name && el.name.indexOf(prefix) === 0) { el.name = next + el.name.slice(prefix.length); }
      el.removeAttribute("aria-invalid");
      if (el.classList.contains("has-problems")) { el.classList.remove("has-problems"); }
      if (el.classList.contains("field-problems")) { el.textContent = ""; }
      if (el.tagName === "INPUT" || el.tagName === "TEXTAREA") { el.value = ""; el.setAttribute("value", ""); }
      if (el.tagName === "TEXTAREA") { el.textContent = ""; }
    });
    var legend = copy.querySelector("legend");
    if (legend) { legend.textContent = legend.textContent.replace(/\d+\s*$/, String(siblings.length + 1)); }
    entry.parentNode.insertBefore(copy, entry.nextSibling);
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

  // A name to type with the names offered: the page's <input list> and <datalist> work without this script; with it,
  // each such box is a combobox (ARIA 1.2): the names containing what is typed are listed below it, Down and Up move
  // through them, Enter takes the one shown as current (without sending the form), Escape closes the list.
  var comboboxes = 0;

  function combobox(input) {
    var source = document.getElementById(input.getAttribute("list"));
    if (!source) { return; }
    var names = Array.prototype.map.call(source.options, function (o) { return o.value; });
    var list = document.createElement("ul");
    var current = -1, shown = [], taking = false;
    list.id = input.id + "-names-" + (++comboboxes);
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("aria-label") || (input.labels && input.labels[0] ?
                      input.labels[0].textContent.trim() : input.name));
    list.hidden = true;
    list.className = "combobox-names";
    list.style.listStyle = "none";
    list.style.margin = "0";
    list.style.padding = "0";
    list.style.maxHeight = "12em";
    list.style.overflowY = "auto";
    list.style.border = "1px solid #555";
    input.setAttribute("data-names", source.id);
    input.removeAttribute("list");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.parentNode.insertBefore(list, input.nextSibling);

    function close() {
      list.hidden = true;
      current = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function mark() {
      Array.prototype.forEach.call(list.children, function (item, i) {
        item.setAttribute("aria-selected", i === current ? "true" : "false");
        item.style.background = i === current ? "#1a4b8c" : "";
        item.style.color = i === current ? "#fff" : "";
      });
      if (current >= 0) {
        input.setAttribute("aria-activedescendant", list.children[current].id);
        list.children[current].scrollIntoView({block: "nearest"});
      } else { input.removeAttribute("aria-activedescendant"); }
    }

    function open() {
      var typed = input.value.trim().toLowerCase();
      shown = names.filter(function (name) { return !typed || name.toLowerCase().indexOf(typed) >= 0; });
      list.textContent = "";
      shown.slice(0, 50).forEach(function (name, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.textContent = name;
        item.style.padding = "0.15em 0.4em";
        item.addEventListener("mousedown", function (event) { event.preventDefault(); take(name); });
        list.appendChild(item);
      });
      current = -1;
      list.hidden = shown.length === 0;
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
      mark();
    }

    function take(name) {
      input.value = name;
      close();
      taking = true;  // the form hears of it (its check, one more box), the list stays closed
      input.dispatchEvent(new Event("input", {bubbles: true}));
      taking = false;
    }

    input.addEventListener("input", function () { if (!taking) { open(); } });
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      var count = list.children.length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) { open(); }
        count = list.children.length;
        if (!count) { return; }
        current = event.key === "ArrowDown" ? (current + 1) % count : (current <= 0 ? count - 1 : current - 1);
        mark();
        event.preventDefault();
      } else if (event.key === "Enter" && !list.hidden && current >= 0) {
        take(list.children[current].textContent);
        event.preventDefault();
      } else if (event.key === "Escape" && !list.hidden) {
        close();
        event.preventDefault();
      }
    });
  }

  Array.prototype.forEach.call(form.querySelectorAll(".shown-as-search input[list]"), combobox);

  form.addEventListener("input", function (event) {
    if (event.target.tagName === "INPUT") { addBox(event.target); checkAddress(event.target); }
    if (event.target.tagName === "INPUT" || event.target.tagName === "TEXTAREA") { addEntry(event.target); }
    later();
  });
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") { markLanguage(event.target); }
    later();
  });
})();
