// leadscore tracker: one closure, no classes, no dependencies.
// <script async src="https://COLLECTOR/s.js" data-site="SITE_ID"></script>
//
// Delivery: each event is written to an outbox in localStorage (in memory while consent is pending) before it
// is sent, and leaves the outbox only when the collector has answered: 2xx (accepted, or counted before) or 4xx
// (never acceptable). On a visible page a batch goes by fetch keepalive, whose answer the page can read (/e lets
// any origin read it); on a hidden page, by sendBeacon, which gives no answer. Whatever was not confirmed
// (collector down, offline, a page left before the answer came) is sent again with the same event ids on the
// next page load; the collector counts each id once, so a resend never counts twice, and only unconfirmed
// events are ever resent.

/** Event properties: flat scalars, as the collector takes them. */
type Props = Record<string, string | number | boolean>;

/** One event in the collector's beacon format. */
interface Ev {
  i: string;
  n: string;
  t: number;
  u: string;
  r?: string;
  c?: string;
  d?: Props;
}

/** The page-facing command function, and the queue the head stub fills before the script loads. */
type Leadscore = ((...args: unknown[]) => void) & { q?: Iterable<unknown>[] };

((w: Window & { leadscore?: Leadscore }, d: Document) => {
  // Nothing may throw into the page: every entry point is wrapped.
  const safe =
    <A extends unknown[]>(f: (...a: A) => unknown) =>
    (...a: A) => {
      try {
        f(...a);
      } catch {
        // The page must never see the tracker fail.
      }
    };

  safe(() => {
    const script = d.currentScript as HTMLScriptElement;
    const { dataset } = script;
    const { location: loc, history: hist } = w;
    const VID = "leadscore_vid";
    const OUTBOX = "leadscore_q";
    const CONSENT = "leadscore_consent";
    const api = (dataset.api || new URL(script.src).origin) + "/e";
    // File links by extension; data-downloads="pdf|zip|dmg" replaces the default list.
    const files = RegExp("\\.(" + (dataset.downloads || "pdf|zip|(doc|xls|ppt)x?|csv|txt|od.|rar|7z|gz|dmg|exe") + ")$", "i");
    // 128 random bits as digits: a valid id ([A-Za-z0-9_-]{8,64}) that works outside secure contexts too.
    const rand = () => crypto.getRandomValues(new Uint32Array(4)).join("_");

    // Storage: localStorage (read and written as properties) where it works, else a page's memory.
    let storage: Record<string, string> = {};
    try {
      storage = localStorage as unknown as Record<string, string>;
    } catch {
      // Blocked storage (privacy settings, sandboxed frames): events still go, with a per-page visitor id.
    }
    // Consent state, kept as the answer: 1 given (or not required), 0 pending (events held in memory, nothing
    // stored or sent), -1 refused (nothing kept, so a refusal holds on later pages too).
    let state = +storage[CONSENT] || +!dataset.consent;
    const load = (): Ev[] => JSON.parse(storage[OUTBOX] || "[]");
    // A write that storage refuses (quota) is skipped: the event still goes out, only without its stored copy.
    const save = safe((q: Ev[]) => (storage[OUTBOX] = JSON.stringify(q)));

    // Events not yet handed to the network: those of the current task, those held until consent, and at
    // load those a previous page left in the outbox.
    let pending = state > 0 ? load() : [];
    const send = (batch: Ev[]) => {
      const body = JSON.stringify({ s: dataset.site, v: (storage[VID] ||= rand()), t: Date.now(), e: batch });
      // Answered: 2xx (counted, maybe before) or 4xx (never acceptable) both take the events out of the outbox
      // (the body names each of their ids). A 429 (too many, for now) leaves them there and sends them again a
      // minute later, past any Retry-After the collector gives; a network error or 5xx leaves them for the
      // next page load. (Once consent is withdrawn, nothing is written or sent again: the flush checks.)
      const answered = safe(({ status }: Response) =>
        status == 429
          ? setTimeout(flush, 6e4, pending.push(...batch))
          : status < 500 &&
            state > 0 &&
            (status > 399 && batch[1]
              ? // One bad event must not sink its batch: a 4xx for several events retries them one by one.
                batch.map((e) => send([e]))
              : save(load().filter((e) => !body.includes(e.i)))),
      );
      (d.hidden && navigator.sendBeacon(api, body)) || fetch(api, { method: "POST", body, keepalive: true }).then(answered, answered);
    };

    const flush = safe(() => {
      // At most 20 events a beacon; one over the 16 KB limit is answered 413 and dropped.
      while (state > 0 && pending[0]) send(pending.splice(0, 20));
    });

    // Events of one task leave together: the flush runs once the current task is done.
    const add = (n: string, extra?: Partial<Ev>) => {
      if (state < 0) return;
      const t = Date.now();
      const e = { i: rand(), n, t, u: loc.href.slice(0, 2e3), ...extra };
      // Bounded: the newest 50 events of the last 7 days (older ones the collector would pin anyway).
      if (state) save([...load(), e].filter((e) => e.t > t - 6048e5).slice(-50));
      pending.push(e);
      setTimeout(flush);
    };

    const consent = (yes: unknown) => {
      if (!yes) {
        delete storage[VID];
        delete storage[OUTBOX];
        pending = [];
      } else if (state < 1) {
        // The events held in memory so far join the outbox.
        save([...load(), ...pending]);
      }
      // Kept as "1" or "-1" (storage stores strings).
      storage[CONSENT] = (state = yes ? 1 : -1) as unknown as string;
      flush();
    };

    // leadscore('track', name, props), leadscore('identify', {email, sig, traits}), leadscore('consent', yes).
    // An identify goes as the page gave it ({email, sig, traits}: sig is the site backend's hex HMAC-SHA256
    // of the email); the collector puts the traits beside email and sig.
    const command: Leadscore = safe((name?: unknown, a?: unknown, b?: unknown) => {
      if (name == "consent") consent(a);
      else add(name as string, name == "identify" ? { d: a as Props } : { c: a as string, d: b as Props });
    });
    const stub = w.leadscore;
    w.leadscore = command;
    stub?.q?.map((args) => command(...args));

    let last: string | undefined;
    let played: Record<string, 1> = {};
    // A page view per distinct URL (the fragment aside): replaceState to the same URL is no new page.
    const view = (_?: unknown, r?: string) => {
      const url = loc.href.split("#")[0];
      if (url != last) {
        last = url;
        played = {};
        add("pageview", { r });
      }
    };
    const navigated = safe(view);
    for (const k of ["pushState", "replaceState"] as const) {
      const original = hist[k];
      // The page's own call runs unguarded so its errors reach it as before; ours never do.
      hist[k] = function (this: History, ...a: Parameters<History["pushState"]>) {
        original.apply(this, a);
        navigated();
      };
    }
    const on = (target: EventTarget, type: string, f: (e: Event) => unknown) => target.addEventListener(type, safe(f), true);
    on(w, "popstate", navigated);

    on(d, "play", (e) => {
      const v = e.target as HTMLVideoElement;
      const src = v.currentSrc;
      if (v.tagName == "VIDEO" && !played[src]) {
        played[src] = 1;
        add("video_play", { d: { src, title: v.title } });
      }
    });

    on(d, "click", (e) => {
      const a = (e.target as Element).closest("a");
      if (a && (a.hasAttribute("download") || files.test(a.pathname))) {
        add("download", { d: { file: a.href.slice(0, 500) } });
        // Sent now, not after this task: a link that leaves the page may unload it before a timer runs.
        flush();
      }
    });

    const ref = d.referrer;
    // The referrer only when it is another site: the entry page of a visit carries it (and UTM tags in its URL).
    view(0, ref.split("/")[2] != loc.host ? ref : undefined);
  })();
})(window, document);
