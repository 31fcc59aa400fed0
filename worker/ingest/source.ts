const UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"] as const;

/** Where a visitor came from: the referrer and UTM parameters of the first event in a batch that has any. */
export function sourceOf(events: readonly { u: string; r?: string | undefined }[]): Record<string, string> | null {
  for (const e of events) {
    const source: Record<string, string> = {};
    if (e.r) source.referrer = e.r;
    const params = new URL(e.u).searchParams;
    for (const key of UTM) {
      const value = params.get(key);
      if (value) source[key] = value.slice(0, 200);
    }
    if (Object.keys(source).length > 0) return source;
  }
  return null;
}
