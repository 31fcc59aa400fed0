/** An event as the engine sees it: already validated, deduplicated and skew-corrected. */
export interface ScoredEvent {
  id: string;
  type: string;
  /** Corrected event time (ms since epoch). */
  ts: number;
  path?: string | null;
  props?: Record<string, unknown> | null;
}

/** One rule firing on one event. */
export interface Award {
  rule: string;
  points: number;
}
