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

const json = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * The example operations GraphiQL opens on, one tab each, in the order a
 * reader tries them. Each runs at the first press of the play button against
 * the embedded simulator of a fresh `npm start`, and opens with a one-line
 * comment saying what it does. One operation per tab: with two, GraphiQL's
 * play button opens a menu instead of running.
 */
export const EXAMPLE_TABS: NonNullable<GraphiQLOptions['defaultTabs']> = [
  {
    query: `# Create or update one contact: CREATED, then UPDATED.
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
    query: `# Many contacts at once: folded, sent in batches of 100.
# Every row is counted; failed rows come back by index.
mutation AssertContacts($listId: Int!, $contacts: [ContactInput!]!) {
  assertContacts(listId: $listId, contacts: $contacts) {
    total created updated failed deduplicated chunks
    errors { index code message detail }
  }
}`,
    variables: json({
      listId: 5,
      contacts: [
        { workEmail: 'jane@acme.com', firstName: 'Jane' },
        { workEmail: 'bob@acme.com', firstName: 'Bob' },
        { linkedinUrl: 'https://www.linkedin.com/in/carol-example', firstName: 'Carol' },
      ],
    }),
  },
  {
    query: `# Check rows without writing: the last two have issues.
# checkCompanies checks companies the same way.
query CheckContacts($listId: Int!, $contacts: [ContactInput!]!) {
  checkContacts(listId: $listId, contacts: $contacts) {
    valid total deduplicated chunks
    issues { path message }
  }
}`,
    variables: json({
      listId: 5,
      contacts: [
        { workEmail: 'jane@acme.com', firstName: 'Jane' },
        { workEmail: 'JANE@acme.com', jobTitle: 'CEO' },
        { firstName: 'No match key' },
        { workEmail: 'not-an-email', linkedinUrl: 'https://example.com/in/someone' },
      ],
    }),
  },
  {
    query: `# Create or update one company, matched by its domain.
mutation AssertCompany {
  assertCompany(
    listId: 5
    company: { domain: "acme.com", name: "Acme Inc", industry: "Technology" }
  ) {
    action
    count
  }
}`,
  },
  {
    query: `# Many companies at once: folded by domain, batched.
mutation AssertCompanies($listId: Int!, $companies: [CompanyInput!]!) {
  assertCompanies(listId: $listId, companies: $companies) {
    total created updated failed deduplicated chunks
    errors { index code message detail }
  }
}`,
    variables: json({
      listId: 5,
      companies: [
        { domain: 'acme.com', name: 'Acme Inc' },
        { domain: 'globex.com', name: 'Globex', employeeCount: 250 },
        { domain: 'GLOBEX.com', industry: 'Manufacturing' },
      ],
    }),
  },
  {
    query: `# Create or update a deal and link contacts to it.
# To link more contacts later, pass the dealId it
# answers to linkContactsToDeal(dealId, contactIds).
mutation AssertDeal {
  assertDeal(
    deal: {
      name: "Enterprise Deal"
      companyId: "comp-123"
      amount: 50000
      currency: "USD"
      closeDate: "2026-12-31"
    }
    contactIds: ["12345", "67890"]
  ) {
    action
    dealId
    links { action contactId dealId }
  }
}`,
  },
  {
    query: `# Many deals at once: one call per distinct deal.
# Same name (any case) and companyId: the same deal.
mutation AssertDeals($deals: [DealInput!]!) {
  assertDeals(deals: $deals) {
    total created updated failed deduplicated
    results { action dealId }
    errors { index code message }
  }
}`,
    variables: json({
      deals: [
        { name: 'Renewal 2027', companyId: 'comp-123', amount: 12000, currency: 'EUR' },
        { name: 'Pilot', companyId: 'comp-456', closeDate: '2026-09-30' },
        { name: 'renewal 2027', companyId: 'comp-123', stageId: 'stage-2' },
      ],
    }),
  },
  {
    query: `# Start a background import: it answers at once.
# Copy its id for WatchImport.
mutation ImportContacts($listId: Int!, $contacts: [ContactInput!]!) {
  importContacts(listId: $listId, contacts: $contacts) {
    id state total deduplicated chunks processed createdAt
  }
}`,
    variables: json({
      listId: 5,
      contacts: [
        { workEmail: 'dana@initech.com', firstName: 'Dana' },
        { workEmail: 'eve@initech.com', firstName: 'Eve' },
        { linkedinUrl: 'https://www.linkedin.com/in/frank-example', firstName: 'Frank' },
        { workEmail: 'DANA@initech.com', jobTitle: 'CTO' },
      ],
    }),
  },
  {
    query: `# Watch an import live (over SSE) to its final state.
# First put the id ImportContacts (or Imports) answered
# into importId under Variables: GraphiQL runs one
# operation per press, so it cannot start and watch.
subscription WatchImport($importId: ID!) {
  importProgress(importId: $importId) {
    state processed total created updated failed skipped
    estimatedSecondsLeft finishedAt
  }
}`,
    variables: json({ importId: 'put-the-id-ImportContacts-answered-here' }),
  },
  {
    query: `# Your latest imports, newest first, with their ids.
# For more rows than one request carries: createImport,
# appendContacts or appendFile (CSV, JSON Lines), then
# startImport; cancelImport stops one, import(id) reads it.
query Imports {
  imports(first: 5) {
    edges {
      node { id kind state processed total failed createdAt }
    }
  }
}`,
  },
];

/**
 * Runs in the page before GraphiQL and hands it a storage of its own.
 *
 * GraphiQL keeps its tabs in localStorage under fixed `graphiql:` keys, shared
 * by every GraphiQL on the origin, and once it has stored tabs it ignores
 * `defaultTabs`: a visitor who came before would keep old examples, or
 * another GraphiQL's tabs. So its keys go under `graph8-gateway:<namespace>:`,
 * the namespace a digest of the examples, and the state of older examples
 * is removed.
 *
 * On a load GraphiQL reopens its stored tabs only when the query, variables
 * and headers it starts with (the URL's `?query=`, which Yoga's GraphiQL
 * writes at each edit, else the stored `graphiql:query`, `variables`,
 * `headers`) equal one tab's; otherwise it adds a tab with them: an empty
 * `<untitled>` tab after a reload with nothing edited yet, since nothing has
 * stored a query. This points them at the tab to reopen (the active one, or the
 * one holding the URL's query). A query in the URL that no tab holds and that
 * is not this page's own last edit is a link from elsewhere: it still opens in
 * a new tab, without the active tab's variables.
 *
 * Plain ES2017 in a string: it is written into the page as it is. Called as
 * `(script)(namespace, YogaGraphiQL.renderYogaGraphiQL, window)`, it answers
 * the render function to call instead.
 */
export const STORAGE_SCRIPT = `function (namespace, render, window) {
  'use strict';
  var PREFIX = 'graph8-gateway:';
  var own = PREFIX + namespace + ':';
  var withStorage = function (storage) {
    return function (root, options) {
      return render(root, Object.assign({}, options, { storage: storage }));
    };
  };
  var local;
  try {
    local = window.localStorage;
    local.getItem(own);
  } catch (error) {
    return withStorage(null); // storage blocked: nothing is kept, every load opens the examples
  }
  var keysFrom = function (start) {
    var found = [];
    for (var index = 0; index < local.length; index++) {
      var key = local.key(index);
      if (key !== null && key.indexOf(start) === 0) found.push(key);
    }
    return found;
  };
  keysFrom(PREFIX).forEach(function (key) {
    if (key.indexOf(own) !== 0) local.removeItem(key);
  });
  var storage = {
    getItem: function (key) { return local.getItem(own + key); },
    setItem: function (key, value) { local.setItem(own + key, value); },
    removeItem: function (key) { local.removeItem(own + key); },
    key: function (index) {
      var key = keysFrom(own)[index];
      return key === undefined ? null : key.slice(own.length);
    },
    clear: function () { keysFrom(own).forEach(function (key) { local.removeItem(key); }); },
    get length() { return keysFrom(own).length; },
  };
  try {
    var state = JSON.parse(storage.getItem('graphiql:tabState') || 'null');
    if (state && Array.isArray(state.tabs) && state.tabs.length > 0) {
      var tabs = state.tabs;
      var target = tabs[state.activeTabIndex] || tabs[0];
      var linked = new URLSearchParams(window.location.search).get('query');
      if (linked && target.query !== linked) {
        var same = tabs.filter(function (tab) { return tab.query === linked; })[0];
        if (same) target = same;
        else if (linked === storage.getItem('graphiql:query')) target.query = linked; // an edit not yet in its tab
        else target = null;
      }
      if (target) {
        state.activeTabIndex = tabs.indexOf(target);
        storage.setItem('graphiql:tabState', JSON.stringify(state));
        ['query', 'variables', 'headers'].forEach(function (name) {
          if (target[name]) storage.setItem('graphiql:' + name, target[name]);
          else storage.removeItem('graphiql:' + name);
        });
      } else {
        storage.removeItem('graphiql:variables');
      }
    }
  } catch (error) {
    // A stored state GraphiQL cannot read either: it opens the examples instead.
  }
  return withStorage(storage);
}`;

/** Where Yoga's page hands its options to GraphiQL: STORAGE_SCRIPT goes in front of it. */
const RENDER_CALL = 'YogaGraphiQL.renderYogaGraphiQL(';

/**
 * GraphiQL 5 draws its tabs as framer-motion `Reorder.Item`s, and on load
 * leaves each tab but the last with a stuck layout transform (a translateX
 * toward the last tab). Its own stylesheet hides it with
 * `.graphiql-tab:not(:focus-within) { transform: none !important }`, but a
 * press focuses the tab: it jumps away from the pointer, the click lands on the
 * tab list, and the tab is not selected (any tab but the last; seen in
 * Chromium 156, headless and headed). Never applying the transform keeps every
 * tab where it is drawn; dragging still reorders tabs, without the dragged tab
 * following the pointer.
 */
const TAB_STYLE = '<style>.graphiql-tab { transform: none !important; }</style>';

/** The examples' digest: new examples get a fresh storage, and so their tabs. */
export function storageNamespace(options: GraphiQLOptions): string {
  return createHash('sha256')
    .update(JSON.stringify(options.defaultTabs ?? []))
    .digest('base64url')
    .slice(0, 12);
}

/** Yoga's GraphiQL page, with TAB_STYLE, and STORAGE_SCRIPT giving GraphiQL its storage. */
export function graphiqlHtml(options: GraphiQLOptions): string {
  const html = renderGraphiQL(options);
  const headEnd = html.indexOf('</head>');
  const call = html.indexOf(RENDER_CALL);
  if (headEnd < 0 || headEnd > html.indexOf('<body') || call < 0 || html.indexOf(RENDER_CALL, call + 1) >= 0) {
    throw new Error(
      `@graphql-yoga/render-graphiql changed: its page should have a head, then call ${RENDER_CALL} once (src/plugins/use-graphiql.ts)`,
    );
  }
  const boot = `(${STORAGE_SCRIPT})(${JSON.stringify(storageNamespace(options))}, YogaGraphiQL.renderYogaGraphiQL, window)(`;
  return html.slice(0, headEnd) + TAB_STYLE + html.slice(headEnd, call) + boot + html.slice(call + RENDER_CALL.length);
}

async function renderPage(options: GraphiQLOptions): Promise<RenderedPage> {
  const identity = Buffer.from(graphiqlHtml(options));
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
