// leadscore tracker: one closure, no classes, no dependencies.
// <script async src="https://COLLECTOR/s.js" data-site="SITE_ID"></script>
((w: Window, d: Document) => {
  const script = d.currentScript as HTMLScriptElement | null;
  if (!script) return;
  const site = script.dataset.site;
  const api = (script.dataset.api || new URL(script.src).origin) + "/e";
  const KEY = "leadscore_vid";

  const rand = () => {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    let id = "";
    for (const b of bytes) id += (b & 63).toString(36).padStart(2, "0");
    return id;
  };

  let visitor: string;
  try {
    visitor = localStorage.getItem(KEY) || rand();
    localStorage.setItem(KEY, visitor);
  } catch {
    // Storage blocked (private modes): a per-page id still lets the page's events count.
    visitor = rand();
  }

  const send = (name: string) => {
    const now = Date.now();
    const body = JSON.stringify({
      s: site,
      v: visitor,
      t: now,
      e: [{ i: rand(), n: name, t: now, u: location.href, r: d.referrer || undefined }],
    });
    try {
      if (!navigator.sendBeacon(api, body)) throw 0;
    } catch {
      fetch(api, { method: "POST", body, keepalive: true, headers: { "content-type": "text/plain" } }).catch(() => {});
    }
  };

  send("pageview");
})(window, document);
