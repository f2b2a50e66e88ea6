/* weixi_grid — the phone's offline layer (docs/offline.md).
 *
 * - registers the service worker (/sw.js), which keeps the pages of the member's grids;
 * - while online, asks it to keep the member's households and visit forms (at most every
 *   15 minutes);
 * - the visit form (form[data-queue]) goes through a queue in IndexedDB: each visit gets its
 *   own key made on the phone, photos are shrunk on the phone, and the visit is sent at once
 *   or, without a connection, when the connection is back. A visit sent twice is stored once
 *   (the server knows the key). A visit the server refuses stays on the phone, with the
 *   reason, until the member discards it;
 * - shows on every page what is waiting; signing out forgets the kept pages.
 * Without JavaScript every form still posts as a plain form. */
(function () {
  "use strict";
  var body = document.body;
  var user = body.getAttribute("data-user") || "";
  var textNode = document.getElementById("offline-text");
  var T = textNode ? JSON.parse(textNode.textContent) : {};
  var DB_NAME = "weixi-offline";
  var STORE = "visits";
  var WARM_EVERY = 15 * 60 * 1000;
  var LONG_SIDE = 1600;

  function fmt(text, n) { return String(text || "").replace("{n}", n); }

  /* --- IndexedDB: one store of queued visits, by key, indexed by user ------------------- */
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var open = indexedDB.open(DB_NAME, 1);
        open.onupgradeneeded = function () {
          open.result.createObjectStore(STORE, { keyPath: "key" }).createIndex("user", "user");
        };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }
  function store(mode, work) {
    return db().then(function (handle) {
      return new Promise(function (resolve, reject) {
        var tx = handle.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function mine() {
    if (!user) return Promise.resolve([]);
    return store("readonly", function (s) { return s.index("user").getAll(user); })
      .then(function (items) { return (items || []).sort(function (a, b) { return a.created - b.created; }); });
  }
  function put(item) { return store("readwrite", function (s) { return s.put(item); }); }
  function drop(key) { return store("readwrite", function (s) { return s.delete(key); }); }

  /* --- sending ----------------------------------------------------------------------- */
  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(name + "=") === 0; })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function send(item) {
    var data = new FormData();
    item.fields.forEach(function (f) {
      if (f.length === 3) data.append(f[0], f[1], f[2]); else data.append(f[0], f[1]);
    });
    var token = cookie("csrftoken");
    data.append("csrfmiddlewaretoken", token);
    return fetch(item.url, {
      method: "POST", body: data, credentials: "same-origin", redirect: "manual",
      headers: { "X-Weixi-Queue": "1", "X-CSRFToken": token }
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
      return (json ? response.json().catch(function () { return null; }) : Promise.resolve(null))
        .then(function (answer) {
          if (answer && (answer.status === "stored" || answer.status === "replayed")) {
            return drop(item.key).then(function () { return { sent: true, answer: answer }; });
          }
          if (answer && (answer.status === "refused" || answer.status === "invalid")) {
            item.state = "refused"; item.message = answer.message || ""; item.errors = answer.errors || {};
            return put(item).then(function () { return { refused: true, answer: answer }; });
          }
          // Signed out (a redirect to the login page), a stale form, the server away: later.
          item.state = "waiting";
          item.message = (response.type === "opaqueredirect" || response.status === 403) ? T.login : T.server;
          return put(item).then(function () { return { waiting: true, message: item.message }; });
        });
    }, function () {
      item.state = "waiting"; item.message = T.nonet;
      return put(item).then(function () { return { waiting: true, offline: true }; });
    });
  }

  var flushing = false;
  function flush() {
    if (flushing || !user || !navigator.onLine) return Promise.resolve();
    flushing = true;
    var run = function () {
      return mine().then(function (items) {
        var waiting = items.filter(function (i) { return i.state !== "refused"; });
        return waiting.reduce(function (chain, item) {
          return chain.then(function (stop) { return stop ? stop : send(item).then(function (r) { return r.offline; }); });
        }, Promise.resolve(false));
      });
    };
    var locked = navigator.locks ? navigator.locks.request("weixi-queue", run) : run();
    return locked.then(function () { flushing = false; return status(); }, function () { flushing = false; });
  }

  /* --- what is waiting, on every page ------------------------------------------------- */
  function status() {
    var line = document.getElementById("offline-status");
    if (!line) return Promise.resolve();
    return mine().then(function (items) {
      var refused = items.filter(function (i) { return i.state === "refused"; }).length;
      var waiting = items.length - refused;
      var parts = [];
      if (!navigator.onLine) parts.push(T.offline);
      if (waiting) parts.push(fmt(T.waiting, waiting));
      if (refused) parts.push(fmt(T.refused, refused));
      line.textContent = parts.join(" ");
      if (items.length) {
        var link = document.createElement("a");
        link.href = body.getAttribute("data-queue"); link.textContent = T.view + " ›"; link.id = "offline-queue-link";
        line.appendChild(document.createTextNode(" ")); line.appendChild(link);
      }
      line.hidden = parts.length === 0;
      line.className = "offline-status" + (refused ? " refused" : "");
      body.setAttribute("data-queued", String(items.length));
      return drawQueue(items);
    });
  }

  /* --- the queue page ------------------------------------------------------------------ */
  function drawQueue(items) {
    var list = document.getElementById("offline-queue");
    if (!list) return;
    list.textContent = "";
    var empty = document.getElementById("offline-queue-empty");
    if (empty) empty.hidden = items.length > 0;
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = item.state === "refused" ? "offline-refused" : "";
      li.setAttribute("data-key", item.key);
      var title = document.createElement("strong"); title.textContent = item.label || item.url;
      var when = document.createElement("span"); when.className = "muted";
      var photos = item.fields.filter(function (f) { return f.length === 3; }).length;
      when.textContent = new Date(item.created).toLocaleString() + (photos ? " · " + photos + " " + T.photos : "");
      li.appendChild(title); li.appendChild(when);
      if (item.message) { var why = document.createElement("p"); why.className = item.state === "refused" ? "error" : "muted"; why.textContent = item.message; li.appendChild(why); }
      var again = document.createElement("button"); again.type = "button"; again.textContent = T.retry;
      again.addEventListener("click", function () { item.state = "waiting"; put(item).then(flush); });
      var away = document.createElement("button"); away.type = "button"; away.className = "danger"; away.textContent = T.discard;
      away.addEventListener("click", function () { if (window.confirm(T.ask)) drop(item.key).then(status); });
      var actions = document.createElement("p"); actions.className = "offline-actions";
      actions.appendChild(again); actions.appendChild(away); li.appendChild(actions);
      list.appendChild(li);
    });
  }

  /* --- the visit form ------------------------------------------------------------------ */
  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }
  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }
  function shrink(file) {
    if (!window.createImageBitmap || !/^image\//.test(file.type)) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale); canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob && blob.size < file.size ? blob : file); }, "image/jpeg", 0.82);
      });
    }).catch(function () { return file; });
  }
  function showErrors(form, answer) {
    form.querySelectorAll(".queue-error").forEach(function (n) { n.remove(); });
    var errors = (answer && answer.errors) || {};
    var shown = false;
    Object.keys(errors).forEach(function (name) {
      var field = form.querySelector('[name="' + name + '"]');
      if (!field) return;
      var place = field.closest("fieldset") || field;
      var note = document.createElement("p"); note.className = "error queue-error"; note.textContent = errors[name].join(" ");
      place.insertAdjacentElement("afterend", note); shown = true;
    });
    if (!shown && answer && answer.message) {
      var top = document.createElement("p"); top.className = "error queue-error"; top.textContent = answer.message;
      form.insertBefore(top, form.firstChild);
    }
    var first = form.querySelector(".queue-error"); if (first) first.scrollIntoView({ block: "center" });
  }

  function queueForm(form) {
    var key = form.querySelector('[name="client_key"]');
    // A fresh form (not one drawn again with an error) starts on today, wherever it was kept.
    var date = form.hasAttribute("data-bound") ? null : form.querySelector('input[type="date"]');
    var button = form.querySelector('button[type="submit"]');
    var label = button ? button.textContent : "";
    // A kept copy of the form was drawn on another day, with another key: a fresh one.
    key.value = newKey();
    if (date) {
      date.value = today();
      date.max = today();
    }
    var busy = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      busy = true;
      if (button) { button.disabled = true; button.textContent = T.saving; }
      var fields = [];
      var pending = [];
      new FormData(form).forEach(function (value, name) {
        if (name === "csrfmiddlewaretoken") return;
        if (value instanceof File) {
          if (value.size) pending.push(shrink(value).then(function (blob) { fields.push([name, blob, value.name.replace(/\.[^.]*$/, "") + ".jpg"]); }));
        } else {
          fields.push([name, value]);
        }
      });
      Promise.all(pending).then(function () {
        var item = {
          key: key.value, user: user, url: form.action || location.href, label: form.getAttribute("data-label"),
          next: form.getAttribute("data-next"), created: Date.now(), state: "waiting", message: "", fields: fields
        };
        return put(item).then(function () { return navigator.onLine ? send(item) : { waiting: true, offline: true }; });
      }).then(function (result) {
        if (result.sent) { location.href = result.answer.next || form.getAttribute("data-next"); return; }
        if (result.refused) {
          // Online and refused: the member is here to mend it; the queue keeps nothing.
          drop(key.value).then(status);
          key.value = newKey();
          showErrors(form, result.answer);
          busy = false;
          if (button) { button.disabled = false; button.textContent = label; }
          return;
        }
        try { sessionStorage.setItem("weixi-said", result.offline ? T.queued : result.message); } catch (e) { /* private mode */ }
        location.href = form.getAttribute("data-next");
      }).catch(function () {
        // IndexedDB unavailable (a private window): send as a plain form.
        form.submit();
      });
    });
  }

  /* --- keeping the member's pages ------------------------------------------------------ */
  function warm(registration) {
    var source = body.getAttribute("data-warm");
    if (!source || !navigator.onLine || !registration.active) return;
    var stamp = "weixi-warmed-" + user;
    var last = Number(localStorage.getItem(stamp) || 0);
    if (Date.now() - last < WARM_EVERY) { document.documentElement.setAttribute("data-warmed", "recent"); return; }
    fetch(source, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) return;
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "warmed") {
          localStorage.setItem(stamp, String(Date.now()));
          document.documentElement.setAttribute("data-warmed", String(event.data.kept));
        }
      });
      registration.active.postMessage({ type: "warm", urls: data.urls, redirects: data.redirects });
    }).catch(function () { /* offline meanwhile: next time */ });
  }

  function forget() {
    try { Object.keys(localStorage).forEach(function (k) { if (k.indexOf("weixi-warmed-") === 0) localStorage.removeItem(k); }); } catch (e) { /* none */ }
    return window.caches ? caches.delete("weixi-pages") : Promise.resolve();
  }

  /* --- start ------------------------------------------------------------------------- */
  var said = null;
  try { said = sessionStorage.getItem("weixi-said"); sessionStorage.removeItem("weixi-said"); } catch (e) { /* none */ }
  if (said) {
    var list = document.querySelector("main .messages") || document.createElement("ul");
    if (!list.parentNode) { list.className = "messages"; document.querySelector("main").insertBefore(list, document.querySelector("main").firstChild); }
    var li = document.createElement("li"); li.className = "warning"; li.textContent = said; list.appendChild(li);
  }
  if (!user) {
    // The sign-in page: whoever comes next sees nobody's kept households.
    forget();
    return;
  }
  document.querySelectorAll('form[action$="/accounts/logout/"]').forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-forgotten")) return;
      event.preventDefault();
      forget().then(function () { form.setAttribute("data-forgotten", "1"); form.submit(); });
    });
  });
  var visit = document.querySelector("form[data-queue]");
  if (visit && window.indexedDB) queueForm(visit);
  window.addEventListener("online", flush);
  window.addEventListener("offline", status);
  if (window.indexedDB) status().then(flush);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(warm).catch(function () { /* no service worker: pages work online */ });
  }
})();
