import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlibConstants } from 'node:zlib';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { type GraphiQLOptions, type Plugin, shouldRenderGraphiQL } from 'graphql-yoga';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

interface RenderedPage {
  readonly etag: string;
  readonly identity: Uint8Array<ArrayBuffer>;
  readonly gzip: Uint8Array<ArrayBuffer>;
  readonly br: Uint8Array<ArrayBuffer>;
}

/** The example operations GraphiQL opens on, one tab each. */
export const EXAMPLE_TABS: NonNullable<GraphiQLOptions['defaultTabs']> = [
  {
    query: `# Create or update one contact: press the play button.
mutation AssertContact {
  assertContact(
    listId: 5
    contact: {
      workEmail: "jane@acme.com"
      firstName: "Jane"
      lastName: "Doe"
      jobTitle: "VP of Sales"
    }
  ) {
    action
    count
  }
}`,
  },
  {
    query: `# Many contacts at once: folded by match key, sent in batches of 100.
mutation AssertContacts($listId: Int!, $contacts: [ContactInput!]!) {
  assertContacts(listId: $listId, contacts: $contacts) {
    total created updated failed deduplicated chunks
    errors { index code message detail }
  }
}`,
    variables: JSON.stringify(
      {
        listId: 5,
        contacts: [
          { workEmail: 'jane@acme.com', firstName: 'Jane' },
          { workEmail: 'bob@acme.com', firstName: 'Bob' },
          { linkedinUrl: 'https://www.linkedin.com/in/carol-example', firstName: 'Carol' },
        ],
      },
      null,
      2,
    ),
  },
  {
    query: `mutation AssertCompany {
  assertCompany(listId: 5, company: {domain: "acme.com", name: "Acme Inc", industry: "Technology"}) {
    action
    count
  }
}`,
  },
  {
    query: `mutation AssertCompanies($listId: Int!, $companies: [CompanyInput!]!) {
  assertCompanies(listId: $listId, companies: $companies) {
    total created updated failed deduplicated chunks
    errors { index code message detail }
  }
}`,
    variables: JSON.stringify(
      {
        listId: 5,
        companies: [
          { domain: 'acme.com', name: 'Acme Inc' },
          { domain: 'globex.com', name: 'Globex' },
        ],
      },
      null,
      2,
    ),
  },
  {
    query: `# Keep the dealId: linkContactToDeal takes it.
mutation AssertDeal {
  assertDeal(deal: {name: "Enterprise Deal", amount: 50000, currency: "USD", companyId: "comp-123"}) {
    action
    dealId
  }
}`,
  },
  {
    query: `# Put the dealId from AssertDeal in the variables first.
mutation LinkContactToDeal($contactId: ID!, $dealId: ID!) {
  linkContactToDeal(contactId: $contactId, dealId: $dealId) {
    action
    contactId
    dealId
  }
}`,
    variables: JSON.stringify({ contactId: '12345', dealId: 'deal-from-assertDeal' }, null, 2),
  },
];

async function renderPage(options: GraphiQLOptions): Promise<RenderedPage> {
  const identity = Buffer.from(renderGraphiQL(options));
  const [gzipped, brotlied] = await Promise.all([
    gzipAsync(identity, { level: 9 }),
    brotli(identity, {
      params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: identity.length },
    }),
  ]);
  const etag = `"${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`;
  // Copied once into plain ArrayBuffers, the body type fetch's Response takes.
  return { etag, identity: new Uint8Array(identity), gzip: new Uint8Array(gzipped), br: new Uint8Array(brotlied) };
}

function preferredEncoding(acceptEncoding: string | null): 'br' | 'gzip' | undefined {
  const offered = (acceptEncoding ?? '')
    .toLowerCase()
    .split(',')
    .map((part) => part.trim().split(';'))
    .filter(([, quality]) => quality?.trim() !== 'q=0')
    .map(([name]) => name?.trim());
  if (offered.includes('br')) return 'br';
  if (offered.includes('gzip')) return 'gzip';
  return undefined;
}

/**
 * Serves GraphiQL from the package (no CDN) on GET /graphql for browsers:
 * rendered and compressed once, with an ETag so that a reload costs a 304.
 */
export function useGraphiQLPage(graphqlEndpoint: string, options: GraphiQLOptions): Plugin {
  // Rendered on the first browser visit: API-only deployments never hold the 9 MB page.
  let page: Promise<RenderedPage> | undefined;
  const rendered = () => {
    page ??= renderPage(options);
    return page;
  };
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      // The method and Accept first: a POST never pays for parsing the URL.
      if (!shouldRenderGraphiQL(request) || url.pathname.replace(/\/$/, '') !== graphqlEndpoint) return;
      return rendered().then((current) => {
        const headers: Record<string, string> = {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'public, max-age=3600, must-revalidate',
          etag: current.etag,
          vary: 'Accept, Accept-Encoding',
        };
        if (request.headers.get('if-none-match') === current.etag) {
          endResponse(new fetchAPI.Response(null, { status: 304, headers }));
          return;
        }
        const encoding = preferredEncoding(request.headers.get('accept-encoding'));
        if (encoding) headers['content-encoding'] = encoding;
        const body = encoding ? current[encoding] : current.identity;
        endResponse(new fetchAPI.Response(body, { status: 200, headers }));
      });
    },
  };
}
