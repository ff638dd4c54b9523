// Fault injection, runtime switching (in process and over HTTP), request log and counters of the ORD simulator.
// Every fault is observed where a client would see it: the socket, the status line, the headers, the body bytes.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOrdSimulator, type OrdSimulator } from '../src/simulators/ord/server.js';
import { rawRequest } from './helpers/http.js';
import { recordedDataset } from './helpers/recordedDataset.js';

let sim: OrdSimulator;
const path = (p: string) => `/ORD/2-0-0/${p}`;
const get = (p: string, timeoutMs?: number) => rawRequest(sim.port, path(p), { timeoutMs });
const control = async (method: string, p: string, body?: unknown) => {
  const res = await fetch(`http://127.0.0.1:${sim.port}/__sim/${p}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
  });
  return { status: res.status, json: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

beforeAll(async () => {
  sim = await startOrdSimulator({ dataset: recordedDataset() });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.clearFaults();
  sim.clearLog();
});

describe('fault modes', () => {
  it('latency: answers no sooner than the configured delay, and correctly', async () => {
    sim.setFaults({ latencyMs: 150 });
    const t0 = performance.now();
    const r = await get('organisations/X26');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString()).Organisation.OrgId.extension).toBe('X26');
    expect(sim.requests()[0]?.durationMs).toBeGreaterThanOrEqual(145);
  });

  it('http500: Werkzeug HTML page', async () => {
    sim.setFaults({ mode: 'http500' });
    const r = await get('organisations/X26');
    expect(r.status).toBe(500);
    expect(r.header('Content-Type')).toBe('text/html');
    expect(r.body.toString()).toBe(
      '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>500 Internal Server Error</title>\n' +
        '<h1>Internal Server Error</h1>\n<p>Service Unavailable</p>\n',
    );
    expect(Number(r.header('Content-Length'))).toBe(r.body.length);
  });

  it('http502: a proxy HTML page', async () => {
    sim.setFaults({ mode: 'http502' });
    const r = await get('roles');
    expect(r.status).toBe(502);
    expect(r.header('Content-Type')).toBe('text/html');
    expect(r.body.toString()).toContain('<title>502 Bad Gateway</title>');
  });

  it('http503: JSON error body', async () => {
    sim.setFaults({ mode: 'http503' });
    const r = await get('sync?LastChangeDate=2026-04-01');
    expect(r.status).toBe(503);
    expect(r.body.toString()).toBe('{\n  "errorCode": 503, \n  "errorText": "Service Unavailable"\n}\n');
  });

  it('rate429: 429 with Retry-After (default 1, configurable)', async () => {
    sim.setFaults({ mode: 'rate429' });
    const a = await get('organisations/X26');
    expect(a.status).toBe(429);
    expect(a.header('Retry-After')).toBe('1');
    sim.setFaults({ mode: 'rate429', retryAfterSeconds: 7 });
    const b = await get('organisations/X26');
    expect(b.header('Retry-After')).toBe('7');
    expect(JSON.parse(b.body.toString())).toEqual({ errorCode: 429, errorText: 'Too Many Requests' });
  });

  it('hang: the request is accepted and never answered (client timeout fires)', async () => {
    sim.setFaults({ mode: 'hang' });
    await expect(get('organisations/X26', 300)).rejects.toMatchObject({ code: 'timeout' });
    const entry = sim.requests()[0];
    expect(entry).toMatchObject({ path: 'organisations/X26', status: 0, fault: 'hang', endpoint: 'organisation' });
  });

  it('reset: the connection is reset without an answer', async () => {
    sim.setFaults({ mode: 'reset' });
    await expect(get('organisations/X26')).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(fetch(`${sim.baseUrl}organisations/X26`)).rejects.toThrow();
    expect(sim.requests().map((e) => [e.status, e.fault])).toEqual([
      [0, 'reset'],
      [0, 'reset'],
    ]);
  });

  it('truncate: full Content-Length, half the body, then the socket closes', async () => {
    sim.setFaults({ mode: 'truncate' });
    const r = await get('organisations/X26');
    expect(r.status).toBe(200);
    expect(r.header('Content-Length')).toBe('1614');
    expect(r.body.length).toBe(807);
    expect(r.ending).not.toBe('complete');
    await expect(fetch(`${sim.baseUrl}organisations/X26`).then((res) => res.text())).rejects.toThrow();
  });

  it('malformed: 200 with consistent Content-Length and a body no JSON parser accepts', async () => {
    sim.setFaults({ mode: 'malformed' });
    const r = await get('roles/RO98');
    expect(r.status).toBe(200);
    expect(r.header('Content-Type')).toBe('application/json');
    expect(Number(r.header('Content-Length'))).toBe(r.body.length);
    expect(() => JSON.parse(r.body.toString())).toThrow(SyntaxError);
  });

  it('count: only the first N matching requests are faulted, then the mode switches itself off', async () => {
    sim.setFaults({ mode: 'http500', count: 2, latencyMs: 1 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('organisations/X26')).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect(sim.faults()).toEqual({ latencyMs: 1 });
  });

  it('pathPrefix: only matching paths are faulted (and delayed)', async () => {
    sim.setFaults({ mode: 'http503', pathPrefix: 'organisations/RWR' });
    expect((await get('organisations/RWR')).status).toBe(503);
    expect((await get('organisations/X26')).status).toBe(200);
    expect((await get('organisations?Name=nhs')).status).toBe(200);
    sim.setFaults({ mode: 'http503', pathPrefix: '/ORD/2-0-0/organisations?' });
    expect((await get('organisations?Name=nhs')).status).toBe(503);
    expect((await get('organisations/RWR')).status).toBe(200);
  });

  it('rate: deterministic for a given seed', async () => {
    const run = async (seed: number) => {
      sim.setFaults({ mode: 'http503', rate: 0.5, seed });
      const out: number[] = [];
      for (let i = 0; i < 24; i++) out.push((await get('roles/RO98')).status);
      return out;
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(7);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toContain(200);
    expect(a).toContain(503);
    sim.setFaults({ mode: 'http503', rate: 0 });
    expect((await get('roles/RO98')).status).toBe(200);
  });

  it('hard rate limit: 429 for request N+1 within one second, admitted again once the window has moved', async () => {
    sim.setFaults({ hardRateLimit: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await get('roles/RO98')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const last = sim.requests().at(-1);
    expect(last).toMatchObject({ status: 429, fault: 'rate429' });
    const r = await get('roles/RO98');
    expect(r.header('Retry-After')).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect((await get('roles/RO98')).status).toBe(200);
    expect(sim.counters().byFault).toEqual({ rateLimit: 3 });
  });

  it('faults given at start apply from the first request', async () => {
    const other = await startOrdSimulator({ dataset: recordedDataset(), faults: { mode: 'http503', count: 1 } });
    try {
      expect((await rawRequest(other.port, path('roles'))).status).toBe(503);
      expect((await rawRequest(other.port, path('roles'))).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('rejects a bad fault config', () => {
    expect(() => sim.setFaults({ mode: 'explode' as never })).toThrow(/mode must be one of/);
    expect(() => sim.setFaults({ rate: 2 })).toThrow(/rate/);
  });
});

describe('HTTP control paths', () => {
  it('POST/GET/DELETE /__sim/faults switch faults at run time', async () => {
    const set = await control('POST', 'faults', { mode: 'http500', count: 5 });
    expect(set.status).toBe(200);
    expect(set.json).toEqual({ mode: 'http500', count: 5 });
    expect((await get('organisations/X26')).status).toBe(500);
    expect((await control('GET', 'faults')).json).toEqual({ mode: 'http500', count: 4 });
    expect((await control('DELETE', 'faults')).json).toEqual({});
    expect((await get('organisations/X26')).status).toBe(200);
  });

  it('POST /__sim/faults with a bad body → 400 and the old config stays', async () => {
    await control('POST', 'faults', { latencyMs: 1 });
    const bad = await control('POST', 'faults', { mode: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/mode must be one of/);
    const junk = await fetch(`http://127.0.0.1:${sim.port}/__sim/faults`, { method: 'POST', body: '{not json' });
    expect(junk.status).toBe(400);
    expect((await control('GET', 'faults')).json).toEqual({ latencyMs: 1 });
  });

  it('GET/DELETE /__sim/log, GET /__sim/counters; control paths are never logged or faulted', async () => {
    await control('POST', 'faults', { mode: 'http503', pathPrefix: 'rels' });
    await get('organisations/X26');
    await get('organisations?Name=nhs');
    await get('rels');
    await get('nowhere');
    const log = (await control('GET', 'log')).json.requests as Record<string, unknown>[];
    expect(log.map((e) => [e.method, e.path, e.endpoint, e.status, e.fault])).toEqual([
      ['GET', 'organisations/X26', 'organisation', 200, null],
      ['GET', 'organisations?Name=nhs', 'search', 200, null],
      ['GET', 'rels', 'rels', 503, 'http503'],
      ['GET', 'nowhere', 'other', 404, null],
    ]);
    const seqs = log.map((e) => e.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const e of log) {
      expect(typeof e.at).toBe('number');
      expect(e.durationMs as number).toBeGreaterThanOrEqual(0);
    }
    const counters = (await control('GET', 'counters')).json;
    expect(counters).toEqual({
      total: 4,
      byEndpoint: { organisation: 1, search: 1, rels: 1, other: 1 },
      byStatus: { '200': 2, '503': 1, '404': 1 },
      byEndpointStatus: { organisation: { '200': 1 }, search: { '200': 1 }, rels: { '503': 1 }, other: { '404': 1 } },
      byFault: { http503: 1 },
    });
    expect(sim.counters()).toEqual(counters);
    expect((await control('DELETE', 'log')).status).toBe(200);
    expect(sim.requests()).toEqual([]);
    expect(sim.counters().total).toBe(0);
    expect((await control('GET', 'nope')).status).toBe(404);
    expect((await control('GET', 'info')).json).toMatchObject({
      tier: 'small',
      today: '2026-04-15',
      organisations: recordedDataset().organisations.size,
    });
    expect(sim.requests()).toEqual([]);
  });

  it('requests() returns a copy', async () => {
    await get('roles');
    const copy = sim.requests();
    copy.length = 0;
    expect(sim.requests()).toHaveLength(1);
  });
});

describe('lifecycle', () => {
  it('keep-alive responses, and close() ends even with a hung request open', async () => {
    const other = await startOrdSimulator({ dataset: recordedDataset() });
    const { Agent, request } = await import('undici');
    const agent = new Agent({ keepAliveTimeout: 10_000 });
    for (let i = 0; i < 3; i++) {
      const res = await request(`${other.baseUrl}roles/RO98`, { dispatcher: agent });
      await res.body.text();
      expect(res.headers.connection ?? 'keep-alive').toBe('keep-alive');
    }
    other.setFaults({ mode: 'hang' });
    const hung = request(`${other.baseUrl}roles/RO98`, { dispatcher: agent }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await other.close();
    expect(await hung).toBeInstanceOf(Error);
    await agent.close();
  });
});
