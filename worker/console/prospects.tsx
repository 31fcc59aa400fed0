import { Layout } from "./layout";
import { num, Pager, Time, TableWrap } from "./components";
import { sitePath, type Frame } from "./frame";

/** One line of a prospect list as the page shows it. */
export interface ProspectLine {
  visitorId: string;
  email: string | null;
  score: number;
  class: string | null;
  grade: string | null;
  since: number;
  isNew: boolean;
  reasons: { rule: string; label: string; points: number }[];
}

/** The daily list for one date: stored (as handed out) or live (today, before the list hour). */
export interface ProspectsData {
  date: string;
  today: string;
  stored: boolean;
  /** One page of the list, in its order. */
  rows: ProspectLine[];
  /** Lines on a stored list; null for the live list, which is not counted. */
  total: number | null;
  /** Where the next page starts, or null on the last page. */
  nextCursor: string | null;
  /** This is a later page than the first. */
  paged: boolean;
  pastDates: string[];
  listHour: number;
  timezone: string;
  /** No list was stored for that date. */
  missing: boolean;
}

/** The daily prospect list with its CSV, a date picker and the stored past days. */
export function ProspectsPage({ frame, data }: { frame: Frame; data: ProspectsData }) {
  const siteId = frame.site?.id ?? "";
  const csv = sitePath(siteId, `/prospects.csv?date=${data.date}`);
  const list = sitePath(siteId, `/prospects?date=${data.date}`);
  const hour = `${String(data.listHour).padStart(2, "0")}:00`;
  return (
    <Layout frame={frame}>
      <h1>Prospects</h1>
      <form method="get" class="inline-form">
        <label for="date">Date</label>
        <input id="date" name="date" type="date" value={data.date} max={data.today} />
        <button type="submit">Show</button>
      </form>
      <p class="lede">
        {data.missing
          ? `No list was stored for ${data.date}.`
          : data.stored
            ? `The list stored for ${data.date} at ${hour} ${data.timezone}, as it was handed out: ${num(data.total ?? 0)} prospects, best first.`
            : `Today's live list, until the day's list is stored at ${hour} ${data.timezone}: who is over the threshold now, by score as of each lead's last event or the hourly sweep.`}
      </p>
      {!data.missing && (
        <p>
          <a class="button" href={csv} download>
            Download CSV
          </a>{" "}
          <a class="button" href={`${csv}&bom=1`} download>
            CSV for Excel
          </a>
        </p>
      )}
      {data.rows.length > 0 && (
        <TableWrap label="Prospects">
          <table class="data wide">
            <thead>
              <tr>
                <th scope="col">Lead</th>
                <th scope="col" class="num">Score</th>
                <th scope="col">Class</th>
                <th scope="col">Grade</th>
                <th scope="col">Prospect since</th>
                <th scope="col">New</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr>
                  <th scope="row">
                    <a href={sitePath(siteId, `/leads/${encodeURIComponent(r.visitorId)}`)}>{r.email ?? r.visitorId}</a>
                  </th>
                  <td class="num">{num(r.score)}</td>
                  <td>{r.class ?? "–"}</td>
                  <td>{r.grade ?? "–"}</td>
                  <td>
                    <Time at={r.since} />
                  </td>
                  <td>{r.isNew ? <span class="badge">new</span> : "no"}</td>
                  <td class="wide-cell">{r.reasons.map((x) => `${x.label} ${x.points >= 0 ? "+" : ""}${num(x.points)}`).join("; ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {!data.missing && data.rows.length === 0 && !data.paged && <p class="empty">Nobody is on this list.</p>}
      <Pager first={data.paged ? list : undefined} next={data.nextCursor === null ? undefined : `${list}&cursor=${encodeURIComponent(data.nextCursor)}`} />
      <section aria-labelledby="past-title">
        <h2 id="past-title">Stored lists</h2>
        {data.pastDates.length === 0 ? (
          <p class="empty">No list has been stored yet.</p>
        ) : (
          <ul class="dates">
            {data.pastDates.map((d) => (
              <li>
                <a href={sitePath(siteId, `/prospects?date=${d}`)} aria-current={d === data.date ? "page" : undefined}>
                  {d}
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
    </Layout>
  );
}
