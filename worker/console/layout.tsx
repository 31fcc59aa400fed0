import type { Child } from "hono/jsx";
import { SECTIONS, sitePath, type Frame } from "./frame";

/** The page around every signed-in console view: header, site switcher, navigation, sign-out. */
export function Layout({ frame, children }: { frame: Frame; children?: Child }) {
  const { site } = frame;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{site ? `${frame.title} · ${site.name} · leadscore` : `${frame.title} · leadscore`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/app/static/console.css" />
        <script src="/app/static/console.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/app">leadscore</a>
          {frame.sites.length > 0 && (
            <form class="site-pick" method="get" action="/app/go">
              <label for="site-pick">Site</label>
              <select id="site-pick" name="site" data-autosubmit>
                {frame.sites.map((s) => (
                  <option value={s.id} selected={s.id === site?.id}>
                    {s.name}
                  </option>
                ))}
              </select>
              <button type="submit" class="js-hide">Go</button>
            </form>
          )}
          <span class={`role role-${frame.admin ? "admin" : "read"}`}>{frame.admin ? "admin" : "read only"}</span>
          <form method="post" action="/app/sign-out" class="sign-out">
            <input type="hidden" name="_csrf" value={frame.csrf} />
            <button type="submit" class="link">Sign out</button>
          </form>
        </header>
        {site && (
          <nav class="sections" aria-label="Site sections">
            <ul>
              {SECTIONS.map((s) => (
                <li>
                  <a href={sitePath(site.id, s.path)} aria-current={frame.section === s.id ? "page" : undefined}>
                    {s.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {frame.demo && (
          <p class="demo-banner" role="note">
            Demo data: the visitors of this site are synthetic (emails @example.com), made up by <code>npm start</code>.
          </p>
        )}
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

/** The bare page of the sign-in form and of errors met before sign-in. */
export function BarePage({ title, children }: { title: string; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · leadscore`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/app/static/console.css" />
      </head>
      <body class="bare">
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
