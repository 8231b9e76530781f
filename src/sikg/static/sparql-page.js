// The SPARQL page: CodeMirror over the query textarea, the curated queries one click away, results as a table
// (fetched as SPARQL JSON) and links to download the same result in every format.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var textarea = document.getElementById("query");
  if (!form || !textarea) return;
  var settings = JSON.parse(document.getElementById("sparql-data").textContent);
  var curated = JSON.parse(document.getElementById("curated-data").textContent);
  // The page's words come from the interface's catalogue (ui_text.script_words), with {n}, {ms}, {answer} to fill.
  var said = settings.words;
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
  }
  // A count's words come as their plural forms by CLDR category ({one, other}, Latvian {zero, one, other}...), the
  // categories the browser's Intl.PluralRules gives for the page's language.
  var plural = new Intl.PluralRules(document.documentElement.lang || "en");
  function counted(forms, n) {
    return typeof forms === "string" ? forms : forms[plural.select(n)] || forms.other;
  }
  var words = {
    running: said.running, failed: said.failed, download: said.download, loaded: said.loaded + " ",
    rows: function (n, ms) { return fill(counted(said.rows, n), {n: n, ms: ms}); },
    triples: function (n, ms) { return fill(counted(said.triples, n), {n: n, ms: ms}); },
    bool: function (b, ms) { return fill(said.answer, {answer: b ? said["true"] : said["false"], ms: ms}); }
  };
  var prefixes = Object.keys(settings.prefixes).map(function (p) { return [p, settings.prefixes[p]]; })
    .sort(function (a, b) { return b[1].length - a[1].length; });

  var editor = null;
  if (window.CodeMirror) {
    editor = CodeMirror.fromTextArea(textarea, {
      mode: "application/sparql-query", lineNumbers: true, matchBrackets: true, indentUnit: 2,
      viewportMargin: Infinity, lineWrapping: true,
      screenReaderLabel: settings.editor_label,
      // Tab and Shift-Tab are left to the browser, so that the keyboard can leave the editor.
      extraKeys: { "Tab": false, "Shift-Tab": false, "Ctrl-Enter": run, "Cmd-Enter": run }
    });
    editor.getWrapperElement().classList.add("editor");
  }
  // With the script, results show as a table with download links of their own; the format choice is for the
  // form sent without it.
  var formatChoice = document.getElementById("format-choice");
  if (formatChoice) formatChoice.hidden = true;

  function queryText() { return editor ? editor.getValue() : textarea.value; }
  function setQuery(text) { if (editor) { editor.setValue(text); } else { textarea.value = text; } }

  var results = document.getElementById("results");
  var status = document.getElementById("result-status");
  var downloads = document.getElementById("result-downloads");
  var body = document.getElementById("result-body");

  function queryForm(text) {
    var stripped = text.replace(/#[^\n]*/g, " ").replace(/<[^>]*>/g, "<>").replace(/"[^"]*"/g, '""');
    var match = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(stripped);
    return match ? match[1].toUpperCase() : "SELECT";
  }

  function compact(iri) {
    for (var i = 0; i < prefixes.length; i++) {
      var ns = prefixes[i][1];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length) return prefixes[i][0] + ":" + iri.slice(ns.length);
    }
    return iri;
  }

  function localHref(iri) {
    var base = settings.prefixes.practice.replace(/id\/practice\/$/, "");
    return iri.indexOf(base + "id/") === 0 ? "/" + iri.slice(base.length) : iri;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      var a = document.createElement("a");
      a.href = localHref(term.value);
      a.textContent = compact(term.value);
      a.title = term.value;
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
      td.className = "bnode";
    } else {
      td.appendChild(document.createTextNode(term.value));
      var tag = term["xml:lang"] ? "@" + term["xml:lang"] :
        (term.datatype && !/#string$/.test(term.datatype) ? "^^" + compact(term.datatype) : "");
      if (tag) {
        var small = document.createElement("small");
        small.className = "tag";
        small.textContent = " " + tag;
        td.appendChild(small);
      }
    }
    return td;
  }

  function table(json) {
    var vars = json.head.vars || [];
    var t = document.createElement("table");
    t.className = "data results";
    t.id = "result-table";
    var thead = t.createTHead().insertRow();
    vars.forEach(function (v) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = "?" + v;
      thead.appendChild(th);
    });
    var tbody = t.createTBody();
    json.results.bindings.forEach(function (row) {
      var tr = tbody.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
    });
    return t;
  }

  function downloadLinks(text, form) {
    var formats = (form === "SELECT" || form === "ASK")
      ? [["json", "SPARQL JSON", "srj"], ["xml", "SPARQL XML", "srx"], ["csv", "CSV", "csv"], ["tsv", "TSV", "tsv"]]
      : [["ttl", "Turtle", "ttl"], ["jsonld", "JSON-LD", "jsonld"], ["nt", "N-Triples", "nt"], ["rdfxml", "RDF/XML", "rdf"]];
    downloads.textContent = words.download + " ";
    formats.forEach(function (f, i) {
      var a = document.createElement("a");
      a.href = "/sparql?query=" + encodeURIComponent(text) + "&format=" + f[0];
      a.setAttribute("download", "sikg-result." + f[2]);
      a.className = "download";
      a.dataset.format = f[0];
      a.textContent = f[1];
      if (i) downloads.appendChild(document.createTextNode(" · "));
      downloads.appendChild(a);
    });
  }

  function run() {
    var text = queryText();
    var kind = queryForm(text);
    results.hidden = false;
    status.textContent = words.running;
    results.setAttribute("aria-busy", "true");
    body.textContent = "";
    downloads.textContent = "";
    var started = performance.now();
    var accept = (kind === "SELECT" || kind === "ASK") ? "application/sparql-results+json" : "text/turtle";
    return fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": accept },
      body: "query=" + encodeURIComponent(text)
    }).then(function (response) {
      return response.text().then(function (payload) { return { response: response, payload: payload }; });
    }).then(function (answer) {
      var ms = Math.round(performance.now() - started);
      results.removeAttribute("aria-busy");
      if (!answer.response.ok) {
        status.textContent = words.failed + " (" + answer.response.status + ")";
        var pre = document.createElement("pre");
        pre.className = "error";
        pre.id = "result-error";
        pre.textContent = answer.payload;
        body.appendChild(pre);
        return;
      }
      downloadLinks(text, kind);
      var type = answer.response.headers.get("Content-Type") || "";
      if (type.indexOf("sparql-results+json") >= 0) {
        var json = JSON.parse(answer.payload);
        if (typeof json.boolean === "boolean") {
          status.textContent = words.bool(json.boolean, ms);
        } else {
          status.textContent = words.rows(json.results.bindings.length, ms);
          body.appendChild(table(json));
        }
      } else {
        var lines = answer.payload.split("\n").filter(function (l) { return /\.\s*$/.test(l); }).length;
        status.textContent = words.triples(lines, ms);
        var out = document.createElement("pre");
        out.className = "graph";
        out.textContent = answer.payload;
        body.appendChild(out);
      }
    }).catch(function (error) {
      results.removeAttribute("aria-busy");
      status.textContent = words.failed + ": " + error;
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (editor) editor.save();
    run();
  });

  var byName = {};
  curated.forEach(function (q) { byName[q.name] = q; });

  function loadCurated(name, andRun) {
    var q = byName[name];
    if (!q) return;
    setQuery(q.text);
    document.querySelectorAll(".curated-query").forEach(function (a) {
      if (a.dataset.name === name) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
    });
    if (andRun) run();
  }

  document.querySelectorAll(".curated-query").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      loadCurated(link.dataset.name, true);
      if (editor) editor.focus();
    });
  });

  var fragment = /^#curated=([a-z0-9-]+)$/.exec(window.location.hash);
  if (fragment) loadCurated(fragment[1], true);
})();
