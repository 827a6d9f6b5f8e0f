import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  companyMatchKeys,
  contactMatchKeys,
  normaliseDomain,
  normaliseEmail,
  normaliseLinkedinUrl,
} from '../../src/batch/match-key.js';

describe('match keys', () => {
  it('normalises LinkedIn URLs: scheme, www., query, fragment, trailing slash, case', () => {
    const forms = [
      'https://www.linkedin.com/in/Jane-Doe/',
      'http://linkedin.com/in/jane-doe',
      'HTTPS://WWW.LINKEDIN.COM/in/jane-doe?trk=abc#top',
      ' linkedin.com/in/jane-doe// ',
    ];
    expect(new Set(forms.map(normaliseLinkedinUrl))).toEqual(new Set(['linkedin.com/in/jane-doe']));
  });
  it('keys a contact by e-mail first, then LinkedIn, trimmed and lower-cased', () => {
    expect(contactMatchKeys({ work_email: ' Jane@Acme.COM ', linkedin_url: 'https://www.linkedin.com/in/j' })).toEqual([
      'email:jane@acme.com',
      'linkedin:linkedin.com/in/j',
    ]);
    expect(contactMatchKeys({ linkedin_url: 'https://linkedin.com/in/j' })).toEqual(['linkedin:linkedin.com/in/j']);
    expect(contactMatchKeys({ work_email: ' ' })).toEqual([]);
    expect(companyMatchKeys({ domain: 'Acme.com' })).toEqual(['domain:acme.com']);
  });
});

describe('key normalising', () => {
  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[ \t/.#?a-zA-Z:]{0,12}$/)), (text) => {
        expect(normaliseEmail(normaliseEmail(text))).toBe(normaliseEmail(text));
        expect(normaliseDomain(normaliseDomain(text))).toBe(normaliseDomain(text));
        expect(normaliseLinkedinUrl(normaliseLinkedinUrl(text))).toBe(normaliseLinkedinUrl(text));
      }),
      { numRuns: 5_000 },
    );
  });
});
