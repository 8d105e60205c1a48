// The field page's service worker (version {{ version }}): keeps the app shell, its scripts and the public
// reference data for offline use. The commune's bundle (children's names) is never kept here: it lives only
// encrypted in IndexedDB. Writes (the sync) always go to the network.
const CACHE = "treem-thuc-dia-{{ version }}";
const SCOPE = "{{ scope }}";
const ASSETS = {{ assets_json|safe }};
const SHELL = [SCOPE, SCOPE + "bang-who.json", SCOPE + "quy-tac.json"];
const NEVER_KEPT = [SCOPE + "du-lieu.json", SCOPE + "phien.json", SCOPE + "dong-bo/"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...ASSETS, ...SHELL])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith("treem-thuc-dia-") && name !== CACHE)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request, { ignoreSearch: true });
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request) {
  const kept = await caches.match(request);
  return kept || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (NEVER_KEPT.some((path) => url.pathname.startsWith(path))) return;
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(cacheFirst(event.request));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(networkFirst(event.request));
  }
});
