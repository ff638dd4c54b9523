// The ORD simulator's HTTP server: serves an OrdDataset exactly as ORD does, plus fault injection, a request log and /__sim control paths.
// Front-end CI, `npm run demo` and our tests run against it instead of the real ORD, which nobody can reach from here.
//
// Control paths (never logged or counted as ORD requests, never faulted):
//   GET /__sim/info · GET|POST|DELETE /__sim/faults (POST body: a JSON FaultConfig, replaces the current one)
//   GET|DELETE /__sim/log · GET /__sim/counters
// Fault responses whose bytes ORD never showed us are invented [INF]: 500 = Werkzeug's default HTML page for
// abort(500, "Service Unavailable"); 502 = an nginx-style HTML page; 503 / 429 = Flask-style JSON error bodies;
// 429 always carries Retry-After. Latency and `mode` honour `pathPrefix`; the hard rate limit covers every ORD path.

import http from 'node:http';
import { listenSimulator, readBody } from '../common/http.js';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OrdDataset } from '../../dataset/types.js';
import { ORD_PUBLIC_BASE_URL } from '../../sources/ord/types.js';
import { FaultController, validateFaultConfig } from './faults.js';
import { RequestLog, DEFAULT_LOG_LIMIT } from './log.js';
import {
  BASE_PATH,
  OrdApi,
  SERVER_HEADER,
  errorResponse,
  routeOf,
  werkzeugHtmlError,
  type OrdResponse,
} from './ordApi.js';
import type { FaultConfig, FaultConfigSeed, OrdSimulator, SimulatorOptions } from './types.js';

export type { OrdSimulator } from './types.js';

export interface StartOptions extends SimulatorOptions {
  /** Serve this dataset instead of loading `tier` (tests use a fixture built from the recordings). */
  dataset?: OrdDataset;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Most log entries kept (oldest dropped first); default 100 000. */
  logLimit?: number;
  faults?: FaultConfig & FaultConfigSeed;
}

interface OrdRequestHandlerParts {
  api: OrdApi;
  faults: FaultController;
  log: RequestLog;
  info: () => Record<string, unknown>;
}

const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

function proxy502(): OrdResponse {
  const body = Buffer.from(NGINX_502, 'latin1');
  return {
    status: 502,
    headers: [
      ['Server', 'nginx'],
      ['Content-Type', 'text/html'],
      ['Content-Length', String(body.length)],
    ],
    body,
  };
}

function withHeader(r: OrdResponse, name: string, value: string): OrdResponse {
  return { ...r, headers: [...r.headers, [name, value]] };
}

function send(res: http.ServerResponse, r: OrdResponse): void {
  // Werkzeug puts Date last; Node's automatic Date is off (sendDate = false) so the order and format are ours.
  const flat: string[] = [];
  for (const [k, v] of r.headers) flat.push(k, v);
  flat.push('Date', new Date().toUTCString());
  res.writeHead(r.status, flat);
  res.end(r.body);
}

/** A JSON body for the control paths (plain JSON; these are ours, not ORD's). */
function controlReply(res: http.ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value, null, 2) + '\n', 'utf8');
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(body.length),
    'Access-Control-Allow-Origin': '*',
    Date: new Date().toUTCString(),
  });
  res.end(body);
}

async function handleControl(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  parts: OrdRequestHandlerParts,
): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  const method = req.method ?? 'GET';
  const key = `${method} ${path}`;
  switch (key) {
    case 'GET /__sim/info':
      return controlReply(res, 200, parts.info());
    case 'GET /__sim/faults':
      return controlReply(res, 200, parts.faults.current());
    case 'POST /__sim/faults':
    case 'PUT /__sim/faults': {
      let config;
      try {
        const text = await readBody(req);
        config = validateFaultConfig(JSON.parse(text === '' ? '{}' : text));
      } catch (err) {
        return controlReply(res, 400, { error: (err as Error).message });
      }
      parts.faults.set(config);
      return controlReply(res, 200, parts.faults.current());
    }
    case 'DELETE /__sim/faults':
      parts.faults.clear();
      return controlReply(res, 200, parts.faults.current());
    case 'GET /__sim/log':
      return controlReply(res, 200, { requests: parts.log.requests() });
    case 'DELETE /__sim/log':
      parts.log.clear();
      return controlReply(res, 200, { cleared: true });
    case 'GET /__sim/counters':
      return controlReply(res, 200, parts.log.counters());
    default:
      req.resume();
      return controlReply(res, 404, {
        error: `no control endpoint ${key}`,
        endpoints: ['GET /__sim/info', 'GET|POST|DELETE /__sim/faults', 'GET|DELETE /__sim/log', 'GET /__sim/counters'],
      });
  }
}

/** A `node:http` request listener serving ORD (plus /__sim control paths) from prepared parts. */
function createOrdRequestHandler(
  parts: OrdRequestHandlerParts,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const { api, faults, log } = parts;
  return (req, res) => {
    res.sendDate = false;
    const url = req.url ?? '/';
    if (url.startsWith('/__sim/')) {
      handleControl(req, res, parts).catch((err: unknown) => controlReply(res, 500, { error: String(err) }));
      return;
    }
    const started = performance.now();
    const at = Date.now();
    const method = req.method ?? 'GET';
    const relPath = url.startsWith(BASE_PATH) ? url.slice(BASE_PATH.length) : url.replace(/^\/+/, '');
    const endpoint = routeOf(url.split('?')[0] ?? '')?.endpoint ?? 'other';
    req.resume(); // ORD ignores request bodies; drain so keep-alive connections stay usable

    const decision = faults.decide(relPath, at);
    const record = (status: number, fault: Parameters<RequestLog['add']>[0]['fault']) =>
      log.add({
        at,
        method,
        path: relPath,
        endpoint,
        status,
        fault,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      });

    if (decision.rateLimited) {
      const r = withHeader(errorResponse(429, 'Too Many Requests'), 'Retry-After', String(decision.retryAfterSeconds));
      send(res, r);
      record(429, 'rateLimit');
      return;
    }

    const answer = async (): Promise<void> => {
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);
      if (res.destroyed || req.socket.destroyed) {
        record(0, decision.mode);
        return;
      }
      const mode = decision.mode;
      switch (mode) {
        case 'hang':
          // Never answer: the client's timeout is what is being tested. Logged now, since no answer will ever come.
          record(0, mode);
          return;
        case 'reset':
          record(0, mode);
          // RST rather than FIN, so the client sees ECONNRESET.
          req.socket.resetAndDestroy();
          return;
        case 'http500':
          send(res, werkzeugHtmlError(500, 'Internal Server Error', 'Service Unavailable'));
          record(500, mode);
          return;
        case 'http502':
          send(res, proxy502());
          record(502, mode);
          return;
        case 'http503':
          send(res, errorResponse(503, 'Service Unavailable'));
          record(503, mode);
          return;
        case 'rate429':
          send(
            res,
            withHeader(errorResponse(429, 'Too Many Requests'), 'Retry-After', String(decision.retryAfterSeconds)),
          );
          record(429, mode);
          return;
        default:
          break;
      }
      const contentType = req.headers['content-type'];
      const r = api.handle(method, url, contentType);
      if (mode === 'truncate') {
        const flat: string[] = [];
        for (const [k, v] of r.headers) flat.push(k, v);
        flat.push('Date', new Date().toUTCString());
        res.writeHead(r.status, flat); // full Content-Length …
        const socket: Socket = req.socket;
        res.write(r.body.subarray(0, Math.floor(r.body.length / 2)), () => socket.destroy()); // … half the bytes, then gone
        record(r.status, mode);
        return;
      }
      if (mode === 'malformed') {
        // Same status and headers, a body that stops mid-document and ends in a stray comma: no JSON parser accepts it.
        const broken = Buffer.concat([r.body.subarray(0, Math.max(1, r.body.length - 2)), Buffer.from(',')]);
        const headers = r.headers.map(([k, v]): [string, string] => [
          k,
          k === 'Content-Length' ? String(broken.length) : v,
        ]);
        send(res, { status: r.status, headers, body: broken });
        record(r.status, mode);
        return;
      }
      send(res, r);
      record(r.status, null);
    };
    answer().catch((err: unknown) => {
      // A simulator bug must still look like a Flask 500, and must not take the process down.
      if (!res.headersSent)
        send(res, werkzeugHtmlError(500, 'Internal Server Error', 'The server encountered an internal error.'));
      record(500, null);
      console.error('ORD simulator error:', err);
    });
  };
}

async function loadTier(tier: 'small' | 'full'): Promise<OrdDataset> {
  // Imported on demand: a simulator given a fixture dataset never pays for loading the dataset builder and its sources.
  const { loadDataset } = await import('../../dataset/build.js');
  return loadDataset(tier);
}

/** Start an ORD simulator. Without `dataset`, loads `tier` (default "small") via src/dataset/build.ts. */
export async function startOrdSimulator(options: StartOptions = {}): Promise<OrdSimulator> {
  const dataset = options.dataset ?? (await loadTier(options.tier ?? 'small'));
  const linkBase = options.linkBaseUrl ?? ORD_PUBLIC_BASE_URL;
  const api = new OrdApi(dataset, {
    today: options.today ?? dataset.asOf,
    linkBaseUrl: linkBase.endsWith('/') ? linkBase : `${linkBase}/`,
  });
  const faults = new FaultController(options.faults);
  const log = new RequestLog(options.logLimit ?? DEFAULT_LOG_LIMIT);
  const info = () => ({
    tier: dataset.tier,
    asOf: dataset.asOf,
    today: api.today,
    organisations: api.index.dataset.organisations.size,
    linkBaseUrl: api.index.linkBaseUrl,
  });
  const server = http.createServer({ keepAlive: true }, createOrdRequestHandler({ api, faults, log, info }));
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  return listenSimulator(server, {
    host,
    port: options.port ?? 0,
    basePath: BASE_PATH,
    api: {
      get organisationCount() {
        return api.index.dataset.organisations.size;
      },
      get today() {
        return api.today;
      },
      applyChanges: (changes) => api.applyChanges(changes),
    },
    log,
    faults,
  });
}

export { SERVER_HEADER };
