// The per-operation upstream budget against the simulators: estimates of the example operations cover their real cold
// cost on ORD and on ODT (which fetches records in batches) and pass the default limit; over-limit operations are refused before any ORD call; the execution-time budget holds.

import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { estimateUpstreamCalls } from '../src/schema/cost/estimate.js';
import { exampleOperations } from '../src/server/examples.js';
import { startStack, type GraphQLResponse, type Stack } from './helpers/stack.js';

const DEFAULT_LIMIT = loadConfig({}).budget.limit;

interface Upstream {
  estimate: number;
  calls: number;
  budget: number;
  priority: 'interactive' | 'bulk';
}
const upstreamOf = (r: GraphQLResponse): Upstream =>
  (r as unknown as { extensions: { upstream: Upstream } }).extensions.upstream;

async function post(
  stack: Stack,
  body: Record<string, unknown>,
): Promise<GraphQLResponse & { extensions?: { upstream?: Upstream } }> {
  const response = await fetch(stack.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify(body),
  });
  return { ...((await response.json()) as GraphQLResponse), status: response.status };
}

describe.each(['ord', 'fhir'] as const)(
  'estimates of the example operations on %s (cold cache, small tier)',
  (source) => {
    const figures: Record<
      string,
      { estimate: number; cold: number; warm: number; warmEstimate: number; priority: string }
    > = {};
    afterAll(() => {
      // The measured figures, for the record (README / reports).
      console.log(JSON.stringify(figures, null, 1));
    });

    for (const op of exampleOperations()) {
      it(`${op.name}: estimate >= real cold calls, within the default limit of ${DEFAULT_LIMIT}`, async () => {
        const stack = await startStack({ tier: 'small', cache: true, source });
        try {
          const variables = op.variables ? (JSON.parse(op.variables) as Record<string, unknown>) : {};
          const cold = await stack.gql(op.query, variables);
          expect(cold.errors).toBeUndefined();
          const coldCalls = stack.calls().length;
          const report = upstreamOf(cold);
          expect(report.calls).toBe(coldCalls);
          expect(report.estimate).toBeGreaterThanOrEqual(coldCalls);
          expect(report.estimate).toBeLessThanOrEqual(DEFAULT_LIMIT);
          expect(report.budget).toBe(DEFAULT_LIMIT);
          stack.clearLog();
          const warm = await stack.gql(op.query, variables);
          expect(warm.data).toEqual(cold.data);
          const warmReport = upstreamOf(warm);
          // Warm: every record, page and code system is cached, and the estimator sees it.
          expect(stack.calls()).toEqual([]);
          expect(warmReport).toMatchObject({ estimate: 0, calls: 0, priority: 'interactive' });
          figures[op.name] = {
            estimate: report.estimate,
            cold: coldCalls,
            warm: stack.calls().length,
            warmEstimate: warmReport.estimate,
            priority: report.priority,
          };
        } finally {
          await stack.close();
        }
      }, 30_000);
    }
  },
);

describe('refusal before execution', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ tier: 'small', cache: true });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const COSTLY = `query Costly { searchOrganisations(filter: { primaryRole: "RO177" }, first: 1000) {
    edges { node { odsCode relationships { target { name } } } } } }`;

  it('an operation estimated over the limit gets UPSTREAM_BUDGET_EXCEEDED with estimate and limit, and no ORD call', async () => {
    stack.sim.clearLog();
    const res = await stack.gql(COSTLY);
    expect(res.status).toBe(200);
    expect(res.data ?? null).toBeNull();
    expect(res.errors).toHaveLength(1);
    const error = res.errors![0]!;
    // 1 search + 1000 rows × (1 full record + 10 assumed relationship targets)
    expect(error.extensions).toEqual({ code: 'UPSTREAM_BUDGET_EXCEEDED', estimate: 11_001, limit: DEFAULT_LIMIT });
    expect(error.message).toContain('11001');
    expect(error.message).toContain(String(DEFAULT_LIMIT));
    expect(stack.calls()).toEqual([]);
  });

  it('operationName picks the operation that is estimated (and run)', async () => {
    const document = `query Cheap { organisation(odsCode: "RAL") { name } }\n${COSTLY}`;
    stack.sim.clearLog();
    const cheap = await post(stack, { query: document, operationName: 'Cheap' });
    expect(cheap.errors).toBeUndefined();
    expect(cheap.extensions?.upstream).toMatchObject({ estimate: 1, calls: 1, priority: 'interactive' });
    stack.sim.clearLog();
    const costly = await post(stack, { query: document, operationName: 'Costly' });
    expect(costly.errors?.[0]?.extensions?.code).toBe('UPSTREAM_BUDGET_EXCEEDED');
    expect(stack.calls()).toEqual([]);
  });

  it('variables, fragments and @skip/@include are taken into account', () => {
    const source = stack.source;
    const doc = parse(`query Q($n: Int = 5, $deep: Boolean!) {
      searchOrganisations(filter: { name: "surgery" }, first: $n) { edges { node { ...F } } }
    }
    fragment F on Organisation { odsCode relationships(types: ["RE4"], status: ACTIVE) @include(if: $deep) { target { name } } }`);
    // 1 search + n rows × (1 full record + 1 active RE4 target)
    expect(estimateUpstreamCalls({ document: doc, variables: { deep: true }, source }).calls).toBe(1 + 5 * 2);
    expect(estimateUpstreamCalls({ document: doc, variables: { deep: true, n: 20 }, source }).calls).toBe(1 + 20 * 2);
    // Without the relationships, the rows are summaries: the search alone.
    expect(estimateUpstreamCalls({ document: doc, variables: { deep: false }, source }).calls).toBe(1);
  });
});

describe('execution-time budget', () => {
  it('with a tiny budget, an operation the estimator under-counts makes at most `budget` ORD calls; the rest fail their field', async () => {
    // W2U3Z holds 8 successions to 8 distinct organisations; the estimator assumes 3, so it estimates 1 + 3 = 4.
    const stack = await startStack({ tier: 'small', cache: true, budget: { limit: 4 } });
    try {
      const res = await stack.gql(
        `{ organisation(odsCode: "W2U3Z") { odsCode successions { targetOdsCode target { name } } } }`,
      );
      expect(upstreamOf(res)).toEqual({ estimate: 4, calls: 4, budget: 4, priority: 'interactive' });
      expect(stack.calls()).toHaveLength(4);
      const successions = (res.data!.organisation as { successions: { target: { name: string } | null }[] })
        .successions;
      expect(successions).toHaveLength(8);
      expect(successions.filter((s) => s.target !== null)).toHaveLength(3);
      const errors = res.errors ?? [];
      expect(errors).toHaveLength(5);
      for (const e of errors) {
        expect(e.extensions).toMatchObject({ code: 'UPSTREAM_BUDGET_EXCEEDED', limit: 4 });
        expect(e.path?.slice(-1)).toEqual(['target']);
      }
    } finally {
      await stack.close();
    }
  });

  it('calls queued at the gate when the deadline passes were never sent: `calls` counts only the ones ORD saw', async () => {
    // At 2 ORD calls a second, W2U3Z and its 8 succession targets need about 4 s; the deadline ends it after about 4.
    const stack = await startStack({ tier: 'small', rateLimit: 2, budget: { deadlineMs: 1_500 } });
    try {
      const res = await stack.gql(`{ organisation(odsCode: "W2U3Z") { successions { target { name } } } }`);
      const abandoned = (res.errors ?? []).filter((e) => e.extensions?.code === 'DEADLINE_EXCEEDED');
      expect(abandoned.length).toBeGreaterThan(0);
      const sent = stack.calls().length;
      expect(sent).toBeLessThan(1 + 8);
      expect(upstreamOf(res).calls).toBe(sent);
      // Every succession either got its target or is one of the abandoned calls: none is both, none is lost.
      const successions = (res.data!.organisation as { successions: { target: { name: string } | null }[] })
        .successions;
      expect(successions.filter((s) => s.target !== null)).toHaveLength(sent - 1);
      expect(abandoned).toHaveLength(8 - (sent - 1));
    } finally {
      await stack.close();
    }
  });

  it('an operation over UPSTREAM_BULK_THRESHOLD runs in the bulk lane', async () => {
    const stack = await startStack({ tier: 'small', budget: { bulkThreshold: 5 } });
    try {
      const res = await stack.gql(`{ organisation(odsCode: "RAL") { relationships { target { name } } } }`);
      expect(upstreamOf(res)).toMatchObject({ estimate: 11, priority: 'bulk' });
      expect(stack.client.gate.stats().started.bulk).toBe(upstreamOf(res).calls);
    } finally {
      await stack.close();
    }
  });
});
