// The ODT simulator's HTTP server: the same dataset as the ORD simulator, served as FHIR R4 under ODT's paths (odtApi.ts),
// with the ORD simulator's fault injection, request log, counters and /__sim control paths (shared, from ../ord/).
//
// Fault bodies ODT never showed us [choice]: 500/503 are HAPI-style OperationOutcomes ("HAPI-0000: Internal error" /
// "Service Unavailable"); 502 is the proxy's CatchAll template with 502 / Bad Gateway; 429 is APIM's rate-limit body
// with Retry-After, omitted when retryAfterSeconds is 0 (ODT's 429 may come either way, NOTES §1.4).

import http from 'node:http';
import { listenSimulator, readBody } from '../common/http.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OrdDataset } from '../../dataset/types.js';
import { FaultController, validateFaultConfig } from '../ord/faults.js';
import { DEFAULT_LOG_LIMIT, RequestLog } from '../ord/log.js';
import type { OrdChanges } from '../ord/notifications.js';
import type { FaultConfig, FaultConfigSeed, OrdSimulator } from '../ord/types.js';
import {
  ODT_BASE_PATH,
  ODT_PUBLIC_BASE_URL,
  OdtApi,
  RATE_LIMIT_OUTCOME,
  hapiOutcome,
  odtErrorResponse,
  proxyOutcome,
  type OdtResponse,
} from './odtApi.js';

export interface OdtSimulatorOptions {
  tier?: 'small' | 'full';
  dataset?: OrdDataset;
  /** The simulator's today (deletion dates, code-system version); default the dataset's asOf. */
  today?: string;
  /** Base URL in Bundle links and fullUrls; default production ODT's. */
  linkBaseUrl?: string;
  /** Require this `apikey` header on every request (401 without it). */
  apiKey?: string;
  /** Answers larger than this become APIM's 422 (default 10 MB). */
  maxResponseBytes?: number;
  port?: number;
  host?: string;
  logLimit?: number;
  faults?: FaultConfig & FaultConfigSeed;
}

/** The ODT simulator's handle: the same controls as the ORD simulator's. */
export type OdtSimulator = OrdSimulator;

function send(res: http.ServerResponse, r: Omit<OdtResponse, 'endpoint'>): void {
  const flat: string[] = [];
  for (const [k, v] of r.headers) flat.push(k, v);
  flat.push('Content-Length', String(r.body.length), 'Date', new Date().toUTCString());
  res.writeHead(r.status, flat);
  res.end(r.body);
}

function controlReply(res: http.ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value, null, 2) + '\n', 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(body.length) });
  res.end(body);
}

function rateLimited(retryAfterSeconds: number): Omit<OdtResponse, 'endpoint'> {
  const r = odtErrorResponse(429, RATE_LIMIT_OUTCOME);
  return retryAfterSeconds > 0 ? { ...r, headers: [...r.headers, ['Retry-After', String(retryAfterSeconds)]] } : r;
}

export async function startOdtSimulator(options: OdtSimulatorOptions = {}): Promise<OdtSimulator> {
  const dataset =
    options.dataset ?? (await (await import('../../dataset/build.js')).loadDataset(options.tier ?? 'small'));
  const link = options.linkBaseUrl ?? ODT_PUBLIC_BASE_URL;
  const api = new OdtApi(dataset, {
    today: options.today ?? dataset.asOf,
    linkBaseUrl: link.endsWith('/') ? link : `${link}/`,
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.maxResponseBytes !== undefined ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  const faults = new FaultController(options.faults);
  const log = new RequestLog(options.logLimit ?? DEFAULT_LOG_LIMIT);

  const control = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const key = `${req.method ?? 'GET'} ${(req.url ?? '').split('?')[0]}`;
    switch (key) {
      case 'GET /__sim/info':
        return controlReply(res, 200, {
          api: 'odt',
          tier: dataset.tier,
          asOf: dataset.asOf,
          today: api.today,
          organisations: api.organisationCount,
        });
      case 'GET /__sim/faults':
        return controlReply(res, 200, faults.current());
      case 'POST /__sim/faults':
      case 'PUT /__sim/faults':
        try {
          const text = await readBody(req);
          faults.set(validateFaultConfig(JSON.parse(text === '' ? '{}' : text)));
        } catch (err) {
          return controlReply(res, 400, { error: (err as Error).message });
        }
        return controlReply(res, 200, faults.current());
      case 'DELETE /__sim/faults':
        faults.clear();
        return controlReply(res, 200, faults.current());
      case 'GET /__sim/log':
        return controlReply(res, 200, { requests: log.requests() });
      case 'DELETE /__sim/log':
        log.clear();
        return controlReply(res, 200, { cleared: true });
      case 'GET /__sim/counters':
        return controlReply(res, 200, log.counters());
      default:
        req.resume();
        return controlReply(res, 404, { error: `no control endpoint ${key}` });
    }
  };

  const server = http.createServer({ keepAlive: true }, (req, res) => {
    res.sendDate = false;
    const url = req.url ?? '/';
    if (url.startsWith('/__sim/')) {
      control(req, res).catch((err: unknown) => controlReply(res, 500, { error: String(err) }));
      return;
    }
    const started = performance.now();
    const at = Date.now();
    const method = req.method ?? 'GET';
    const relPath = url.startsWith(ODT_BASE_PATH) ? url.slice(ODT_BASE_PATH.length) : url.replace(/^\/+/, '');
    const decision = faults.decide(relPath, at);
    let endpoint = 'other';
    const record = (status: number, fault: Parameters<RequestLog['add']>[0]['fault']): void => {
      log.add({
        at,
        method,
        path: relPath,
        endpoint,
        status,
        fault,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      });
    };

    const answer = async (): Promise<void> => {
      const body = await readBody(req);
      const r = api.handle(method, url, req.headers, body);
      endpoint = r.endpoint;
      if (decision.rateLimited) {
        send(res, rateLimited(decision.retryAfterSeconds));
        return record(429, 'rateLimit');
      }
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);
      if (res.destroyed || req.socket.destroyed) return record(0, decision.mode);
      const mode = decision.mode;
      switch (mode) {
        case 'hang':
          return record(0, mode);
        case 'reset':
          record(0, mode);
          req.socket.resetAndDestroy();
          return;
        case 'http500':
          send(res, odtErrorResponse(500, hapiOutcome('HAPI-0000: Internal error')));
          return record(500, mode);
        case 'http502':
          send(res, odtErrorResponse(502, proxyOutcome(502, 'Bad Gateway', 'The upstream server is unavailable')));
          return record(502, mode);
        case 'http503':
          send(res, odtErrorResponse(503, hapiOutcome('Service Unavailable')));
          return record(503, mode);
        case 'rate429':
          send(res, rateLimited(decision.retryAfterSeconds));
          return record(429, mode);
        case 'truncate': {
          const flat: string[] = [];
          for (const [k, v] of r.headers) flat.push(k, v);
          flat.push('Content-Length', String(r.body.length));
          res.writeHead(r.status, flat);
          const socket = req.socket;
          res.write(r.body.subarray(0, Math.floor(r.body.length / 2)), () => socket.destroy());
          return record(r.status, mode);
        }
        case 'malformed': {
          send(res, {
            ...r,
            body: Buffer.concat([r.body.subarray(0, Math.max(1, r.body.length - 2)), Buffer.from(',')]),
          });
          return record(r.status, mode);
        }
        default:
          send(res, r);
          return record(r.status, null);
      }
    };
    answer().catch((err: unknown) => {
      if (!res.headersSent) send(res, odtErrorResponse(500, hapiOutcome('HAPI-0000: Internal error')));
      record(500, null);
      console.error('ODT simulator error:', err);
    });
  });
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  return listenSimulator(server, { host, port: options.port ?? 0, basePath: ODT_BASE_PATH, api: api, log, faults });
}
