/** The console's sections, as the navigation names them. */
export const SECTIONS = [
  { id: "overview", label: "Overview", path: "" },
  { id: "leads", label: "Leads", path: "/leads" },
  { id: "prospects", label: "Prospects", path: "/prospects" },
  { id: "accounts", label: "Accounts", path: "/accounts" },
  { id: "rules", label: "Rules", path: "/rules" },
  { id: "settings", label: "Settings", path: "/settings" },
] as const;

export type SectionId = (typeof SECTIONS)[number]["id"];

/** What every console page's frame shows: who is signed in, which site, and the form token. */
export interface Frame {
  title: string;
  /** An admin token may change things; a read token sees the same pages without the buttons. */
  admin: boolean;
  csrf: string;
  sites: { id: string; name: string }[];
  site?: { id: string; name: string };
  section?: SectionId;
  /** The site's data was made up by `npm start`: the page says so. */
  demo: boolean;
}

/** The console path of a site's section. */
export function sitePath(siteId: string, rest = ""): string {
  return `/app/sites/${encodeURIComponent(siteId)}${rest}`;
}
