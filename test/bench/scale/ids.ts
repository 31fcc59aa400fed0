// Seeded visitor ids, the same in SQL (seeding) and in JS (operations that address a seeded lead).

/** The seeded site's id. */
export const BENCH_SITE = "bench";

/** The lead seeded with the most events a lead may keep, less one (seed.ts); identified, no merged ids. */
export const FULL_LEAD = 6;

const pad = (n: number) => String(n).padStart(10, "0");

/** Lead i's visitor id: the tracker's shape (four 32-bit numbers joined by _), ascending with i. */
export function leadId(i: number): string {
  return [i * 4093, (i * 2654435761) % 4294967296, (i * 40503) % 4294967296, (i * 97) % 4294967296].map(pad).join("_");
}

/** leadId as an SQL expression over the integer expression `i`. */
export function leadIdSql(i: string): string {
  return `printf('%010d_%010d_%010d_%010d', ${i} * 4093, (${i} * 2654435761) % 4294967296, (${i} * 40503) % 4294967296, (${i} * 97) % 4294967296)`;
}
