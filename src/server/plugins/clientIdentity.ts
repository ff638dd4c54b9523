// Who is asking: the client each GraphQL request is counted (rateLimit.ts) and queued (src/upstream/gate.ts) under.
// With API_KEYS set, a known key in API_KEY_HEADER names the client; else its address (behind TRUST_PROXY proxies).

import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/builder.js';
import { ErrorCode, graphQLError } from '../../schema/errors.js';

/** One accepted API key and the label that stands for it in logs, limits and queues (never the key itself). */
export interface ApiKey {
  label: string;
  key: string;
}

/** How clients are told apart (src/config.ts reads each from the environment variable named beside it). */
export interface ClientIdentitySettings {
  /**
   * API_KEYS: the accepted keys, as a comma list of `label:key` (or bare `key`, labelled by a short hash of it).
   * Empty: no key is needed and clients are told apart by address.
   */
  apiKeys: readonly ApiKey[];
  /** API_KEY_HEADER: the request header carrying the key. */
  apiKeyHeader: string;
  /**
   * TRUST_PROXY: how many proxies (load balancers) stand in front of the server. 0: the client is the socket's peer.
   * N: the N-th address from the right of X-Forwarded-For (each trusted proxy appends the address it saw), so a
   * client cannot choose its own identity by sending the header itself.
   */
  trustProxy: number;
}

export const DEFAULT_CLIENT_IDENTITY_SETTINGS: Readonly<ClientIdentitySettings> = Object.freeze({
  apiKeys: [],
  apiKeyHeader: 'x-api-key',
  /** Direct connections: trusting a header nobody vouches for would let every client name itself. */
  trustProxy: 0,
});

/** Shortest key accepted: a key short enough to guess is no key (16 random characters are ~95 bits). */
const MIN_API_KEY_LENGTH = 16;

const LABEL = /^[A-Za-z0-9._-]{1,64}$/;
const KEY = /^[\x21-\x7e]+$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Reads API_KEYS' format: `label:key` or `key` entries, comma separated. Throws an Error saying what is wrong with
 * which entry (without echoing a key); the caller names the setting.
 */
export function parseApiKeys(text: string): ApiKey[] {
  const keys: ApiKey[] = [];
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const key = colon >= 0 ? entry.slice(colon + 1) : entry;
    const label = colon >= 0 ? entry.slice(0, colon) : `key-${sha256(key).slice(0, 8)}`;
    if (!LABEL.test(label)) throw new Error(`entry ${i + 1}: a label is 1–64 letters, digits, ".", "_" or "-"`);
    if (key.length < MIN_API_KEY_LENGTH || !KEY.test(key)) {
      throw new Error(
        `entry ${i + 1} (${label}): a key is at least ${MIN_API_KEY_LENGTH} visible characters, no spaces`,
      );
    }
    if (keys.some((k) => k.label === label)) throw new Error(`entry ${i + 1}: the label "${label}" is used twice`);
    if (keys.some((k) => k.key === key)) throw new Error(`entry ${i + 1} (${label}): the same key is listed twice`);
    keys.push({ label, key });
  });
  return keys;
}

/** "::ffff:127.0.0.1" (an IPv4 peer on a dual-stack socket) and "127.0.0.1" are the same client. */
function normalAddress(address: string): string {
  const plain = address.trim();
  return plain.toLowerCase().startsWith('::ffff:') && isIP(plain.slice(7)) === 4 ? plain.slice(7) : plain;
}

/**
 * The client's address: the socket's peer, or with `trustProxy` N the N-th X-Forwarded-For entry from the right (the
 * one the outermost trusted proxy saw). With fewer entries than trusted proxies, the furthest one there is (as
 * Express's `trust proxy` count does). Anything that is not an IP address counts as "unknown".
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | null,
  trustProxy: number,
): string {
  const chain = [socketAddress ?? 'unknown'];
  if (trustProxy > 0 && forwardedFor) {
    const hops = forwardedFor.split(',').map((hop) => hop.trim());
    for (let i = hops.length - 1; i >= 0 && chain.length <= trustProxy; i--) chain.push(hops[i] as string);
  }
  const picked = normalAddress(chain[Math.min(trustProxy, chain.length - 1)] as string);
  return isIP(picked) ? picked : 'unknown';
}

const clients = new WeakMap<Request, string>();

/** The client useClientIdentity named for this request ("key:<label>" or "ip:<address>"); undefined before it ran. */
export function clientOf(request: Request | undefined): string | undefined {
  return request ? clients.get(request) : undefined;
}

function unauthenticated(message: string, header: string) {
  return graphQLError(message, {
    extensions: { code: ErrorCode.UNAUTHENTICATED, header, http: { status: 401 } },
  });
}

/**
 * Names the client of every GraphQL request (once its method and headers are known, before its body is read):
 * `key:<label>` for a known API key, else `ip:<address>`. With API_KEYS set, a request without a key, or with an
 * unknown one, gets 401 UNAUTHENTICATED naming the header. /health, /ready and the GraphiQL page need no key: they are
 * answered before GraphQL parsing; GraphiQL's own requests carry the key once it is put in its Headers pane.
 */
export function useClientIdentity(
  settings: ClientIdentitySettings = DEFAULT_CLIENT_IDENTITY_SETTINGS,
): Plugin<Context> {
  const header = settings.apiKeyHeader.toLowerCase();
  // Looked up by the key's hash: the lookup's timing depends on a hash, not on how much of a secret was guessed.
  const labels = new Map(settings.apiKeys.map((k) => [sha256(k.key), k.label]));
  return {
    onRequestParse({ request, serverContext }) {
      if (labels.size > 0) {
        const presented = request.headers.get(header);
        if (presented === null || presented.trim() === '') {
          throw unauthenticated(`This server needs an API key in the ${header} header.`, header);
        }
        const label = labels.get(sha256(presented.trim()));
        if (label === undefined)
          throw unauthenticated(`The API key in the ${header} header is not known here.`, header);
        clients.set(request, `key:${label}`);
        return;
      }
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      const address = clientAddress(
        req?.socket?.remoteAddress,
        request.headers.get('x-forwarded-for'),
        settings.trustProxy,
      );
      clients.set(request, `ip:${address}`);
    },
  };
}
