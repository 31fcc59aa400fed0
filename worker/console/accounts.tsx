import { Layout } from "./layout";
import { num, TableWrap, Time } from "./components";
import { sitePath, type Frame } from "./frame";

/** One account row as the page shows it. */
export interface AccountRow {
  account: string;
  score: number;
  dimensions: Record<string, number>;
  leads: number;
  prospects: number;
  topLeads: { visitorId: string; email: string | null; score: number }[];
}

/** What the accounts page shows: a page of the stored roll-up and when it was made (null: not yet). */
export interface AccountsData {
  frame: Frame;
  accounts: AccountRow[];
  total: number;
  dimensions: string[];
  asOf: number | null;
  listHour: number;
  timezone: string;
}

/** Leads rolled up per company as the daily run stored them, best first. */
export function AccountsPage({ frame, accounts, total, dimensions, asOf, listHour, timezone }: AccountsData) {
  const siteId = frame.site?.id ?? "";
  return (
    <Layout frame={frame}>
      <h1>Accounts</h1>
      <p class="lede">
        A lead's account is its <code>company</code> trait, or its email's domain unless that is a free-mail provider. Accounts are rolled
        up by the daily run at {String(listHour).padStart(2, "0")}:00 {timezone}
        {asOf === null ? (
          "; none has run yet."
        ) : (
          <>
            , as of <Time at={asOf} />: {num(total)} accounts{total > accounts.length ? `, the best ${accounts.length} shown` : ""}.
          </>
        )}
      </p>
      {asOf === null ? (
        <p class="empty">No roll-up yet: the first one is stored at the site's next daily run.</p>
      ) : accounts.length === 0 ? (
        <p class="empty">No lead had a company or a work email at the last roll-up.</p>
      ) : (
        <TableWrap label="Accounts">
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col" class="num">Score</th>
                {dimensions.map((d) => (
                  <th scope="col" class="num">
                    {d}
                  </th>
                ))}
                <th scope="col" class="num">Leads</th>
                <th scope="col" class="num">Prospects</th>
                <th scope="col">Best leads</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) => (
                <tr>
                  <th scope="row">{a.account}</th>
                  <td class="num">{num(a.score)}</td>
                  {dimensions.map((d) => (
                    <td class="num">{num(a.dimensions[d] ?? 0)}</td>
                  ))}
                  <td class="num">{a.leads}</td>
                  <td class="num">{a.prospects}</td>
                  <td>
                    <ul class="inline">
                      {a.topLeads.map((l) => (
                        <li>
                          <a href={sitePath(siteId, `/leads/${encodeURIComponent(l.visitorId)}`)}>{l.email ?? l.visitorId}</a> ({num(l.score)})
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </Layout>
  );
}
