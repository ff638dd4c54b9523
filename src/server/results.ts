// What the server's plugins need to know about an execution's result before they add to it.
// One definition, so every plugin that rewrites results treats streamed (incremental) results the same way.

import type { ExecutionResult } from 'graphql';

/** A single result (not a stream of incremental ones), which a plugin may copy with extra `extensions` or errors. */
export function isExecutionResult(value: unknown): value is ExecutionResult {
  return typeof value === 'object' && value !== null && !(Symbol.asyncIterator in value);
}
