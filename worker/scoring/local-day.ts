const formatters = new Map<string, Intl.DateTimeFormat>();
const lastSpan = new Map<string, { from: number; to: number; day: string }>();
const QUARTER_HOUR = 900_000;

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    // en-CA formats dates as YYYY-MM-DD.
    f = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(timezone, f);
  }
  return f;
}

/** The calendar date (YYYY-MM-DD) of a moment in a timezone. */
export function localDay(ts: number, timezone: string): string {
  // Formatting is the slow part of scoring and events come in time order, so reuse the last answer for
  // the whole quarter hour (UTC-aligned) around it: every zone's offset and DST switch is a whole number
  // of quarter hours, so local midnight always falls on such a boundary, never inside one.
  const span = lastSpan.get(timezone);
  if (span && ts >= span.from && ts < span.to) return span.day;
  const day = formatter(timezone).format(ts);
  const from = ts - (ts % QUARTER_HOUR);
  lastSpan.set(timezone, { from, to: from + QUARTER_HOUR, day });
  return day;
}

/** The local hour (0-23) of a moment in a timezone. */
export function localHour(ts: number, timezone: string): number {
  const hour = new Intl.DateTimeFormat("en-GB", { timeZone: timezone, hour: "2-digit", hourCycle: "h23" }).format(ts);
  return Number(hour);
}

/** True when the string names a timezone the runtime knows. */
export function isTimezone(timezone: string): boolean {
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}
