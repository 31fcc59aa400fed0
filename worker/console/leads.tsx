import { Layout } from "./layout";
import { Notice, num, Pager, Time, TableWrap } from "./components";
import { sitePath, type Frame } from "./frame";

/** One leaderboard line. */
export interface LeadLine {
  id: string;
  email: string | null;
  score: number;
  class: string | null;
  grade: string | null;
  prospect: boolean;
  visits: number;
  lastSeen: string;
}

/** The leaderboard's search and filters, as typed. */
export interface LeadFilters {
  q: string;
  order: "score" | "lastSeen";
  class: string;
  grade: string;
  prospect: "" | "yes" | "no";
  trait: string;
  value: string;
}

/** The leaderboard with its search form, filters and the link to the next page. */
export function LeadsPage({
  frame,
  filters,
  classes,
  leads,
  next,
  scanned,
  error,
}: {
  frame: Frame;
  filters: LeadFilters;
  classes: string[];
  leads: LeadLine[];
  /** The query string of the next page, or null on the last. */
  next: string | null;
  /** How many leads this page walked to find its lines (filters skip the others). */
  scanned: number;
  error?: string;
}) {
  const siteId = frame.site?.id ?? "";
  const filtered = filters.class || filters.grade || filters.prospect || filters.trait;
  return (
    <Layout frame={frame}>
      <h1>Leads</h1>
      <form method="get" class="filters" role="search" aria-label="Find and filter leads">
        <div class="field wide">
          <label for="q">Email or visitor id</label>
          <input id="q" name="q" type="search" value={filters.q} placeholder="ana@example.com" autocomplete="off" />
        </div>
        <div class="field">
          <label for="order">Order</label>
          <select id="order" name="order">
            <option value="score" selected={filters.order === "score"}>
              Score
            </option>
            <option value="lastSeen" selected={filters.order === "lastSeen"}>
              Last seen
            </option>
          </select>
        </div>
        <div class="field">
          <label for="class">Class</label>
          <select id="class" name="class">
            <option value="">Any</option>
            {classes.map((cl) => (
              <option value={cl} selected={filters.class === cl}>
                {cl}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="prospect">Prospect</label>
          <select id="prospect" name="prospect">
            <option value="">Any</option>
            <option value="yes" selected={filters.prospect === "yes"}>
              Yes
            </option>
            <option value="no" selected={filters.prospect === "no"}>
              No
            </option>
          </select>
        </div>
        <div class="field">
          <label for="grade">Grade</label>
          <input id="grade" name="grade" value={filters.grade} placeholder="A1" size={4} maxlength={8} />
        </div>
        <div class="field">
          <label for="trait">Trait</label>
          <input id="trait" name="trait" value={filters.trait} placeholder="industry" maxlength={64} />
        </div>
        <div class="field">
          <label for="value">equals</label>
          <input id="value" name="value" value={filters.value} placeholder="Technology" maxlength={200} />
        </div>
        <div class="field actions">
          <button type="submit">Apply</button>
          <a href={sitePath(siteId, "/leads")}>Clear</a>
        </div>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      <p class="lede" role="status">
        {leads.length === 0 ? "No leads match." : `${leads.length} leads`}
        {filtered ? ` (filters walked ${num(scanned)} leads in order)` : ""}.
      </p>
      {leads.length > 0 && (
        <TableWrap label="Leads">
          <table class="data leads">
            <thead>
              <tr>
                <th scope="col">Lead</th>
                <th scope="col" class="num">Score</th>
                <th scope="col">Class</th>
                <th scope="col">Grade</th>
                <th scope="col">Prospect</th>
                <th scope="col" class="num">Visits</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {leads.map((l) => (
                <tr>
                  <th scope="row">
                    <a href={sitePath(siteId, `/leads/${encodeURIComponent(l.id)}`)}>{l.email ?? l.id}</a>
                  </th>
                  <td class="num">{num(l.score)}</td>
                  <td>{l.class ?? "–"}</td>
                  <td>{l.grade ?? "–"}</td>
                  <td>{l.prospect ? <span class="badge">prospect</span> : "no"}</td>
                  <td class="num">{l.visits}</td>
                  <td>
                    <Time at={l.lastSeen} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager next={next ? `${sitePath(siteId, "/leads")}?${next}` : undefined} />
    </Layout>
  );
}
