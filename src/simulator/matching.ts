/**
 * How the simulated upstream decides that a request names a record it already
 * holds, written from upstream-api.md alone. It deliberately shares no code with
 * the gateway's own normalising (src/batch/match-key.ts): the simulator stands in
 * for graph8, so a test against it can only catch a bug in the gateway's folding
 * if the two sides were written apart.
 *
 * - e-mail addresses and domains: compared trimmed and case-insensitively;
 * - LinkedIn URLs: the same profile whatever the scheme (or none), a `www.`
 *   prefix, letter case, query string, fragment or trailing slash.
 */

/** One field a record can be matched by, and how its values are compared. */
export interface MatchField {
  readonly name: string;
  /** The comparable form of a value, or undefined when the value cannot match anything. */
  readonly comparable: (value: unknown) => string | undefined;
}

function nonBlank(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

/** `  Jane@ACME.com ` and `jane@acme.com` are one address. */
export function comparableEmail(value: unknown): string | undefined {
  return nonBlank(value)?.toLocaleLowerCase('en-US');
}

/** `ACME.com` and ` acme.com` are one domain. */
export function comparableDomain(value: unknown): string | undefined {
  return nonBlank(value)?.toLocaleLowerCase('en-US');
}

/** Parses a LinkedIn URL, taking one written without a scheme (`linkedin.com/in/jane`) as https. */
function parseProfileUrl(text: string): URL | undefined {
  for (const candidate of [text, `https://${text}`]) {
    try {
      const url = new URL(candidate);
      if (url.hostname !== '') return url;
    } catch {
      // not a URL in this form; try the next
    }
  }
  return undefined;
}

/**
 * `https://www.LinkedIn.com/in/Jane/?utm=x#top`, `http://linkedin.com/in/jane` and
 * `linkedin.com/in/jane` are one profile: host without `www.`, then the path
 * without trailing slashes, all in lower case. Scheme, port, credentials, query
 * and fragment play no part.
 */
export function comparableLinkedinUrl(value: unknown): string | undefined {
  const text = nonBlank(value);
  if (text === undefined) return undefined;
  const url = parseProfileUrl(text);
  // Something no URL parser accepts still matches itself, in any letter case.
  if (url === undefined) return `unparsed:${text.toLocaleLowerCase('en-US')}`;
  const host = url.hostname.toLocaleLowerCase('en-US');
  const bareHost = host.startsWith('www.') ? host.slice('www.'.length) : host;
  let path = url.pathname;
  while (path.endsWith('/')) path = path.slice(0, -1);
  return `${bareHost}${path}`.toLocaleLowerCase('en-US');
}

/** Contacts: by `work_email`, else by `linkedin_url`. */
export const CONTACT_MATCH_FIELDS: readonly MatchField[] = Object.freeze([
  { name: 'work_email', comparable: comparableEmail },
  { name: 'linkedin_url', comparable: comparableLinkedinUrl },
]);

/** Companies: by `domain`, else by `linkedin_url`. */
export const COMPANY_MATCH_FIELDS: readonly MatchField[] = Object.freeze([
  { name: 'domain', comparable: comparableDomain },
  { name: 'linkedin_url', comparable: comparableLinkedinUrl },
]);

/** Deals: by `name` and `company_id` together, both exactly as sent (no `company_id` is its own value). */
export function dealMatchKey(fields: Readonly<Record<string, unknown>>): string {
  return JSON.stringify([String(fields.name), String(fields.company_id ?? '')]);
}
