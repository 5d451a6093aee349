"use strict";
// kaiji serve's page. Builds its list only through the DOM (textContent,
// never innerHTML): names, vendors and messages are vendor text. The
// matrix and drill-downs are the html report itself, in the frame.
(function () {
  var T = {
    ja: {
      "title": "kaiji — 開示書の評価",
      "download": "報告書をダウンロード:",
      "drop": "開示書（PDF・Excel）をここにドロップ",
      "or": "または",
      "pick": "ファイルを選ぶ",
      "kinds": "PDF、Excel（.xlsx .xlsm .xls .xlsb）、.ods、.txt、kaiji のシート（.toml .json）。同じ名前のファイルを入れ直すと置き換わります。",
      "held": "受け取った書類",
      "empty": "まだ書類がありません。ファイルをドロップするか選んでください。",
      "waivers": "免除（waivers）",
      "help-title": "読み取れなかった設問があるときは",
      "help-1": "書類の「記入用ブック」をダウンロードします（kaiji export と同じ Excel です）。",
      "help-2": "黄色の空欄に回答を記入して保存します。",
      "help-3": "元の書類と同じ名前（拡張子は .xlsx）でここに入れ直すと、元の書類と置き換わります。",
      "local": "書類はこのパソコンの中だけで扱われ、終了すると消えます（Ctrl-C）。",
      "lang": "English",
      "pass": "適合", "fail": "不適合", "error": "評価不能",
      "fill-in": "記入用ブック",
      "forget": "削除",
      "forget-title": "この書類を一覧から外します",
      "findings": "指摘",
      "import": "読み取り",
      "import-none": "kaiji のシート（読み取りなし）",
      "recognised": "認識", "answered": "回答", "unanswered": "未回答", "ambiguous": "あいまい",
      "question": "設問", "missing": "見つからない設問", "hidden": "見えない記載（読まず）",
      "unread": "読まなかった箇所", "warnings": "注意",
      "format-pdf": "PDF", "format-workbook": "Excel", "format-text": "テキスト",
      "fill-hint": "未回答・あいまいな設問は「記入用ブック」に記入し、同じ名前の .xlsx で入れ直してください。",
      "sending": "送信中…",
      "sent": "件を受け取り、評価しました。",
      "forgotten": "を一覧から外しました。",
      "too-big": "は大きすぎます（上限 ",
      "too-big-all": "一度に送るファイルが大きすぎます（上限 ",
      "unsupported": "は読めない種類のファイルです。",
      "failed": "できませんでした: ",
      "waiver-active": "有効", "waiver-expired": "期限切れ", "waiver-stale": "該当なし",
      "waiver-matched": "件に適用"
    },
    en: {
      "title": "kaiji — disclosure sheet review",
      "download": "Download the report:",
      "drop": "Drop disclosure documents (PDF, Excel) here",
      "or": "or",
      "pick": "Choose files",
      "kinds": "PDF, Excel (.xlsx .xlsm .xls .xlsb), .ods, .txt, kaiji sheets (.toml .json). A file of the same name replaces the earlier one.",
      "held": "Documents",
      "empty": "No documents yet. Drop files here or choose them.",
      "waivers": "Waivers",
      "help-title": "When some questions could not be read",
      "help-1": "Download the document's fill-in workbook (what kaiji export writes).",
      "help-2": "Fill in the yellow blanks and save it.",
      "help-3": "Drop it here under the document's name (extension .xlsx): it replaces the document.",
      "local": "Documents stay on this computer and are removed when kaiji serve ends (Ctrl-C).",
      "lang": "日本語",
      "pass": "pass", "fail": "fail", "error": "error",
      "fill-in": "Fill-in workbook",
      "forget": "Remove",
      "forget-title": "Remove this document from the list",
      "findings": "findings",
      "import": "Read",
      "import-none": "a kaiji sheet (nothing imported)",
      "recognised": "recognised", "answered": "answered", "unanswered": "unanswered", "ambiguous": "ambiguous",
      "question": "question", "missing": "questions not found", "hidden": "hidden text (not read)",
      "unread": "not read", "warnings": "warnings",
      "format-pdf": "PDF", "format-workbook": "workbook", "format-text": "text",
      "fill-hint": "Fill in unanswered and ambiguous questions in the fill-in workbook and drop it here as .xlsx under the same name.",
      "sending": "Sending…",
      "sent": " file(s) received and evaluated.",
      "forgotten": " was removed.",
      "too-big": " is too large (limit ",
      "too-big-all": "These files are too large to send at once (limit ",
      "unsupported": " is not a kind of file kaiji reads.",
      "failed": "Could not do it: ",
      "waiver-active": "active", "waiver-expired": "expired", "waiver-stale": "matched nothing",
      "waiver-matched": " finding(s) waived"
    }
  };
  var limits = JSON.parse(document.body.dataset.limits);
  var lang = "ja";
  try { if (window.localStorage.getItem("kaiji-lang") === "en") { lang = "en"; } } catch (e) { /* private mode */ }
  var last = null;

  function t(key) { return (T[lang] && T[lang][key]) || T.ja[key] || key; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function $(id) { return document.getElementById(id); }

  function applyLang() {
    document.documentElement.lang = lang;
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (n) {
      n.textContent = t(n.dataset.i18n);
    });
    var b = $("lang");
    b.textContent = t("lang");
    b.lang = lang === "ja" ? "en" : "ja";
    if (last) { render(last); }
  }

  function say(text, bad) {
    var s = $("status");
    s.textContent = text;
    s.classList.toggle("bad", !!bad);
  }

  function sizeText(n) {
    if (n >= 1048576) { return Math.round(n / 1048576) + " MiB"; }
    if (n >= 1024) { return Math.round(n / 1024) + " KiB"; }
    return n + " B";
  }

  function extension(name) {
    var i = name.lastIndexOf(".");
    return i < 0 ? "" : name.slice(i + 1).toLowerCase();
  }

  // The import account (kaiji.check/v1 "import"): counts on one line,
  // the places a person should look at in lists under it. Returns whether
  // the document leaves something for the fill-in workbook.
  function renderImport(box, imp) {
    if (!imp || typeof imp !== "object") {
      box.appendChild(el("p", "import none", t("import-none")));
      return false;
    }
    var ambiguous = imp.ambiguous || [];
    var counts = el("p", "import");
    counts.appendChild(el("span", "label", t("import") + " (" + t("format-" + imp.format) + ")"));
    counts.appendChild(el("span", "n recognised", t("recognised") + " " + imp.recognised + " / " + imp.questions));
    counts.appendChild(el("span", "n answered", t("answered") + " " + imp.answered));
    counts.appendChild(el("span", "n" + (imp.unanswered ? " unanswered" : ""), t("unanswered") + " " + imp.unanswered));
    counts.appendChild(el("span", "n" + (ambiguous.length ? " ambiguous" : ""), t("ambiguous") + " " + ambiguous.length));
    box.appendChild(counts);
    function list(key, items, text) {
      if (!items || !items.length) { return; }
      var d = el("details", "places " + key);
      d.appendChild(el("summary", null, t(key) + " (" + items.length + ")"));
      var ul = el("ul");
      items.slice(0, 200).forEach(function (x) { ul.appendChild(el("li", null, text(x))); });
      d.appendChild(ul);
      box.appendChild(d);
    }
    list("ambiguous", ambiguous, function (a) { return t("question") + " " + a.question + " — " + a.place + ": " + a.why; });
    list("missing", imp.missing, function (q) { return t("question") + " " + q; });
    list("hidden", imp.hidden, function (h) { return h.place + (h.excerpt ? ": " + h.excerpt : ""); });
    list("unread", imp.unread, function (h) { return h.place + (h.excerpt ? ": " + h.excerpt : ""); });
    list("warnings", imp.warnings, function (w) { return w; });
    return imp.unanswered > 0 || ambiguous.length > 0;
  }

  function render(report) {
    last = report;
    var list = $("docs");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var sheets = report.sheets || [];
    $("count").textContent = String(sheets.length);
    $("empty").hidden = sheets.length > 0;
    sheets.forEach(function (s) {
      var li = el("li", "doc " + s.status);
      li.dataset.name = s.path;
      var head = el("p", "head");
      head.appendChild(el("span", "badge " + s.status, t(s.status)));
      head.appendChild(el("strong", "vendor", s.vendor || s.path));
      if (s.service) { head.appendChild(el("span", "service", s.service)); }
      li.appendChild(head);
      var file = el("p", "file", s.path);
      var n = (s.findings || []).length;
      if (n) { file.appendChild(el("span", "nfind", " · " + t("findings") + " " + n)); }
      li.appendChild(file);
      (s.errors || []).forEach(function (e) { li.appendChild(el("p", "error-msg", e.message)); });
      var needsFill = renderImport(li, s["import"]);
      if (needsFill) { li.appendChild(el("p", "fill-hint", t("fill-hint"))); }
      var actions = el("p", "actions");
      var a = el("a", "fill-in", t("fill-in"));
      a.href = "/api/documents/" + encodeURIComponent(s.path) + "/fill-in.xlsx";
      a.setAttribute("download", "");
      actions.appendChild(a);
      var b = el("button", "forget", t("forget"));
      b.type = "button";
      b.title = t("forget-title");
      b.addEventListener("click", function () { forget(s.path); });
      actions.appendChild(b);
      li.appendChild(actions);
      list.appendChild(li);
    });
    var w = report.waivers || [];
    $("waivers").hidden = w.length === 0;
    var wl = $("waiver-list");
    while (wl.firstChild) { wl.removeChild(wl.firstChild); }
    w.forEach(function (x) {
      var li = el("li", "waiver " + x.status);
      li.appendChild(el("span", "badge " + x.status, t("waiver-" + x.status)));
      li.appendChild(el("code", null, x.policy));
      li.appendChild(el("span", null, " " + [x.vendor, x.service, x.question].filter(Boolean).join(" / ")));
      li.appendChild(el("span", "expires", " — " + x.expires + " · " + x.matched + t("waiver-matched")));
      wl.appendChild(li);
    });
    document.documentElement.dataset.documents = String(sheets.length);
  }

  function reloadReport() {
    $("report").src = "/api/report.html?v=" + Date.now();
  }

  function failure(response) {
    return response.text().then(function (text) {
      var message = text;
      try { message = JSON.parse(text).error.message; } catch (e) { /* plain text */ }
      throw new Error(message);
    });
  }

  function apply(request, done) {
    return request.then(function (r) {
      if (!r.ok) { return failure(r); }
      return r.json();
    }).then(function (report) {
      render(report);
      reloadReport();
      say(done(report), false);
    }).catch(function (e) {
      say(t("failed") + e.message, true);
    });
  }

  function upload(files) {
    var form = new FormData();
    var count = 0;
    var total = 0;
    for (var i = 0; i < files.length; i++) {
      var f = files[i];
      var limit = limits.files[extension(f.name)];
      if (limit === undefined) { say(f.name + t("unsupported"), true); return; }
      if (f.size > limit) { say(f.name + t("too-big") + sizeText(limit) + ")", true); return; }
      total += f.size;
      form.append("file", f, f.name);
      count += 1;
    }
    if (!count) { return; }
    if (total > limits.request) { say(t("too-big-all") + sizeText(limits.request) + ")", true); return; }
    say(t("sending"), false);
    document.documentElement.dataset.busy = "1";
    apply(fetch("/api/documents", { method: "POST", body: form, credentials: "same-origin" }), function () {
      return count + t("sent");
    }).then(function () { delete document.documentElement.dataset.busy; });
  }

  function forget(name) {
    apply(fetch("/api/documents/" + encodeURIComponent(name), { method: "DELETE", credentials: "same-origin" }),
      function () { return name + t("forgotten"); });
  }

  var drop = $("drop");
  ["dragenter", "dragover"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    drop.addEventListener(ev, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files) { upload(e.dataTransfer.files); }
  });
  // A file dropped beside the zone must not replace the page.
  window.addEventListener("dragover", function (e) { e.preventDefault(); });
  window.addEventListener("drop", function (e) { e.preventDefault(); });
  var input = $("files");
  input.addEventListener("change", function () {
    upload(input.files);
    input.value = "";
  });
  $("lang").addEventListener("click", function () {
    lang = lang === "ja" ? "en" : "ja";
    try { window.localStorage.setItem("kaiji-lang", lang); } catch (e) { /* private mode */ }
    applyLang();
  });

  applyLang();
  fetch("/api/report.json", { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) { return failure(r); }
    return r.json();
  }).then(function (report) {
    render(report);
    document.documentElement.dataset.ready = "1";
  }).catch(function (e) { say(t("failed") + e.message, true); });
}());
