const UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"] as const;

/** A referrer without its query string and fragment (they can carry personal data), or null if it is no http(s) URL. */
export function referrerOf(raw: string): string | null {
  if (!URL.canParse(raw)) return null;
  const url = new URL(raw);
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  return `${url.origin}${url.pathname}`.slice(0, 500);
}

/** Where a visitor came from: the referrer and UTM parameters of the first event in a batch that has any. */
export function sourceOf(events: readonly { u: string; r?: string | undefined }[]): Record<string, string> | null {
  for (const e of events) {
    const source: Record<string, string> = {};
    const referrer = e.r ? referrerOf(e.r) : null;
    if (referrer) source.referrer = referrer;
    const params = new URL(e.u).searchParams;
    for (const key of UTM) {
      const value = params.get(key);
      if (value) source[key] = value.slice(0, 200);
    }
    if (Object.keys(source).length > 0) return source;
  }
  return null;
}
