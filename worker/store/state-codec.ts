// The stored form of a visitor's score state (visitors.state). Every read and write of that column goes
// through here: the state is the widest part of a lead's row, and a row wider than about 1,000 bytes spills
// to an overflow page of its own (4 KB, mostly empty) in the WITHOUT ROWID visitors table. So the stored
// JSON uses one- or two-letter keys, drops what equals its default, writes each rule's tally as an array,
// local days as day numbers and times as offsets from the first event. It stays JSON, so SQL can still read
// `$.n` (events applied) and `$.t` (traits). States stored before this form (long keys, always a `rules`
// key) are still read as they are, and are rewritten in this form on their next write.
import type { OutcomeRecord } from "../scoring/outcomes";
import { dict, type Earned, type RuleTally, type ScoreState, type Trait } from "../scoring/state";

/** A time: its offset from the state's first event time, or (when that is not exact) the time as a string. */
type StoredTime = number | string;
/** A dimension's points: [raw, value, at, days], trailing absent fields left off, absent ones null. */
type StoredEarned = (number | StoredTime | Record<string, number> | null)[];
/** A rule's tally: [raw, fired, value, at, day, dayFired, dayPoints, days], the same way. */
type StoredTally = (number | StoredTime | string | Record<string, number> | null)[];

/** The stored state. Keys are kept short on purpose; `n` and `t` are read by SQL (see site-days, visitor-reads). */
interface StoredState {
  /** Events applied (left off at 0). */
  n?: number;
  /** First event time, the base of every other time (left off while null). */
  f?: number;
  l?: StoredTime;
  /** Last website event time; left off while null. */
  w?: StoredTime;
  v?: number;
  s?: StoredTime;
  a?: number;
  d?: number | string;
  r?: Record<string, StoredTally>;
  m?: Record<string, StoredEarned>;
  o?: Record<string, StoredTime>;
  aw?: Record<string, StoredTime>;
  oc?: OutcomeRecord;
  p?: StoredTime;
  e?: string;
  /** 1 when the email is verified (left off when not). */
  ev?: 1;
  t?: Record<string, Trait>;
}

const DAY_MS = 86_400_000;
const DAY_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

// The day last encoded: a state's tallies mostly share one day, and checking a day costs a Date.
let lastDay = "";
let lastDayEncoded: number | string = "";

/** A local day (YYYY-MM-DD) as its day number, when that gives the same string back. */
function encodeDay(day: string): number | string {
  if (day === lastDay) return lastDayEncoded;
  const n = DAY_SHAPE.test(day) ? Date.parse(`${day}T00:00:00Z`) / DAY_MS : Number.NaN;
  lastDay = day;
  lastDayEncoded = Number.isInteger(n) && decodeDay(n) === day ? n : day;
  return lastDayEncoded;
}

function decodeDay(day: number | string): string {
  return typeof day === "string" ? day : new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** A time as an offset from `base` when the offset gives it back exactly (whole milliseconds), else as text. */
function encodeTime(t: number, base: number): StoredTime {
  const offset = t - base;
  return Number.isSafeInteger(offset) && offset + base === t ? offset : String(t);
}

function decodeTime(t: StoredTime, base: number): number {
  return typeof t === "string" ? Number(t) : t + base;
}

/** Drops trailing nulls (absent fields) in place. */
function trimmed<T>(fields: (T | null)[]): (T | null)[] {
  let end = fields.length;
  while (end > 0 && fields[end - 1] === null) end--;
  fields.length = end;
  return fields;
}

function mapValues<A, B>(map: Record<string, A>, f: (a: A) => B): Record<string, B> {
  const out = dict<B>();
  for (const key of Object.keys(map)) out[key] = f(map[key] as A);
  return out;
}

const opt = <A, B>(x: A | undefined, f: (a: A) => B): B | undefined => (x === undefined ? undefined : f(x));
const field = <T>(x: T | null | undefined): T | undefined => (x === null ? undefined : x);

function encodeEarned(e: Earned, base: number): StoredEarned {
  return trimmed([e.raw, e.value ?? null, e.at === undefined ? null : encodeTime(e.at, base), e.days ?? null]);
}

function encodeTally(r: RuleTally, base: number): StoredTally {
  return trimmed([
    r.raw,
    r.fired,
    r.value ?? null,
    r.at === undefined ? null : encodeTime(r.at, base),
    r.day === undefined ? null : encodeDay(r.day),
    r.dayFired ?? null,
    r.dayPoints ?? null,
    r.days ?? null,
  ]);
}

function decodeEarned(x: StoredEarned, base: number): Earned {
  const [raw, value, at, days] = x;
  const e: Earned = { raw: raw as number };
  if (field(value) !== undefined) e.value = value as number;
  if (field(at) !== undefined) e.at = decodeTime(at as StoredTime, base);
  if (field(days) !== undefined) e.days = dict(days as Record<string, number>);
  return e;
}

function decodeTally(x: StoredTally, base: number): RuleTally {
  const [raw, fired, value, at, day, dayFired, dayPoints, days] = x;
  const r: RuleTally = { raw: raw as number, fired: fired as number };
  if (field(day) !== undefined) r.day = decodeDay(day as number | string);
  if (field(dayFired) !== undefined) r.dayFired = dayFired as number;
  if (field(dayPoints) !== undefined) r.dayPoints = dayPoints as number;
  if (field(value) !== undefined) r.value = value as number;
  if (field(at) !== undefined) r.at = decodeTime(at as StoredTime, base);
  if (field(days) !== undefined) r.days = dict(days as Record<string, number>);
  return r;
}

/** A score state as stored in visitors.state (compact JSON; see the top of this file). */
export function encodeState(s: ScoreState): string {
  const base = s.firstTs ?? 0;
  const time = (t: number | null | undefined) => (t === null || t === undefined ? undefined : encodeTime(t, base));
  const nonEmpty = <T>(map: Record<string, T>) => (Object.keys(map).length > 0 ? map : undefined);
  // States stored before events had an origin lack lastWebTs; the engine reads lastTs for it then.
  const lastWeb = s.lastWebTs === undefined ? s.lastTs : s.lastWebTs;
  const stored: StoredState = {
    n: s.n === 0 ? undefined : s.n,
    f: field(s.firstTs),
    l: time(s.lastTs),
    w: time(lastWeb),
    v: s.visits === 0 ? undefined : s.visits,
    s: time(s.visitStart),
    a: s.activeDays === 0 ? undefined : s.activeDays,
    d: opt(field(s.lastDay), encodeDay),
    r: nonEmpty(mapValues(s.rules, (r) => encodeTally(r, base))),
    m: nonEmpty(mapValues(s.dimensions, (e) => encodeEarned(e, base))),
    o: nonEmpty(mapValues(s.lastOf, (t) => encodeTime(t, base))),
    // An emptied map is kept as such, so a stored state reads back equal to the one written.
    aw: opt(s.awaiting, (m) => mapValues(m, (t) => encodeTime(t, base))),
    oc: s.outcome,
    p: time(s.prospectSince),
    e: field(s.email),
    ev: s.emailVerified === true ? 1 : undefined,
    t: nonEmpty(s.traits),
  };
  return JSON.stringify(stored);
}

/** A score state from visitors.state, in the compact form or the long-key form stored before it. */
export function decodeState(json: string): ScoreState {
  const parsed = JSON.parse(json) as StoredState | ScoreState;
  // Every long-key state has `rules` (the empty state included); the compact form never has that key.
  if ("rules" in parsed) return parsed;
  const x = parsed;
  const base = x.f ?? 0;
  const time = (t: StoredTime | undefined) => (t === undefined ? null : decodeTime(t, base));
  const state: ScoreState = {
    n: x.n ?? 0,
    firstTs: x.f ?? null,
    lastTs: time(x.l),
    lastWebTs: time(x.w),
    visits: x.v ?? 0,
    visitStart: time(x.s),
    activeDays: x.a ?? 0,
    lastDay: x.d === undefined ? null : decodeDay(x.d),
    rules: x.r ? mapValues(x.r, (r) => decodeTally(r, base)) : dict(),
    dimensions: x.m ? mapValues(x.m, (e) => decodeEarned(e, base)) : dict(),
    lastOf: x.o ? mapValues(x.o, (t) => decodeTime(t, base)) : dict(),
    prospectSince: time(x.p),
    email: x.e ?? null,
    emailVerified: x.ev === 1,
    traits: x.t ? dict(x.t) : dict(),
  };
  if (x.aw) state.awaiting = mapValues(x.aw, (t) => decodeTime(t, base));
  if (x.oc) state.outcome = x.oc;
  return state;
}
