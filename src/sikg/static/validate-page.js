// The validation page: sends the pasted text or the chosen file to POST /validate (the JSON report) and writes
// the report as the server-rendered form does: what, where, how to fix, with downloads. A file's upload shows its
// progress, then "checking…" (upload-progress.js). Without JavaScript the form posts to /validate/form, which renders
// the same list.
(function () {
  "use strict";
  var form = document.getElementById("validate-form");
  if (!form || !window.fetch) return;
  var client = JSON.parse(document.getElementById("validate-data").textContent);
  var t = client.text;
  var prefixes = Object.keys(client.prefixes).map(function (p) { return [p, client.prefixes[p]]; })
    .sort(function (a, b) { return b[1].length - a[1].length; });
  var section = document.getElementById("report");
  var out = document.getElementById("report-body");
  var heading = document.getElementById("report-heading");
  var progressBox = document.getElementById("validate-progress");
  var lastRequest = null;

  function compact(iri) {
    if (!iri) return "";
    for (var i = 0; i < prefixes.length; i++) {
      var ns = prefixes[i][1];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length) return prefixes[i][0] + ":" + iri.slice(ns.length);
    }
    return iri;
  }

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k] === undefined ? "" : values[k]; });
  }

  // A count's words are its plural forms by CLDR category (ui_text.plural_forms), chosen as the server chooses them.
  var plural = new Intl.PluralRules(document.documentElement.lang || "en");
  function counted(key, n) {
    var forms = client.counts[key];
    return fmt(forms[plural.select(n)] || forms.other, { n: n, w: n });
  }

  function summaryOf(report, v, w) {
    if (!report.conforms) {
      return fmt(t.not_conforms, { violations: counted("violations_n", v), warnings: counted("warnings_n", w) });
    }
    return w ? counted("conforms_warnings", w) : t.conforms;
  }

  // The message in the page's language where the shapes have one in it (shapes/messages-{lang}.ttl), else English.
  function message(result) {
    var messages = result.messages || {};
    return messages[document.documentElement.lang] || result.message;
  }

  function hint(result) {
    var component = (result.sourceConstraintComponent || "").split("#").pop();
    var template = client.hints[component] || client.hints[""];
    return fmt(template, { path: compact(result.path) || "…", focus: compact(result.focusNode) || "…" });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  function item(severity, what, where, value, fix) {
    var whereDd = el("dd", { "class": "where" }, [el("code", { text: where })]);
    if (value) { whereDd.appendChild(document.createTextNode(" · " + t.value + ": ")); whereDd.appendChild(el("code", { text: value })); }
    return el("li", { "class": "report-item " + severity.toLowerCase(), "data-severity": severity }, [
      el("p", { "class": "severity", text: severity }),
      el("dl", {}, [el("dt", { text: t.what }), el("dd", { "class": "what", text: what }),
                    el("dt", { text: t.where }), whereDd,
                    el("dt", { text: t.fix }), el("dd", { "class": "fix", text: fix })])
    ]);
  }

  function blobLink(label, filename, type, body) {
    var a = el("a", { href: URL.createObjectURL(new Blob([body], { type: type })), download: filename, text: label });
    return a;
  }

  function asText(report) {
    var v = report.results.filter(function (r) { return r.severity === "Violation"; }).length;
    var w = report.results.length - v;
    var lines = [summaryOf(report, v, w)];
    report.results.forEach(function (r) {
      lines.push(r.severity.toUpperCase() + ": " + compact(r.focusNode) + (r.path ? " " + compact(r.path) : ""),
                 "  " + t.what + ": " + r.message + (r.value ? " (" + t.value + ": " + r.value + ")" : ""),
                 "  " + t.fix + ": " + hint(r));
    });
    return lines.join("\n") + "\n";
  }

  function show(nodes) {
    out.textContent = "";
    nodes.forEach(function (n) { out.appendChild(n); });
    section.hidden = false;
    heading.focus();
  }

  function showReport(report, raw) {
    var v = report.results.filter(function (r) { return r.severity === "Violation"; }).length;
    var w = report.results.length - v;
    var summary = summaryOf(report, v, w);
    var nodes = [el("p", { id: "report-summary", "class": "summary " + (report.conforms ? "good" : "bad"),
                           "data-conforms": String(report.conforms), text: summary })];
    if (report.results.length) {
      nodes.push(el("ol", { "class": "report-items" }, report.results.map(function (r) {
        var where = compact(r.focusNode) + (r.path ? " → " + compact(r.path) : "");
        return item(r.severity, message(r), where, r.value !== r.focusNode ? r.value : null, hint(r));
      })));
    }
    var downloads = el("p", { "class": "downloads" }, [t.download_report + ": ",
      blobLink("JSON", "sikg-report.json", "application/json", raw), " · ",
      blobLink("Text", "sikg-report.txt", "text/plain", asText(report)), " · "]);
    var turtle = el("a", { href: "#", text: "Turtle" });
    turtle.addEventListener("click", function (event) {
      event.preventDefault();
      send("text/turtle").then(function (response) { return response.text(); }).then(function (body) {
        var a = blobLink("Turtle", "sikg-report.ttl", "text/turtle", body);
        document.body.appendChild(a); a.click(); a.remove();
      });
    });
    downloads.appendChild(turtle);
    nodes.push(downloads);
    show(nodes);
  }

  function showUnreadable(error, raw) {
    var where = error.line != null ? fmt(t.line, { line: error.line, column: error.column }) : "";
    show([el("p", { id: "report-summary", "class": "summary bad", "data-conforms": "false", text: t.unreadable + "." }),
          el("ol", { "class": "report-items" }, [item("Violation", t.unreadable + ": " + error.message, where, null, t.fix_syntax)]),
          el("p", { "class": "downloads" }, [t.download_report + ": ",
            blobLink("JSON", "sikg-report.json", "application/json", raw)])]);
  }

  function fileBody() {
    var data = new FormData();
    data.append("file", lastRequest.file, lastRequest.file.name);
    return data;
  }

  function send(accept) {
    var init = { method: "POST", headers: { "Accept": accept } };
    if (lastRequest.file) {
      init.body = fileBody();
    } else {
      init.headers["Content-Type"] = lastRequest.syntax;
      init.body = lastRequest.text;
    }
    return fetch("/validate", init);
  }

  // The report's JSON: a file is sent with its progress shown (upload-progress.js), pasted text as it is.
  function check() {
    if (lastRequest.file && window.sikgUpload && progressBox) {
      return window.sikgUpload({ url: "/validate", body: fileBody(), box: progressBox,
                                 headers: { "Accept": "application/json" } })
        .then(function (answer) { answer.progress.done(""); return { status: answer.status, raw: answer.text }; });
    }
    return send("application/json").then(function (response) {
      return response.text().then(function (raw) { return { status: response.status, raw: raw }; });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = form.elements.file.files[0];
    var text = form.elements.data.value;
    if (!file && !text.trim()) {
      show([el("p", { id: "report-summary", "class": "summary bad", text: t.nothing_sent })]);
      return;
    }
    lastRequest = { file: file || null, text: text, syntax: form.elements.syntax.value };
    if (!file || !window.sikgUpload || !progressBox) {  // a file's progress is shown beside the button instead
      show([el("p", { id: "report-summary", "class": "summary", text: t.checking })]);
    }
    section.setAttribute("aria-busy", "true");
    check().then(function (answer) {
      section.removeAttribute("aria-busy");
      var body;
      try { body = JSON.parse(answer.raw); } catch (e) { body = null; }
      if (body && Array.isArray(body.results)) { showReport(body, answer.raw); return; }
      if (body && body.message) { showUnreadable(body, answer.raw); return; }
      showUnreadable({ message: answer.raw.trim() || String(answer.status) }, answer.raw);
    }).catch(function (error) {
      section.removeAttribute("aria-busy");
      showUnreadable({ message: String(error) }, String(error));
    });
  });
})();
