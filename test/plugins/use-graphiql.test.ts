import { gunzipSync } from 'node:zlib';
import { Kind, parse, validate } from 'graphql';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_TABS, graphiqlHtml, STORAGE_SCRIPT, storageNamespace } from '../../src/plugins/use-graphiql.js';
import { subgraphSchema } from '../../src/schema/index.js';
import type { RunningGateway } from '../../src/start-gateway.js';
import { startTestGateway } from '../helpers/test-gateway.js';

/**
 * GraphiQL for browsers on GET /graphql (src/plugins/use-graphiql.ts), and
 * GRAPHIQL=false; the example tabs run over HTTP as GraphiQL sends them, and
 * the page's storage script runs here against a stand-in localStorage.
 * test/e2e/graphiql-browser.test.ts drives the same page in Chromium.
 */

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gatewayWith(env: Record<string, string>): Promise<RunningGateway> {
  const gateway = await startTestGateway(env);
  cleanups.push(() => gateway.shutdown());
  return gateway;
}

/** What a browser's address bar sends. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const OPTIONS = { title: 'graph8 assert gateway', defaultTabs: EXAMPLE_TABS, defaultEditorToolsVisibility: true };

/** Each example tab's one operation: its kind, name and root field. */
const EXAMPLES = EXAMPLE_TABS.map((tab) => {
  const document = parse(tab.query ?? '');
  const [operation] = document.definitions;
  const field = operation?.kind === Kind.OPERATION_DEFINITION ? operation.selectionSet.selections[0] : undefined;
  if (operation?.kind !== Kind.OPERATION_DEFINITION || field?.kind !== Kind.FIELD) {
    throw new Error(`an example tab without an operation: ${tab.query}`);
  }
  return { tab, document, kind: operation.operation, name: operation.name?.value, field: field.name.value };
});

describe('GraphiQL', () => {
  it('is on by default: served from the package, compressed, with an ETag and the example operations', async () => {
    const gateway = await gatewayWith({});
    const response = await request(gateway.url, { headers: { accept: 'text/html', 'accept-encoding': 'gzip' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['cache-control']).toMatch(/max-age=\d+/);
    const html = gunzipSync(Buffer.from(await response.body.arrayBuffer())).toString('utf8');
    // Every tab's operation and variables, as the page hands them to GraphiQL.
    for (const tab of EXAMPLE_TABS) {
      expect(html).toContain(JSON.stringify(tab.query));
      if (tab.variables) expect(html).toContain(JSON.stringify(tab.variables));
    }
    // The storage script, in the namespace of these examples.
    expect(html).toContain(`(${STORAGE_SCRIPT})(${JSON.stringify(storageNamespace({ defaultTabs: EXAMPLE_TABS }))}, `);
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
    const etag = String(response.headers.etag);
    const again = await fetch(gateway.url, { headers: { accept: 'text/html', 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('GRAPHIQL=false: a browser gets a 4xx GraphQL answer, not the page', async () => {
    const gateway = await gatewayWith({ GRAPHIQL: 'false' });
    const response = await fetch(gateway.url, { headers: { accept: BROWSER_ACCEPT, 'accept-encoding': 'gzip' } });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers.get('content-type')).not.toMatch(/html/);
    const body = await response.text();
    expect(body).not.toMatch(/<html|graphiql/i);
    expect(JSON.parse(body)).toEqual({
      errors: [{ message: 'Must provide query string.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('hands GraphiQL its storage before it starts, and keeps every tab where it is drawn', () => {
    const html = graphiqlHtml(OPTIONS);
    const namespace = storageNamespace(OPTIONS);
    expect(html).toContain(
      `(${STORAGE_SCRIPT})(${JSON.stringify(namespace)}, YogaGraphiQL.renderYogaGraphiQL, window)(`,
    );
    expect(html.split('YogaGraphiQL.renderYogaGraphiQL').length).toBe(2);
    const head = html.slice(0, html.indexOf('<body'));
    expect(head).toContain('.graphiql-tab { transform: none !important; }');
  });
});

describe('the example tabs', () => {
  it('cover every operation family, one named operation a tab, each opening with a one-line comment', () => {
    for (const { tab, document, name } of EXAMPLES) {
      expect(tab.query?.split('\n')[0], name).toMatch(/^# \S.*\S$/);
      // Two operations would turn GraphiQL's play button into a menu.
      expect(document.definitions, name).toHaveLength(1);
      expect(validate(subgraphSchema, document), name).toEqual([]);
      if (tab.variables) expect(() => JSON.parse(tab.variables ?? ''), name).not.toThrow();
    }
    const names = EXAMPLES.map((example) => example.name);
    expect(new Set(names).size).toBe(names.length);
    expect(EXAMPLES.map((example) => example.field)).toEqual([
      'assertContact',
      'assertContacts',
      'checkContacts',
      'assertCompany',
      'assertCompanies',
      'assertDeal',
      'assertDeals',
      'importContacts',
      'importProgress',
      'imports',
    ]);
    // linkContactsToDeal needs a deal id from an earlier answer (random upstream): assertDeal links instead, and says so.
    const assertDeal = EXAMPLES.find((example) => example.field === 'assertDeal');
    expect(assertDeal?.tab.query).toMatch(/contactIds:/);
    expect(assertDeal?.tab.query).toMatch(/^# .*linkContactsToDeal/m);
  });

  it('each answers data and no error at its first run on a fresh simulator, in order, as GraphiQL sends them', async () => {
    const gateway = await gatewayWith({});
    const post = (body: unknown, accept = 'application/json') =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify(body),
      });
    let importId: string | undefined;
    for (const { tab, kind, name, field } of EXAMPLES) {
      const variables = tab.variables ? JSON.parse(tab.variables) : undefined;
      if (kind === 'subscription') {
        // As shipped, the watch tab holds a placeholder: the comment asks for the id ImportContacts answered.
        const placeholder = await sseEvents(await post({ query: tab.query, variables }, 'text/event-stream'));
        expect(placeholder).toEqual([
          expect.objectContaining({ errors: [expect.objectContaining({ extensions: { code: 'NOT_FOUND' } })] }),
        ]);
        expect(importId).toBeDefined();
        const events = await sseEvents(
          await post({ query: tab.query, variables: { ...variables, importId } }, 'text/event-stream'),
        );
        for (const event of events) expect(event, name).not.toHaveProperty('errors');
        expect(events.at(-1)?.data?.[field]).toMatchObject({ state: 'SUCCEEDED', processed: 4, total: 4, failed: 0 });
        continue;
      }
      const response = await post({ query: tab.query, variables });
      expect(response.status, name).toBe(200);
      const result = await response.json();
      expect(result, name).not.toHaveProperty('errors');
      expect(result.data?.[field], name).toBeTruthy();
      if (field === 'assertContact') expect(result.data[field]).toEqual({ action: 'CREATED', count: 1 });
      if (field === 'checkContacts') {
        expect(result.data[field]).toMatchObject({ valid: false, total: 4, deduplicated: 1 });
        expect(result.data[field].issues.map((issue: { path: string[] }) => issue.path[1])).toEqual(['2', '3', '3']);
      }
      if (field === 'assertDeal') {
        const { dealId, links } = result.data[field];
        expect(links).toEqual([
          { action: 'CREATED', contactId: '12345', dealId },
          { action: 'CREATED', contactId: '67890', dealId },
        ]);
      }
      if (field === 'importContacts') importId = result.data[field].id;
    }
  });
});

/** The `next` events of a GraphQL-over-SSE answer, once the stream has completed. */
async function sseEvents(response: Response): Promise<Array<Record<string, any>>> {
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: next'))
    .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 'data: '.length)));
}

/** A stand-in for the browser's localStorage. */
class MemoryStorage {
  readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, String(value));
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

interface GraphiQLStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  readonly length: number;
}

type Boot = (
  namespace: string,
  render: (root: unknown, options: Record<string, unknown>) => unknown,
  window: unknown,
) => (root: unknown, options: Record<string, unknown>) => unknown;
const boot = new Function(`return (${STORAGE_SCRIPT});`)() as Boot;

/** Runs the page's script as the page does, and answers the storage GraphiQL would be given. */
function startPage(local: MemoryStorage | (() => never), search = ''): GraphiQLStorage | null {
  const window = {
    get localStorage() {
      if (typeof local === 'function') return local();
      return local;
    },
    location: { search },
  };
  let given: unknown;
  boot(
    'ns1',
    (_root, options) => {
      given = options.storage;
    },
    window,
  )('root', { title: 't' });
  return given as GraphiQLStorage | null;
}

interface Tab {
  id: string;
  title: string;
  query: string | null;
  variables: string | null;
  headers: string | null;
  operationName: string | null;
  response: null;
}

const storedTab = (id: string, query: string, variables: string | null = null): Tab => ({
  id,
  title: id,
  query,
  variables,
  headers: null,
  operationName: id,
  response: null,
});

const STORED_TABS = [
  storedTab('A', '# a\nquery A { gateway { version } }'),
  storedTab('B', 'query B($n: Int) { gateway { version } }', '{"n": 1}'),
  storedTab('C', 'query C { gateway { upstream } }'),
];

/**
 * What GraphiQL 5 does with the storage when it starts (getDefaultTabState in
 * @graphiql/react): it takes the URL's query (Yoga's page passes it), else the
 * stored one, with the stored variables and headers, and reopens the stored
 * tab whose query, variables and headers are the same; when none is, it adds a
 * tab holding them.
 */
function graphiqlStartsWith(storage: GraphiQLStorage, search = '') {
  const state = JSON.parse(storage.getItem('graphiql:tabState') ?? 'null') as { tabs: Tab[]; activeTabIndex: number };
  const query = new URLSearchParams(search).get('query') || storage.getItem('graphiql:query');
  const variables = storage.getItem('graphiql:variables');
  const headers = storage.getItem('graphiql:headers');
  const hash = (values: { query: string | null; variables: string | null; headers: string | null }) =>
    [values.query ?? '', values.variables ?? '', values.headers ?? ''].join('|');
  const matching = state.tabs.findIndex((stored) => hash(stored) === hash({ query, variables, headers }));
  if (matching >= 0) return { tabs: state.tabs, active: matching, editor: { query, variables } };
  return {
    tabs: [...state.tabs, storedTab('new', query ?? '', variables)],
    active: state.tabs.length,
    editor: { query, variables },
  };
}

function storedState(local: MemoryStorage, activeTabIndex: number, extra: Record<string, string> = {}) {
  local.setItem('graph8-gateway:ns1:graphiql:tabState', JSON.stringify({ tabs: STORED_TABS, activeTabIndex }));
  for (const [key, value] of Object.entries(extra)) local.setItem(`graph8-gateway:ns1:graphiql:${key}`, value);
}

describe('the page script that gives GraphiQL its storage', () => {
  it('keeps GraphiQL in a namespace of its own, and drops the storage of other examples', () => {
    const local = new MemoryStorage();
    local.setItem('graph8-gateway:old:graphiql:tabState', '{}');
    local.setItem('graphiql:tabState', '{"another": "GraphiQL on this origin"}');
    local.setItem('unrelated', 'kept');
    const storage = startPage(local);
    expect(storage).not.toBeNull();
    storage?.setItem('graphiql:theme', 'dark');
    expect(storage?.getItem('graphiql:theme')).toBe('dark');
    expect([...local.items.keys()].sort()).toEqual([
      'graph8-gateway:ns1:graphiql:theme',
      'graphiql:tabState',
      'unrelated',
    ]);
    expect(storage?.length).toBe(1);
    // Nothing stored yet: GraphiQL opens defaultTabs.
    expect(storage?.getItem('graphiql:tabState')).toBeNull();
  });

  it('a reload with nothing edited reopens the active tab, adding none (GraphiQL alone adds an empty one)', () => {
    const unaided = new MemoryStorage();
    storedState(unaided, 2);
    const plain = { getItem: (key: string) => unaided.getItem(`graph8-gateway:ns1:${key}`) } as GraphiQLStorage;
    expect(graphiqlStartsWith(plain).tabs).toHaveLength(4);

    const local = new MemoryStorage();
    storedState(local, 2);
    const storage = startPage(local);
    if (!storage) throw new Error('no storage');
    const start = graphiqlStartsWith(storage);
    expect(start.tabs).toEqual(STORED_TABS);
    expect(start.active).toBe(2);
    expect(start.editor.query).toBe(STORED_TABS[2]?.query);
  });

  it('a reload after switching tabs reopens the tab in the URL, with its own variables', () => {
    const local = new MemoryStorage();
    // The switch to B wrote the URL at once; the stored tab state and variables still say A.
    storedState(local, 0, { query: STORED_TABS[0]?.query ?? '' });
    const search = `?${new URLSearchParams({ query: STORED_TABS[1]?.query ?? '' })}`;
    const storage = startPage(local, search);
    if (!storage) throw new Error('no storage');
    const start = graphiqlStartsWith(storage, search);
    expect(start.tabs).toEqual(STORED_TABS);
    expect(start.active).toBe(1);
    expect(start.editor.variables).toBe('{"n": 1}');
  });

  it('a reload right after an edit keeps the edit in its tab', () => {
    const local = new MemoryStorage();
    const edited = 'query A { gateway { version upstream } }';
    storedState(local, 0, { query: edited });
    const search = `?${new URLSearchParams({ query: edited })}`;
    const storage = startPage(local, search);
    if (!storage) throw new Error('no storage');
    const start = graphiqlStartsWith(storage, search);
    expect(start.tabs).toHaveLength(STORED_TABS.length);
    expect(start.active).toBe(0);
    expect(start.tabs[0]?.query).toBe(edited);
  });

  it('a link with a query no tab holds opens it in one new tab, without the active tab’s variables', () => {
    const local = new MemoryStorage();
    storedState(local, 1, { query: STORED_TABS[1]?.query ?? '', variables: '{"n": 1}' });
    const search = `?${new URLSearchParams({ query: '{ gateway { chunkSize } }' })}`;
    const storage = startPage(local, search);
    if (!storage) throw new Error('no storage');
    const start = graphiqlStartsWith(storage, search);
    expect(start.tabs).toHaveLength(STORED_TABS.length + 1);
    expect(start.tabs.at(-1)).toMatchObject({ query: '{ gateway { chunkSize } }', variables: null });
  });

  it('a stored state it cannot read is left to GraphiQL, which opens the examples', () => {
    const local = new MemoryStorage();
    local.setItem('graph8-gateway:ns1:graphiql:tabState', JSON.stringify({ tabs: [null], activeTabIndex: 0 }));
    expect(startPage(local)?.getItem('graphiql:tabState')).toBe('{"tabs":[null],"activeTabIndex":0}');
  });

  it('without localStorage (blocked), GraphiQL keeps nothing', () => {
    expect(
      startPage(() => {
        throw new Error('SecurityError');
      }),
    ).toBeNull();
  });

  it('new examples get a new namespace', () => {
    expect(storageNamespace(OPTIONS)).toMatch(/^[\w-]{12}$/);
    expect(storageNamespace(OPTIONS)).toBe(storageNamespace({ ...OPTIONS, title: 'another title' }));
    expect(storageNamespace(OPTIONS)).not.toBe(storageNamespace({ ...OPTIONS, defaultTabs: EXAMPLE_TABS.slice(1) }));
  });
});
