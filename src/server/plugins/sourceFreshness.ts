// `extensions.source` on every result from a source that says how fresh it is (the mirror): its name and `asOf`,
// the moment its data was last known complete and current, so a client can tell a day-old answer from a live one.

import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/builder.js';
import type { SourceFreshness } from '../../sources/types.js';

/** What every result carries in `extensions.source`. */
export interface SourceReport {
  name: string;
  /** ISO 8601; null when the source has never been complete (an empty or half-built mirror). */
  asOf: string | null;
}

function isExecutionResult(result: unknown): result is ExecutionResult {
  return typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result);
}

/** Adds `extensions.source` to every execution result, refusals included. */
export function useSourceFreshness(source: SourceFreshness): Plugin<Context> {
  const withReport = (result: ExecutionResult): ExecutionResult => ({
    ...result,
    extensions: { ...result.extensions, source: { name: source.sourceName, asOf: source.dataAsOf() } },
  });
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (isExecutionResult(result)) setResult(withReport(result));
        },
      };
    },
  };
}
