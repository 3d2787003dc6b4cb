/* The site's service worker, served at /sw.js (scope: the whole site).
   For now it only shows Web Push notifications and opens them; caching for offline reading is
   left to a later session (issue 18, "An installable app that works offline"). */
"use strict";

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
