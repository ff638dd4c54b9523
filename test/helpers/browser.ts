// A real browser for tests: Debian's headless Chromium driven over the DevTools protocol (undici's WebSocket), to see
// what a person would: rendered DOM, console errors, CSP violations, requests made and web workers started.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WebSocket } from 'undici';

/** Chromium's path (CHROMIUM_PATH, else Debian's `apt-get install chromium`), or null when none is installed. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

interface CdpEvent {
  method: string;
  params: Record<string, any>;
  sessionId?: string;
}

export interface PageRun {
  /** Evaluates `expression` in the page and returns its value (JSON-serialisable). */
  evaluate<T>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy, or throws after `timeoutMs`. */
  waitFor<T>(expression: string, timeoutMs: number): Promise<T>;
  /** Console errors, uncaught exceptions and browser log errors (CSP refusals among them). */
  errors: string[];
  /** Content-Security-Policy violations the page reported (securitypolicyviolation events). */
  cspViolations(): Promise<{ directive: string; blocked: string }[]>;
  /** Every URL the page and its workers requested. */
  requested: string[];
  /** URLs of the web workers that started. */
  workers: string[];
}

export interface Browser {
  open(url: string): Promise<PageRun>;
  close(): Promise<void>;
}

/** Starts headless Chromium with a throwaway profile. */
export async function launchBrowser(executable: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'ods-graphql-chromium-'));
  const proc: ChildProcess = spawn(
    executable,
    [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-extensions',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    // Its own process group, so close() can end Chromium's helper processes too (they write to the profile).
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Chromium did not start within 30 s')), 30_000);
    createInterface({ input: proc.stderr! }).on('line', (line) => {
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => reject(new Error(`Chromium exited (${code}) before listening`)));
  });
  const ws = new WebSocket(endpoint);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error('could not connect to Chromium')));
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(event: CdpEvent) => void>();
  ws.addEventListener('message', (message) => {
    const data = JSON.parse(String(message.data)) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    } & CdpEvent;
    if (data.id !== undefined) {
      const waiter = pending.get(data.id);
      pending.delete(data.id);
      if (data.error) waiter?.reject(new Error(data.error.message));
      else waiter?.resolve(data.result);
      return;
    }
    for (const listener of listeners) listener(data);
  });
  const send = <T = any>(method: string, params: object = {}, sessionId?: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

  return {
    async open(url) {
      const { targetId } = await send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
      const errors: string[] = [];
      const requested: string[] = [];
      const workers: string[] = [];
      const sessions = new Set([sessionId]);
      listeners.add((event) => {
        if (!event.sessionId || !sessions.has(event.sessionId)) return;
        const p = event.params;
        if (event.method === 'Runtime.consoleAPICalled' && p.type === 'error') {
          errors.push(
            `console: ${(p.args as { value?: unknown; description?: string }[]).map((a) => a.value ?? a.description).join(' ')}`,
          );
        } else if (event.method === 'Runtime.exceptionThrown') {
          errors.push(`exception: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`);
        } else if (event.method === 'Log.entryAdded' && p.entry.level === 'error') {
          errors.push(`log (${p.entry.source}): ${p.entry.text}`);
        } else if (event.method === 'Network.requestWillBeSent') {
          requested.push(p.request.url);
        } else if (event.method === 'Target.attachedToTarget' && p.targetInfo.type === 'worker') {
          workers.push(p.targetInfo.url);
          sessions.add(p.sessionId);
          void send('Network.enable', {}, p.sessionId).catch(() => undefined);
          void send('Runtime.runIfWaitingForDebugger', {}, p.sessionId).catch(() => undefined);
        }
      });
      for (const domain of ['Runtime', 'Log', 'Network', 'Page']) await send(`${domain}.enable`, {}, sessionId);
      await send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, sessionId);
      // Runs before the page's own scripts and outside its CSP: records every violation the page reports.
      await send(
        'Page.addScriptToEvaluateOnNewDocument',
        {
          source: `window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));`,
        },
        sessionId,
      );
      await send('Page.navigate', { url }, sessionId);
      const evaluate = async <T>(expression: string): Promise<T> => {
        const r = await send<{ result: { value?: T }; exceptionDetails?: { text: string } }>(
          'Runtime.evaluate',
          { expression, returnByValue: true, awaitPromise: true },
          sessionId,
        );
        if (r.exceptionDetails) throw new Error(`page evaluation failed: ${r.exceptionDetails.text}`);
        return r.result.value as T;
      };
      return {
        evaluate,
        async waitFor<T>(expression: string, timeoutMs: number): Promise<T> {
          const until = Date.now() + timeoutMs;
          for (;;) {
            const value = await evaluate<T>(expression).catch(() => undefined);
            if (value) return value;
            if (Date.now() > until) throw new Error(`timed out waiting for: ${expression}`);
            await new Promise((r) => setTimeout(r, 200));
          }
        },
        errors,
        cspViolations: () => evaluate('window.__csp'),
        requested,
        workers,
      };
    },
    async close() {
      ws.close();
      const exited = new Promise<void>((resolve) =>
        proc.exitCode !== null ? resolve() : proc.once('exit', () => resolve()),
      );
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        proc.kill('SIGKILL'); // the group is already gone
      }
      await exited;
      // A helper process may still be flushing the profile for a moment; the directory is temporary either way.
      rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    },
  };
}
