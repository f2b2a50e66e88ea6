/* weixi_grid service worker {{ version }} — docs/offline.md.
 * Pages marked by the server ({{ header }}: 1) are kept when fetched online and served when
 * the network fails; the shell assets are kept at installation; nothing else is stored.
 * Writes (POST) are never touched here: the visit queue lives in the page (offline.js). */
"use strict";
const VERSION = "{{ version }}";
const SHELL = "weixi-shell-" + VERSION;
const PAGES = "weixi-pages";
const SHELL_URLS = [{% for url in shell %}"{{ url|escapejs }}", {% endfor %}"{{ fallback|escapejs }}"];
const FALLBACK = "{{ fallback|escapejs }}";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_URLS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("weixi-shell-") && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function keep(request, response) {
  if (response.ok && response.headers.get("{{ header }}") === "1") {
    const copy = response.clone();
    caches.open(PAGES).then((cache) => cache.put(request, copy));
  }
  return response;
}

async function page(request) {
  try {
    return keep(request, await fetch(request));
  } catch (err) {
    const kept = await caches.match(request, { cacheName: PAGES, ignoreVary: true });
    if (kept) return kept;
    return (await caches.match(FALLBACK, { ignoreVary: true })) || Response.error();
  }
}

async function asset(request) {
  const kept = await caches.match(request, { ignoreVary: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(SHELL).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/admin/")) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith("{{ static_prefix|escapejs }}")) {
    event.respondWith(asset(request));
  }
});

/* The page asks: keep these pages of my grids now (while online); or forget every page (on
 * signing out: a phone passed to someone else keeps nobody's households). */
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "warm") {
    event.waitUntil((async () => {
      const cache = await caches.open(PAGES);
      let kept = 0;
      for (const [from, to] of Object.entries(data.redirects || {})) {
        // "/" sends a member with one grid to that grid: kept as that redirect (a navigation
        // may not be answered with a followed one).
        await cache.put(from, Response.redirect(new URL(to, self.location.origin).href, 302));
      }
      for (const url of data.urls || []) {
        let response;
        try {
          // Never followed (signed out meanwhile: not the login page); marked, so the answer
          // sets no cookie (core.offline.WarmFetchesSetNoCookies).
          response = await fetch(url, { credentials: "same-origin", redirect: "manual", headers: { "{{ warm_header }}": "1" } });
        } catch (err) { break; }
        if (response.type === "opaqueredirect") break;
        if (!response.ok || response.headers.get("{{ header }}") !== "1") continue;
        await cache.put(url, response);
        kept += 1;
      }
      if (event.source) event.source.postMessage({ type: "warmed", kept: kept });
    })());
  } else if (data.type === "forget") {
    event.waitUntil(caches.delete(PAGES).then(() => { if (event.source) event.source.postMessage({ type: "forgotten" }); }));
  }
});
