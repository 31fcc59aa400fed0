/** An event as the engine sees it: already validated, deduplicated and skew-corrected. */
export interface ScoredEvent {
  id: string;
  type: string;
  /** Corrected event time (ms since epoch). */
  ts: number;
  path?: string | null;
  props?: Record<string, unknown> | null;
  /**
   * Where it came from: the website's beacon (web, the default) or the API (server-side events and
   * outcomes). Only web events make visits and active days; API events keep their own times.
   */
  via?: Origin;
}

/** Where an event came from. */
export type Origin = "web" | "api";

/** One rule firing on one event. */
export interface Award {
  rule: string;
  points: number;
}
