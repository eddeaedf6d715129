/**
 * Links into Datadog's web UI. The UI host is not always `app.<site>`: US3, US5, AP1 and AP2 use
 * `<site>` itself (Datadog, "Getting Started with Datadog Sites",
 * https://docs.datadoghq.com/getting_started/site/, table "Access the Datadog site").
 */

/** Sites whose UI host is the site name itself (`https://us3.datadoghq.com`), not `app.<site>`. */
const SITE_IS_UI_HOST = /^(us3|us5|ap1|ap2|uk1)\.datadoghq\.com$/;

/**
 * The UI base URL of a Datadog site (`datadoghq.eu` → `https://app.datadoghq.eu`,
 * `us5.datadoghq.com` → `https://us5.datadoghq.com`), without a trailing slash.
 */
export function datadogAppUrl(site: string): string {
  const host = site.trim().toLowerCase();
  return SITE_IS_UI_HOST.test(host) ? `https://${host}` : `https://app.${host}`;
}
