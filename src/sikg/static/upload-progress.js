// A file's upload, shown as it goes: sent with XMLHttpRequest, how much of it is sent in a <progress> element and a
// line beside it, then "checking…" (the bar indeterminate) until the answer arrives. A status region (role="status",
// aria-live) says each step to a screen reader, and how far the sending is only every few seconds: the bar itself
// tells its value. The page's words are on its progress box (data-sending, data-checking, data-failed), rendered by
// the server in the reader's language.
//
// window.sikgUpload(options) sends one request: options.url, options.body (FormData), options.headers, options.box
// (the .upload-progress element); it returns a Promise of the answer, {status, type, text, progress}.
// Forms with a data-progress attribute (the id of their box) are sent this way when a file is chosen, and the part of
// the answer named by their data-report attribute replaces the page's; without JavaScript, or without a file, they
// post as they always did.
(function () {
  "use strict";
  if (!window.XMLHttpRequest || !window.FormData || !window.Promise) { return; }
  var SAY_EVERY = 10000;  // ms between two spoken lines while the file is sent: not every percent is read out

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k] === undefined ? "" : values[k]; });
  }

  function Progress(box) {
    this.box = box;
    this.bar = box.querySelector("progress");
    this.line = box.querySelector(".upload-line");
    this.status = box.querySelector("[role=status]");
    this.said = 0;
    this.phase = "";
  }

  // The line shows every step as it is; the status region says a new step at once, the same step again only later.
  Progress.prototype.say = function (phase, text) {
    var now = Date.now();
    this.box.setAttribute("data-state", phase);
    this.line.textContent = text;
    if (phase === this.phase && now - this.said < SAY_EVERY) { return; }
    this.phase = phase;
    this.said = now;
    this.status.textContent = text;
  };

  Progress.prototype.sending = function (loaded, total) {
    var percent = total ? Math.min(100, Math.floor(100 * loaded / total)) : 0;
    this.bar.hidden = false;
    this.bar.max = 100;
    this.bar.value = percent;
    this.bar.textContent = percent + "%";
    this.say("sending", fill(this.box.getAttribute("data-sending"), { percent: percent }));
  };

  Progress.prototype.checking = function () {
    this.bar.hidden = false;
    this.bar.removeAttribute("value");  // indeterminate: the server is reading and validating the file
    this.bar.textContent = "";
    this.say("checking", this.box.getAttribute("data-checking"));
  };

  Progress.prototype.done = function (text) {
    this.bar.hidden = true;
    this.say("done", text || "");
  };

  Progress.prototype.failed = function (error) {
    this.bar.hidden = true;
    this.say("failed", fill(this.box.getAttribute("data-failed"), { error: error }));
  };

  function upload(options) {
    var progress = options.box.sikgProgress || (options.box.sikgProgress = new Progress(options.box));
    return new Promise(function (resolve, reject) {
      var request = new XMLHttpRequest();
      request.open("POST", options.url);
      Object.keys(options.headers || {}).forEach(function (name) {
        request.setRequestHeader(name, options.headers[name]);
      });
      // the upload's own events are listened to before send(), or they never fire
      request.upload.addEventListener("progress", function (event) {
        progress.sending(event.loaded, event.lengthComputable ? event.total : 0);
      });
      request.upload.addEventListener("load", function () { progress.checking(); });
      request.addEventListener("load", function () {
        resolve({ status: request.status, type: request.getResponseHeader("Content-Type") || "",
                  text: request.responseText, progress: progress });
      });
      request.addEventListener("error", function () {
        progress.failed(String(request.status || "network error"));
        reject(new Error("network error"));
      });
      request.addEventListener("abort", function () { progress.failed("aborted"); reject(new Error("aborted")); });
      progress.sending(0, 0);
      request.send(options.body);
    });
  }

  window.sikgUpload = upload;

  // -- forms that say where their progress is shown (the spreadsheet upload on /contribute) ----------------------

  var clicked = null;  // the submit button last pressed: its name and value go with the form, as a browser sends them
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[type=submit], input[type=submit]") : null;
    if (button && button.form && button.form.hasAttribute("data-progress")) { clicked = button; }
  });

  // Sent again the way it is without script, so that the browser shows what the server answers (such as the
  // sign-in page a request is redirected to once the sign-in has run out).
  function plainly(form, submitter) {
    form.setAttribute("data-plain", "");
    if (form.requestSubmit) {
      form.requestSubmit(submitter || undefined);
    } else {
      HTMLFormElement.prototype.submit.call(form);
    }
  }

  function answered(form, answer, submitter) {
    var html = /html/i.test(answer.type) ? new DOMParser().parseFromString(answer.text, "text/html") : null;
    var main = document.querySelector("main");
    if (html && html.getElementById("submitted") && html.querySelector("main") && main) {
      // submitted: the page that thanks for it, as the form without script shows it
      var next = document.importNode(html.querySelector("main"), true);
      main.parentNode.replaceChild(next, main);
      document.title = html.title;
      var heading = next.querySelector("h1") || next;
      heading.setAttribute("tabindex", "-1");
      heading.focus();
      return;
    }
    var report = html && html.getElementById(form.getAttribute("data-report"));
    if (html && !report) {  // another page than this one
      plainly(form, submitter);
      return;
    }
    if (!report) {  // not a page: a refusal in one line (such as a body over SIKG_MAX_UPLOAD)
      answer.progress.failed(answer.text.trim().slice(0, 500) || String(answer.status));
      return;
    }
    var shown = document.importNode(report, true);
    var old = document.getElementById(report.id);
    if (old) { old.parentNode.replaceChild(shown, old); } else { form.parentNode.insertBefore(shown, form); }
    var summary = shown.querySelector(".summary");
    answer.progress.done(summary ? summary.textContent.trim() : "");
    shown.setAttribute("tabindex", "-1");
    shown.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-progress") || form.hasAttribute("data-plain")) { return; }
    var input = form.querySelector("input[type=file]");
    var box = document.getElementById(form.getAttribute("data-progress"));
    if (!input || !input.files || !input.files.length || !box) { return; }  // the server says what is missing
    event.preventDefault();
    var body = new FormData(form);
    var submitter = event.submitter || clicked;
    if (submitter && submitter.name) { body.append(submitter.name, submitter.value); }
    var buttons = form.querySelectorAll("button[type=submit]");
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
    var enable = function () { for (var j = 0; j < buttons.length; j++) { buttons[j].disabled = false; } };
    // (form.action would be its buttons: they are named "action")
    upload({ url: form.getAttribute("action"), body: body, box: box,
             headers: { "Accept": "text/html" } })
      .then(function (answer) { enable(); answered(form, answer, submitter); }, enable);
  });
})();
