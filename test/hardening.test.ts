// The server's defences over real HTTP: query limits, body size and batching, every example still passing, input
// validation naming the argument, path tricks never reaching ORD, error masking, CSRF, CORS, /health, /ready, request ids.

import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainAndClose } from '../src/server/lifecycle.js';
import { exampleOperations } from '../src/server/examples.js';
import { expectLocatedAndSafe, post } from './helpers/graphqlHttp.js';
import { startStack, type Stack } from './helpers/stack.js';

interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

const logLines: LogLine[] = [];
const capture = (level: string) => (obj: object | string, msg?: string) =>
  logLines.push({
    level,
    obj: typeof obj === 'string' ? {} : (obj as Record<string, unknown>),
    msg: typeof obj === 'string' ? obj : msg,
  });
const logger = { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ tier: 'small', timeoutMs: 300, app: { logger } });
});
afterAll(async () => {
  await stack?.close();
});

const base = () => stack.url.replace(/\/graphql$/, '');

describe('query limits (GraphQL Armor)', () => {
  function nested(levels: number): string {
    let selection = 'name';
    for (let i = 0; i < levels; i++) selection = `name relationships { target { ${selection} } }`;
    return `{ organisation(odsCode: "RWR") { ${selection} } }`;
  }

  it.each([
    ['depth', nested(8), /depth limit of 15 exceeded/i],
    [
      'aliases',
      `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: organisation(odsCode: "RWR") { name }`).join(' ')} }`,
      /aliases limit of 15 exceeded/i,
    ],
    [
      'tokens',
      `{ organisations(odsCodes: [${Array.from({ length: 2100 }, () => '"RWR"').join(', ')}]) { name } }`,
      /token limit of 2000 exceeded/i,
    ],
    [
      'cost',
      `{ searchOrganisations(filter: { primaryRole: "RO197" }, first: 1000) { edges { node { name inboundRelationships(first: 1000) { edges { node { name } } } } } } }`,
      /cost limit of 100000 exceeded/i,
    ],
  ])('too much %s is refused before anything reaches ORD, with a GraphQL error body', async (_what, query, message) => {
    stack.sim.clearLog();
    const answer = await post(stack, query);
    expect([200, 400]).toContain(answer.status);
    expect(answer.body.data ?? null).toBeNull();
    expect(answer.body.errors?.[0]?.message).toMatch(message);
    expect(answer.body.errors?.[0]?.message).not.toMatch(/^Syntax Error: (?!Token)/);
    expect(answer.body.errors?.[0]?.extensions?.code).toMatch(/^GRAPHQL_(VALIDATION|PARSE)_FAILED$/);
    expect(stack.calls()).toHaveLength(0);
  });

  it('every example operation in schema/operations/ passes the limits and answers without errors', async () => {
    const examples = exampleOperations();
    expect(examples.length).toBeGreaterThanOrEqual(10);
    for (const example of examples) {
      const answer = await post(
        stack,
        example.query,
        example.variables ? (JSON.parse(example.variables) as Record<string, unknown>) : {},
      );
      expect(answer.status, example.name).toBe(200);
      expect(answer.body.errors, example.name).toBeUndefined();
      expect(answer.body.data, example.name).toBeTruthy();
    }
  });

  it("GraphiQL's introspection query passes too", async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const answer = await post(stack, getIntrospectionQuery());
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data!.__schema.queryType.name).toBe('Query');
  });

  it('first is bounded at 1000', async () => {
    const answer = await post(
      stack,
      `{ searchOrganisations(filter: { name: "hospital" }, first: 1001) { totalCount } }`,
    );
    expect(answer.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'first' });
  });
});

describe('request size and batching', () => {
  it('a body over GRAPHQL_MAX_BODY_BYTES gets 413 with a JSON error body', async () => {
    const padding = ' '.repeat(110 * 1024);
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename ${padding}}` }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: { message: string }[] };
    expect(body.errors[0]!.message).toMatch(/too large|exceed|size/i);
  });

  it('a body without a Content-Length (chunked) gets 411 with a JSON error body, and sends nothing to ORD', async () => {
    stack.sim.clearLog();
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      // Two writes without a declared length: Node sends Transfer-Encoding: chunked.
      req.write('{"query": "{ organisation(odsCode: \\"RWR\\") ');
      req.end('{ name } }"}');
    });
    expect(status).toBe(411);
    const body = JSON.parse(text) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('LENGTH_REQUIRED');
    expect(stack.sim.requests()).toHaveLength(0);
  });

  it('a body with an unreadable Content-Length gets 400', async () => {
    const { status } = await new Promise<{ status: number }>((resolve, reject) => {
      const req = httpRequest(
        stack.url,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '+5' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        },
      );
      req.on('error', reject);
      req.end('{"a":1}');
    });
    expect(status).toBe(400);
  });

  it('a batch of up to 10 operations is answered in order; 11 is refused', async () => {
    const batch = (n: number) =>
      fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(Array.from({ length: n }, () => ({ query: '{ recordClasses { id } }' }))),
      });
    const ok = await batch(10);
    expect(ok.status).toBe(200);
    const results = (await ok.json()) as { data: unknown }[];
    expect(results).toHaveLength(10);
    expect(results.every((r) => JSON.stringify(r.data).includes('RC1'))).toBe(true);
    const tooMany = await batch(11);
    expect(tooMany.status).toBeGreaterThanOrEqual(400);
    const body = (await tooMany.json()) as { errors: { message: string }[] };
    expect(body.errors[0]!.message).toMatch(/batch/i);
  });
});

describe('input validation names the argument and sends nothing to ORD', () => {
  const long = 'A'.repeat(5000);
  it.each([
    // ODS codes
    ['organisation(odsCode: "R W R") { name }', 'odsCode'],
    ['organisation(odsCode: "../roles") { name }', 'odsCode'],
    ['organisation(odsCode: "RWR%2F..%2Froles") { name }', 'odsCode'],
    ['organisation(odsCode: "RẀR") { name }', 'odsCode'],
    ['organisation(odsCode: "RWR\\u0000") { name }', 'odsCode'],
    [`organisation(odsCode: "${long}") { name }`, 'odsCode'],
    ['organisations(odsCodes: ["RWR", "R/W"]) { name }', 'odsCodes'],
    ['node(id: "Li4vcm9sZXM=") { id }', 'id'],
    ['nodes(ids: ["T3JnYW5pc2F0aW9uOi4uL3JvbGVz"]) { id }', 'ids'],
    // dates
    ['organisationsChangedSince(date: "2021-02-30") { totalCount }', 'date'],
    ['organisationsChangedSince(date: "2025-1-1") { totalCount }', 'date'],
    ['organisation(odsCode: "RWR") { roles(activeOn: "2023-04-31") { status } }', 'activeOn'],
    // role, relationship and record class ids
    ['roleType(id: "RE6") { displayName }', 'id'],
    ['relationshipType(id: "../rels") { displayName }', 'id'],
    ['recordClass(id: "RC%2F1") { displayName }', 'id'],
    // (nested arguments: the parent organisation is fetched first, as graphql-js resolves parents before children)
    ['organisation(odsCode: "RWR") { relationships(types: ["RO197"]) { status } }', 'types'],
    ['organisation(odsCode: "RWR") { inboundRelationships(primaryRole: "RE4") { totalCount } }', 'primaryRole'],
    // the search filter: name, postcode, roles, record class, membership target, change date
    ['searchOrganisations(filter: { name: "ab" }) { totalCount }', 'filter'],
    [`searchOrganisations(filter: { name: "${'x'.repeat(101)}" }) { totalCount }`, 'filter'],
    ['searchOrganisations(filter: { name: "hospital<script>" }) { totalCount }', 'filter'],
    ['searchOrganisations(filter: { name: "café royal" }) { totalCount }', 'filter'],
    ['searchOrganisations(filter: { name: "../../etc/passwd%00" }) { totalCount }', 'filter'],
    ['searchOrganisations(filter: { postcode: "L" }) { totalCount }', 'filter'],
    ['searchOrganisations(filter: { postcode: "LS1 4HY XX" }) { totalCount }', 'filter'],
    ['searchOrganisations(filter: { postcode: "12345" }) { totalCount }', 'filter'],
    ['searchOrganisations(filter: { postcode: "LS1&Name=x" }) { totalCount }', 'filter'],
    ['searchOrganisations(filter: { primaryRole: "RO1,RO2" }) { totalCount }', 'filter'],
    ['searchOrganisations(filter: { anyOfRoles: ["RO177", "RO1&Limit=1"] }) { totalCount }', 'filter'],
    ['searchOrganisations(filter: { recordClass: "RC3" }) { totalCount }', 'filter'],
    [
      'searchOrganisations(filter: { relatedTo: { odsCode: "QMJ/..", relationshipTypes: ["RE4"] } }) { totalCount }',
      'filter',
    ],
    [
      'searchOrganisations(filter: { relatedTo: { odsCode: "QMJ", relationshipTypes: ["RE4%2C"] } }) { totalCount }',
      'filter',
    ],
    ['searchOrganisations(filter: { changedSince: "2025-13-01" }) { totalCount }', 'filter'],
    // paging
    ['searchOrganisations(filter: { name: "hospital" }, first: -1) { totalCount }', 'first'],
    ['searchOrganisations(filter: { name: "hospital" }, after: "not-a-cursor") { totalCount }', 'after'],
    [`searchOrganisations(filter: { name: "hospital" }, after: "${long}") { totalCount }`, 'after'],
  ])('%s → BAD_USER_INPUT naming %s', async (selection, argumentName) => {
    stack.sim.clearLog();
    const answer = await post(stack, `{ ${selection} }`);
    expect(answer.body.errors?.length, answer.text.slice(0, 300)).toBeGreaterThan(0);
    expect(answer.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
    // Long values are echoed shortened, never whole.
    expect(answer.text.length).toBeLessThan(2000);
    // Nothing the argument governs reaches ORD (a parent organisation may have been fetched before it).
    expect(stack.calls().filter((c) => c.path !== 'organisations/RWR')).toHaveLength(0);
  });

  it('a 406 that only ORD can judge (LastChangeDate too old) is UPSTREAM_REJECTED with status 200, never a 500', async () => {
    const answer = await post(stack, `{ organisationsChangedSince(date: "2019-06-11") { totalCount } }`);
    expect(answer.status).toBe(200);
    expect(answer.body.errors![0]!.extensions).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      ordErrorText: 'Supplied LastChangeDate exceeds the limit of 185 days past.',
    });
  });

  it("valid names and postcodes in ORD's character set do reach ORD", async () => {
    stack.sim.clearLog();
    const answer = await post(
      stack,
      `{ a: searchOrganisations(filter: { name: "St. John's (Hospital)" }) { totalCount } b: searchOrganisations(filter: { postcode: "LS1 4" }) { totalCount } }`,
    );
    expect(answer.body.errors).toBeUndefined();
    expect(stack.calls('search')).toHaveLength(2);
  });
});

describe('error masking', () => {
  it('upstream failures reach clients as fixed messages; the log keeps the detail under the request id', async () => {
    logLines.length = 0;
    for (const mode of ['http500', 'http502', 'http503', 'rate429', 'reset', 'truncate', 'malformed'] as const) {
      stack.sim.setFaults({ mode, pathPrefix: 'organisations/RVVKC', retryAfterSeconds: 0 });
      try {
        const answer = await post(stack, `{ organisation(odsCode: "RVVKC") { name } }`);
        expectLocatedAndSafe(answer);
        expect(answer.text).not.toMatch(/https?:\/\/|stack|<html|Service Unavailable|Too Many Requests|Bad Gateway/i);
      } finally {
        stack.sim.clearFaults();
      }
    }
    const fieldErrors = logLines.filter((l) => l.msg === 'field error');
    expect(fieldErrors.length).toBe(7);
    for (const line of fieldErrors) {
      expect(line.obj.requestId).toEqual(expect.any(String));
      expect(line.obj.cause).toEqual(expect.any(String)); // the detail the client did not get
    }
    expect(fieldErrors.some((l) => /ORD answered 503: Service Unavailable/.test(String(l.obj.cause)))).toBe(true);
  });

  it('an unexpected error (a bug, with a URL and a stack) is "Unexpected error." to the client', async () => {
    const buggy = await startStack({
      tier: 'small',
      app: {
        logger,
        upstream: (ord) =>
          Object.assign(Object.create(Object.getPrototypeOf(ord) as object) as typeof ord, ord, {
            getOrganisation: () =>
              Promise.reject(new TypeError(`boom at http://10.1.2.3:8080/ORD/2-0-0/organisations/RWR`)),
          }),
      },
    });
    try {
      const answer = await post(buggy, `{ organisation(odsCode: "RWR") { name } }`);
      expect(answer.status).toBe(200);
      expect(answer.body.errors![0]!.message).toBe('Unexpected error.');
      expect(answer.body.errors![0]!.path).toEqual(['organisation']);
      expect(answer.text).not.toMatch(/10\.1\.2\.3|boom|TypeError|\bat /);
    } finally {
      await buggy.close();
    }
  });
});

describe('CSRF', () => {
  const q = encodeURIComponent('{ recordClasses { id } }');
  it('a GET without a CSRF header is refused with 403 and a GraphQL error; with one it is answered', async () => {
    const bare = await fetch(`${stack.url}?query=${q}`);
    expect(bare.status).toBe(403);
    const body = (await bare.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.extensions).toEqual({
      code: 'CSRF_HEADER_REQUIRED',
      acceptedHeaders: [
        'x-graphql-yoga-csrf',
        'apollo-require-preflight',
        'x-apollo-operation-name',
        'graphql-require-preflight',
      ],
    });
    for (const header of ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'content-type: application/json']) {
      expect(body.errors[0]!.message).toContain(header);
    }
    const withHeader = await fetch(`${stack.url}?query=${q}`, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(withHeader.status).toBe(200);
    const apollo = await fetch(`${stack.url}?query=${q}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(apollo.status).toBe(200);
  });

  it('a form-style POST (text/plain) is refused; a JSON POST (what GraphiQL sends) is answered', async () => {
    const form = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"query":"{ __typename }"}',
    });
    expect(form.status).toBe(403);
    expect(((await form.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'CSRF_HEADER_REQUIRED',
    );
    const json = await post(stack, '{ __typename }');
    expect(json.status).toBe(200);
  });

  it('GraphiQL itself still loads in a browser', async () => {
    const page = await fetch(stack.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/graphiql/i);
  });
});

describe('CORS', () => {
  it('by default any origin may read, without credentials', async () => {
    const preflight = await fetch(stack.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://example.org',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toMatch(/^\*$|^https:\/\/example\.org$/);
    expect(preflight.headers.get('access-control-allow-credentials')).not.toBe('true');
  });

  it('a browser may send the CSRF header cross-origin (urql over GET): the preflight allows it', async () => {
    const preflight = await fetch(stack.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://example.org',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-graphql-yoga-csrf',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-graphql-yoga-csrf');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('GET');
  });

  it('CORS_ORIGINS restricts it to the listed origins', async () => {
    const restricted = await startStack({ tier: 'small', hardening: { corsOrigins: ['https://allowed.example'] } });
    try {
      const ask = (origin: string) =>
        fetch(restricted.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      const allowed = await ask('https://allowed.example');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://allowed.example');
      const other = await ask('https://evil.example');
      expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
      expect(other.headers.get('access-control-allow-origin')).not.toBe('*');
    } finally {
      await restricted.close();
    }
  });
});

describe('health, readiness, request ids', () => {
  it('/health is 200 while the process runs; /ready is 200 once the code systems are loaded', async () => {
    const health = await fetch(`${base()}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base()}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { codeSystems: 'loaded' } });
  });

  it('/ready is 503 with a JSON reason while the circuit is open, or while the code systems cannot load', async () => {
    const fragile = await startStack({
      tier: 'small',
      timeoutMs: 300,
      ord: { circuitFailures: 1, circuitResetSeconds: 60 },
    });
    try {
      const readyUrl = fragile.url.replace(/\/graphql$/, '/ready');
      fragile.sim.setFaults({ mode: 'http503' });
      const unloaded = await fetch(readyUrl);
      expect(unloaded.status).toBe(503);
      const body = (await unloaded.json()) as { status: string; reason: string };
      expect(body.status).toBe('not_ready');
      expect(body.reason).toMatch(/code systems not loaded/);
      expect(fragile.client.circuit.state).toBe('open');
      const open = await fetch(readyUrl);
      expect(open.status).toBe(503);
      expect(((await open.json()) as { reason: string }).reason).toMatch(/circuit is open/);
    } finally {
      await fragile.close();
    }
  });

  it('an incoming x-request-id is echoed; otherwise (or when it is unsafe) one is made up', async () => {
    const mine = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-42.a:b' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(mine.headers.get('x-request-id')).toBe('trace-42.a:b');
    const none = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'x'.repeat(500) },
      body: '{"query":"{ __typename }"}',
    });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      (await fetch(`${base()}/health`, { headers: { 'x-request-id': 'probe-1' } })).headers.get('x-request-id'),
    ).toBe('probe-1');
  });
});

describe('graceful shutdown', () => {
  async function slowServer(delayMs: number | null) {
    const server = createServer((_req, res) => {
      if (delayMs !== null) setTimeout(() => res.end('done'), delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
  }

  it('lets a request in flight finish, refuses new connections, then resolves', async () => {
    const { server, url } = await slowServer(300);
    const inFlight = fetch(url).then(async (r) => [r.status, await r.text()]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    let closedHook = false;
    const drained = drainAndClose(server, {
      graceMs: 5_000,
      onClosed: () => {
        closedHook = true;
      },
    });
    await expect(fetch(url, { signal: AbortSignal.timeout(1_000) })).rejects.toThrow();
    expect(await inFlight).toEqual([200, 'done']);
    await drained;
    expect(closedHook).toBe(true);
  });

  it('closes what is still busy once SHUTDOWN_GRACE_MS has passed', async () => {
    const { server, url } = await slowServer(null); // never answers
    const hung = fetch(url).then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await drainAndClose(server, { graceMs: 200 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await hung).toBe('cut');
  });
});
