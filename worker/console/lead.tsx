import { Layout } from "./layout";
import { Chart, Notice, num, Time, type ChartSpec, TableWrap } from "./components";
import { sitePath, type Frame } from "./frame";

/** One event of the profile's list: when, what, and the points each rule gave or took at it. */
export interface LeadEventLine {
  id: string;
  at: number;
  type: string;
  path: string | null;
  detail: string | null;
  delta: number;
  total: number;
  points: { label: string; points: number }[];
}

/** Everything the lead profile shows. */
export interface LeadProfile {
  id: string;
  email: string | null;
  score: number;
  dimensions: Record<string, number>;
  class: string | null;
  grade: string | null;
  prospect: boolean;
  prospectSince: string | null;
  prospectAt: number;
  visits: number;
  firstSeen: string;
  lastSeen: string;
  visitorIds: string[];
  account: string | null;
  traits: Record<string, string | number | boolean>;
  source: Record<string, string> | null;
  breakdown: { rule: string; label: string; dimension: string; points: number; earned: number; fired: number }[];
  chart: ChartSpec;
  /** Newest first. */
  events: LeadEventLine[];
  /** All stored events of the lead, and how many the list shows. */
  eventCount: number;
  /** The query string that shows more events, or null when all are shown. */
  more: string | null;
}

function signed(n: number): string {
  return `${n > 0 ? "+" : ""}${num(n)}`;
}

/** A lead: its score over time, every event with its points, the breakdown, identity, visits, erase. */
export function LeadPage({ frame, lead }: { frame: Frame; lead: LeadProfile }) {
  const siteId = frame.site?.id ?? "";
  const name = lead.email ?? lead.id;
  return (
    <Layout frame={frame}>
      <p class="crumbs">
        <a href={sitePath(siteId, "/leads")}>Leads</a> /
      </p>
      <h1 class="lead-name">{name}</h1>
      <div class="stats">
        <div class="stat">
          <span class="stat-value">{num(lead.score)}</span>
          <span class="stat-label">score (prospect at {num(lead.prospectAt)})</span>
        </div>
        {Object.entries(lead.dimensions).map(([d, v]) => (
          <div class="stat">
            <span class="stat-value">{num(v)}</span>
            <span class="stat-label">{d}</span>
          </div>
        ))}
        <div class="stat">
          <span class="stat-value">{lead.class ?? "–"}</span>
          <span class="stat-label">class</span>
        </div>
        <div class="stat">
          <span class="stat-value">{lead.grade ?? "–"}</span>
          <span class="stat-label">grade</span>
        </div>
        <div class="stat">
          <span class="stat-value">{lead.visits}</span>
          <span class="stat-label">visits</span>
        </div>
      </div>
      {lead.prospect ? (
        <Notice kind="ok">
          A prospect since <Time at={lead.prospectSince} />.
        </Notice>
      ) : (
        <p class="lede">Not a prospect: {num(lead.prospectAt - lead.score)} points to go.</p>
      )}
      <Chart id="score-history" title="Score after each event" spec={lead.chart} unit="event time" />
      <div class="grid two">
        <section aria-labelledby="why-title">
          <h2 id="why-title">Why this score</h2>
          {lead.breakdown.length === 0 ? (
            <p class="empty">No rule has given points yet.</p>
          ) : (
            <TableWrap label="Why this score">
              <table class="data">
                <thead>
                  <tr>
                    <th scope="col">Rule</th>
                    <th scope="col">Dimension</th>
                    <th scope="col" class="num">Now</th>
                    <th scope="col" class="num">Earned</th>
                    <th scope="col" class="num">Fired</th>
                  </tr>
                </thead>
                <tbody>
                  {lead.breakdown.map((b) => (
                    <tr>
                      <th scope="row">{b.label}</th>
                      <td>{b.dimension}</td>
                      <td class="num">{signed(b.points)}</td>
                      <td class="num">{signed(b.earned)}</td>
                      <td class="num">{b.fired}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </section>
        <section aria-labelledby="who-title">
          <h2 id="who-title">Who</h2>
          <dl class="facts">
            <dt>Email</dt>
            <dd>{lead.email ?? "not identified"}</dd>
            <dt>Account</dt>
            <dd>{lead.account ? <a href={sitePath(siteId, "/accounts")}>{lead.account}</a> : "–"}</dd>
            {Object.entries(lead.traits).map(([k, v]) => (
              <>
                <dt>{k}</dt>
                <dd>{String(v)}</dd>
              </>
            ))}
            <dt>First seen</dt>
            <dd>
              <Time at={lead.firstSeen} />
            </dd>
            <dt>Last seen</dt>
            <dd>
              <Time at={lead.lastSeen} />
            </dd>
            <dt>Visits</dt>
            <dd>{lead.visits}</dd>
            {lead.source &&
              Object.entries(lead.source).map(([k, v]) => (
                <>
                  <dt>{k}</dt>
                  <dd class="wrap">{v}</dd>
                </>
              ))}
            <dt>Visitor ids</dt>
            <dd>
              <ul class="plain">
                {lead.visitorIds.map((v) => (
                  <li>
                    <code>{v}</code>
                  </li>
                ))}
              </ul>
            </dd>
          </dl>
        </section>
      </div>
      <section aria-labelledby="events-title">
        <h2 id="events-title">Events and their points</h2>
        <p class="lede">
          {lead.events.length < lead.eventCount ? `The latest ${lead.events.length} of ${lead.eventCount} events.` : `All ${lead.eventCount} events.`}
        </p>
        <TableWrap label="Events and their points">
          <table class="data events wide">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Points</th>
                <th scope="col" class="num">Change</th>
                <th scope="col" class="num">Score</th>
              </tr>
            </thead>
            <tbody>
              {lead.events.map((e) => (
                <tr>
                  <td>
                    <Time at={e.at} />
                  </td>
                  <th scope="row" class="wide-cell">
                    {e.type}
                    {e.path && <span class="path"> {e.path}</span>}
                    {e.detail && <span class="detail"> {e.detail}</span>}
                  </th>
                  <td class="wide-cell">{e.points.length === 0 ? "–" : e.points.map((p) => `${p.label} ${signed(p.points)}`).join("; ")}</td>
                  <td class="num">{signed(e.delta)}</td>
                  <td class="num">{num(e.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {lead.more && (
          <p>
            <a class="button" href={`?${lead.more}`}>
              Show more events
            </a>
          </p>
        )}
      </section>
      {frame.admin && (
        <section aria-labelledby="erase-title" class="danger">
          <h2 id="erase-title">Erase</h2>
          <p>Deletes every event and row of this person (all {lead.visitorIds.length} visitor ids) and their lines in stored lists; the ids are never tracked again.</p>
          <a class="button danger" href={sitePath(siteId, `/leads/${encodeURIComponent(lead.id)}/erase`)}>
            Erase this lead…
          </a>
        </section>
      )}
    </Layout>
  );
}
