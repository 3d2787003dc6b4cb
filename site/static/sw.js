/* The site's service worker, served at /sw.js (scope: the whole site) by
   sotay_plugins/serviceworker.py, which writes the line before this one: self.SOTAY = {version,
   precache, offline, static, manifest, recheck}.

   - The shell (stylesheets, scripts, icons, the offline page) is precached at install in
     "sotay-shell-<version>"; a deploy changes the version, the new worker precaches the new
     shell and deletes the old caches. Static files are answered from the cache first: a repeat
     load asks the network for none of them.
   - Pages go to the network first (they are personal, and scope may change); with no network a
     page kept for offline reading is answered from "sotay-data", else the offline page.
   - What to keep comes from the server (GET manifest: the member's bookmarked and recent
     documents and news, their next meeting and its materials, their card's QR), fetched in the
     background with "Sotay-Prefetch: 1" (counted as no open). Back online, the kept items are
     re-checked (POST recheck) and those whose scope was withdrawn are deleted at once.
   - What the member did offline (a bookmark, a comment, a quiz's answers and submit where the
     quiz allows it) waits in IndexedDB with a key made once on the phone, and is sent when the
     network returns, in the order it was done, with "Idempotency-Key" (the server carries out
     each key once, however often it arrives) and "Sotay-Queued: 1" (done offline: the server
     may refuse what must not be). A refusal is told to the page with the server's reason; only
     a failed network, a 5xx, 408, 429 or a 409 with Retry-After (the same key still running)
     leave the entry for the next try — and the entries after it wait, so the order holds.
   - Web Push: shows notifications and opens them. */
"use strict";

var CONF = self.SOTAY || { version: "0", precache: [], offline: "/ngoai-tuyen/", static: "/static/" };
var SHELL = "sotay-shell-" + CONF.version;
var DATA = "sotay-data";
var DB_NAME = "sotay-offline";
var REFRESH_MS = 5 * 60 * 1000;

// --- IndexedDB: "meta" (the index of kept items) and "queue" (actions waiting for the network)

function openDb() {
  return new Promise(function (resolve, reject) {
    var request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore("meta");
      request.result.createObjectStore("queue", { keyPath: "key" });
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });
}

function store(name, mode, work) {
  return openDb().then(function (db) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(name, mode);
      var result = work(tx.objectStore(name));
      tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
      tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
    });
  });
}

function getIndex() {
  return store("meta", "readonly", function (s) { return s.get("index"); }).then(function (index) {
    return index || { member: null, items: {}, at: 0 };
  });
}

function putIndex(index) {
  return store("meta", "readwrite", function (s) { s.put(index, "index"); });
}

function urlsOf(item) {
  return [item.url].concat(item.files || []);
}

// --- install, activate ---------------------------------------------------------------------

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(CONF.precache.map(function (url) { return new Request(url, { cache: "reload" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("sotay-shell-") === 0 && name !== SHELL;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// --- fetch ---------------------------------------------------------------------------------

function fromShell(request) {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") cache.put(request, response.clone());
        return response;
      });
    });
  });
}

function keptCopy(request) {
  var url = new URL(request.url);
  return caches.open(DATA).then(function (cache) {
    // Pages vary on the cookie (language); the phone keeps one member's copies only.
    return cache.match(request, { ignoreVary: true }).then(function (hit) {
      if (hit) return hit;
      return getIndex().then(function (index) {
        for (var id in index.items) {
          var item = index.items[id];
          if ((item.stands_for || []).indexOf(url.pathname) !== -1) return cache.match(item.url, { ignoreVary: true });
        }
        return cache.match(request, { ignoreSearch: true, ignoreVary: true });
      });
    });
  });
}

/* A kept page says so (<html data-kept>): js/offline.js then queues its forms. */
function marked(response) {
  var type = response.headers.get("Content-Type") || "";
  if (type.indexOf("text/html") !== 0) return response;
  return response.text().then(function (html) {
    var headers = new Headers(response.headers);
    headers.delete("Content-Length");
    return new Response(html.replace("<html ", '<html data-kept="1" '), { status: response.status, headers: headers });
  });
}

function offlinePage() {
  return caches.open(SHELL).then(function (cache) { return cache.match(CONF.offline); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === "/sw.js") return;
  if (url.pathname.indexOf(CONF.static) === 0 || url.pathname === CONF.offline) {
    event.respondWith(fromShell(request));
    return;
  }
  if (url.pathname.indexOf("/api/") === 0 || url.pathname.indexOf("/quan-tri/") === 0) return;
  event.respondWith(fetch(request).catch(function () {
    return keptCopy(request).then(function (hit) {
      if (hit) return request.mode === "navigate" ? marked(hit) : hit;
      if (request.mode === "navigate") return offlinePage();
      return new Response("", { status: 503, statusText: "Offline" });
    });
  }));
});

// --- keeping what the member may read offline ----------------------------------------------

function forget() {
  return caches.delete(DATA).then(function () {
    return store("meta", "readwrite", function (s) { s.clear(); });
  }).then(function () {
    return store("queue", "readwrite", function (s) { s.clear(); });
  });
}

function keepUrl(cache, url) {
  return fetch(url, { credentials: "same-origin", headers: { "Sotay-Prefetch": "1" } }).then(function (response) {
    if (!response.ok || response.redirected) throw new Error(url + ": " + response.status);
    return cache.put(url, response);
  });
}

function dropItems(index, ids) {
  if (!ids.length) return Promise.resolve();
  var still = {};
  Object.keys(index.items).forEach(function (id) {
    if (ids.indexOf(id) === -1) urlsOf(index.items[id]).forEach(function (u) { still[u] = true; });
  });
  var gone = [];
  ids.forEach(function (id) {
    if (index.items[id]) gone = gone.concat(urlsOf(index.items[id]));
    delete index.items[id];
  });
  return caches.open(DATA).then(function (cache) {
    return Promise.all(gone.filter(function (u) { return !still[u]; }).map(function (u) { return cache.delete(u); }));
  });
}

function postJson(url, body, headers) {
  var all = { "Content-Type": "application/json", Accept: "application/json" };
  for (var name in headers || {}) all[name] = headers[name];
  return fetch(url, { method: "POST", credentials: "same-origin", headers: all, body: JSON.stringify(body) });
}

/* Back online: ask which kept items the member may still read; delete the others at once. */
function recheck(index, csrf, force) {
  var ids = Object.keys(index.items);
  if (!ids.length || !CONF.recheck) return Promise.resolve(index);
  if (!force && Date.now() - (index.checked || 0) < REFRESH_MS) return Promise.resolve(index);
  return postJson(CONF.recheck, { ids: ids }, csrf ? { "X-CSRFToken": csrf } : {}).then(function (response) {
    if (response.status === 401 || response.status === 403) return forget().then(function () { return null; });
    if (!response.ok) return index;
    return response.json().then(function (data) {
      var visible = data.visible || [];
      var withdrawn = ids.filter(function (id) { return visible.indexOf(id) === -1; });
      index.checked = Date.now();
      return dropItems(index, withdrawn).then(function () { return putIndex(index); }).then(function () { return index; });
    });
  });
}

/* Fetch the manifest; keep new and changed items, drop those no longer listed. */
function refresh(index) {
  return fetch(CONF.manifest, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
    if (response.status === 401 || response.status === 403) return forget().then(function () { return null; });
    if (!response.ok || response.redirected) return null;
    return response.json().then(function (manifest) {
      var work = Promise.resolve();
      if (index.member !== manifest.member) {
        work = caches.delete(DATA);
        index = { member: manifest.member, items: {}, at: 0 };
      }
      var listed = {};
      manifest.items.forEach(function (item) { listed[item.id] = item; });
      var gone = Object.keys(index.items).filter(function (id) { return !listed[id]; });
      return work.then(function () { return dropItems(index, gone); }).then(function () {
        return caches.open(DATA);
      }).then(function (cache) {
        return manifest.items.reduce(function (chain, item) {
          var old = index.items[item.id];
          return chain.then(function () {
            // Unchanged and still in the cache (the browser may have evicted it): nothing to do.
            if (old && old.version === item.version) {
              return cache.match(item.url, { ignoreVary: true }).then(function (hit) { if (!hit) return fetchItem(); });
            }
            return fetchItem();
          });
          function fetchItem() {
            return Promise.all(urlsOf(item).map(function (u) { return keepUrl(cache, u); })).then(function () {
              index.items[item.id] = item;
            }).catch(function () { /* kept next time */ });
          }
        }, Promise.resolve());
      }).then(function () {
        index.at = Date.now();
        return putIndex(index);
      });
    });
  }).catch(function () { return null; });
}

var running = null;

function sync(force, csrf) {
  if (running) return running;
  running = flush().then(getIndex).then(function (index) {
    return recheck(index, csrf, force).then(function (checked) {
      if (!checked) return null;
      if (!force && Date.now() - checked.at < REFRESH_MS) return null;
      return refresh(checked);
    });
  }).catch(function () { return null; }).then(function () {
    running = null;
    return tell({ type: "synced" });
  });
  return running;
}

// --- actions done offline --------------------------------------------------------------------

function tell(message) {
  return self.clients.matchAll({ type: "window" }).then(function (list) {
    list.forEach(function (client) { client.postMessage(message); });
  });
}

var flushing = null, again = false;

function reason(response) {
  return response.json().then(function (data) { return (data && data.detail) || ""; }, function () { return ""; });
}

function flush() {
  if (flushing) { again = true; return flushing; } // an entry queued meanwhile: one more round
  again = false;
  flushing = store("queue", "readonly", function (s) { return s.getAll(); }).then(function (entries) {
    entries.sort(function (a, b) { return a.created - b.created; });
    return entries.reduce(function (chain, entry) {
      return chain.then(function (stop) {
        if (stop) return true;
        return fetch(entry.url, {
          method: entry.method,
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": entry.csrf || "",
            "Idempotency-Key": entry.key,
            "Sotay-Queued": "1"
          },
          body: entry.method === "DELETE" ? undefined : JSON.stringify(entry.body || {})
        }).then(function (response) {
          var status = response.status;
          var retry = status >= 500 || status === 429 || status === 408 ||
            (status === 409 && response.headers.has("Retry-After"));
          if (retry) return true;
          return (response.ok ? Promise.resolve("") : reason(response)).then(function (detail) {
            return store("queue", "readwrite", function (s) { s.delete(entry.key); }).then(function () {
              return tell({
                type: response.ok ? "sent" : "refused", key: entry.key, status: status,
                text: response.ok ? entry.sent : entry.refused, detail: detail
              });
            });
          }).then(function () { return false; });
        }, function () { return true; /* still offline: try again later */ });
      });
    }, Promise.resolve(false));
  }).catch(function () { return true; }).then(function (stopped) {
    flushing = null;
    if (again && !stopped) return flush();
    again = false;
    return stopped;
  });
  return flushing;
}

/* Entries are sent in the order they were queued: "created" grows strictly, even for two
   answers given within the same millisecond. */
function enqueue(entry) {
  return store("queue", "readwrite", function (s) {
    var all = s.getAll();
    all.onsuccess = function () {
      var last = all.result.reduce(function (most, e) { return Math.max(most, e.created || 0); }, 0);
      entry.created = Math.max(Date.now(), last + 1);
      s.put(entry);
    };
  }).then(function () {
    if (self.registration.sync) return self.registration.sync.register("sotay-queue").catch(function () {});
  }).then(function () {
    flush(); // the network may be back already; if not, it waits for the next chance
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "sotay-queue") event.waitUntil(flush().then(function (stopped) {
    if (stopped) throw new Error("offline");
  }));
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  var work;
  if (data.type === "sync") work = sync(Boolean(data.force), data.csrf);
  else if (data.type === "forget") work = forget();
  else if (data.type === "queue" && data.entry && data.entry.key) work = enqueue(data.entry);
  else if (data.type === "list") {
    work = Promise.all([getIndex(), store("queue", "readonly", function (s) { return s.count(); })]).then(function (found) {
      var items = Object.keys(found[0].items).map(function (id) {
        var item = found[0].items[id];
        return { id: id, title: item.title, url: item.url, kind: item.kind };
      });
      if (port) port.postMessage({ items: items, waiting: found[1] });
    });
  }
  if (work) event.waitUntil(work.catch(function () {}).then(function () {
    if (port && data.type !== "list") port.postMessage({ done: true });
  }));
});

// --- Web Push --------------------------------------------------------------------------------

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: event.data.text() }; }
  var title = data.title || "Sổ tay đảng viên";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    tag: data.tag ? "notice-" + data.tag : undefined,
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/icon-192.png",
    data: { url: data.url || "/thong-bao/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = new URL((event.notification.data && event.notification.data.url) || "/thong-bao/", self.location.origin);
  if (url.origin !== self.location.origin) { url = new URL("/thong-bao/", self.location.origin); }
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].url === url.href && "focus" in list[i]) { return list[i].focus(); }
    }
    return self.clients.openWindow(url.href);
  }));
});
