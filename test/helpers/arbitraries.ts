import fc from 'fast-check';

/** fast-check generators of contacts' upstream fields, with match keys written in varied forms. */

export const emails = fc.constantFrom('a@x.com', 'A@X.com', ' a@x.com ', 'b@x.com', 'c@y.org', 'C@Y.ORG');
export const linkedins = fc.constantFrom(
  'https://www.linkedin.com/in/ann',
  'http://linkedin.com/in/ANN/',
  'https://linkedin.com/in/bob?x=1',
  'https://www.linkedin.com/in/cy#top',
);
export const contactFields = fc
  .record(
    { work_email: emails, linkedin_url: linkedins, first_name: fc.string({ maxLength: 3 }) },
    { requiredKeys: [] },
  )
  .filter((fields) => fields.work_email !== undefined || fields.linkedin_url !== undefined);
