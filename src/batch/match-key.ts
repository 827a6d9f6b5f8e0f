/** Match keys as the upstream compares them: case-insensitive e-mails and domains, loose LinkedIn URLs. */

/** Applies a normalising step until it changes nothing, so that normalising twice is normalising once. */
function untilStable(value: string, step: (value: string) => string): string {
  let current = value;
  for (let next = step(current); next !== current; next = step(current)) current = next;
  return current;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function normaliseDomain(domain: string): string {
  return untilStable(domain, (value) => value.trim().toLowerCase().replace(/\.+$/, ''));
}

/** `https://www.LinkedIn.com/in/Jane/?x=1#y` and `linkedin.com/in/jane` are the same profile. */
export function normaliseLinkedinUrl(url: string): string {
  return untilStable(url, (value) =>
    value
      .trim()
      .toLowerCase()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
      .replace(/^www\./, '')
      .replace(/[?#].*$/, '')
      .replace(/\/+$/, ''),
  );
}

export interface ContactKeys {
  readonly work_email?: unknown;
  readonly linkedin_url?: unknown;
}

export interface CompanyKeys {
  readonly domain?: unknown;
  readonly linkedin_url?: unknown;
}

/**
 * Every key a record can be found by, primary first, each prefixed by its kind
 * so that an e-mail can never equal a URL. Empty when the item has no match key.
 */
export function contactMatchKeys(contact: ContactKeys): string[] {
  const keys: string[] = [];
  if (typeof contact.work_email === 'string' && contact.work_email.trim() !== '') {
    keys.push(`email:${normaliseEmail(contact.work_email)}`);
  }
  if (typeof contact.linkedin_url === 'string' && contact.linkedin_url.trim() !== '') {
    keys.push(`linkedin:${normaliseLinkedinUrl(contact.linkedin_url)}`);
  }
  return keys;
}

export function companyMatchKeys(company: CompanyKeys): string[] {
  const keys: string[] = [];
  if (typeof company.domain === 'string' && company.domain.trim() !== '') {
    keys.push(`domain:${normaliseDomain(company.domain)}`);
  }
  if (typeof company.linkedin_url === 'string' && company.linkedin_url.trim() !== '') {
    keys.push(`linkedin:${normaliseLinkedinUrl(company.linkedin_url)}`);
  }
  return keys;
}

export interface DealKeys {
  readonly name?: unknown;
  readonly company_id?: unknown;
}

/** A deal is matched by its name (trimmed, any case) together with its company. */
export function dealMatchKeys(deal: DealKeys): string[] {
  const name = typeof deal.name === 'string' ? deal.name.trim().toLowerCase() : '';
  const companyId = typeof deal.company_id === 'string' ? deal.company_id : '';
  return [`deal:${companyId}\u0000${name}`];
}
