// Bounds what one operation may answer, while it executes: result objects and approximate JSON bytes counted as each
// field resolves (aliases and repeats included), and a share of the event loop, so one huge answer cannot starve others.

import {
  defaultFieldResolver,
  type ExecutionResult,
  type GraphQLEnumType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode, graphQLError } from '../../schema/errors.js';
import { isExecutionResult } from '../results.js';

/** The response bounds (src/config.ts reads each from the environment variable named beside it). */
export interface ResponseBoundsSettings {
  /**
   * MAX_RESPONSE_BYTES: the most JSON bytes one operation's `data` may take, approximately (keys, values, punctuation;
   * strings counted in UTF-16 units, escapes ignored). Over it, execution stops and the answer is RESPONSE_TOO_LARGE.
   */
  maxResponseBytes: number;
  /**
   * MAX_RESULT_OBJECTS: the most objects (Organisation, Relationship, edge, address, …) one operation's `data` may hold,
   * every alias and every repeat of an item counted. Over it, as for bytes.
   */
  maxResultObjects: number;
}

export const DEFAULT_RESPONSE_BOUNDS_SETTINGS: Readonly<ResponseBoundsSettings> = Object.freeze({
  /**
   * 10 MiB: a 1000-row page of full organisation cards is about 1.5 MB, the largest example operation (the full tier's
   * IcbDownToPractices) well under 1 MB; 10 MiB is already several seconds of download on a slow link.
   */
  maxResponseBytes: 10 * 1024 * 1024,
  /**
   * 50,000: a 1000-row page with a dozen nested objects a row is ~15,000, every example operation under 5,000 on the
   * small tier; 15 aliases × 1000 codes × two nested relationship levels is 135,000 (RAL, small tier) to 315,000 (RXH,
   * full tier). Lower is cheaper to refuse: the work done before the bound trips is the attack's cost.
   */
  maxResultObjects: 50_000,
});

/**
 * Resolver calls an operation makes in one turn of the event loop before the rest waits for the next turn
 * (setImmediate, after pending I/O). A warm one-organisation query makes a few dozen; on the attack request a call
 * takes a few microseconds, so another client's request waits a few milliseconds per turn of a big operation
 * (bench/abuse.ts measures it).
 */
const RESOLVER_CALLS_PER_TURN = 1000;

/** Where the operation's meter hangs on its context (one context per operation, batched ones included). */
const METER = Symbol('responseMeter');

type Resolver = GraphQLFieldResolver<unknown, unknown>;

/** Which bound an operation went over. */
type Exceeded = 'bytes' | 'objects';

/** One operation's counts and its queue of resolver calls waiting for their turn. */
class ResultMeter {
  objects = 0;
  bytes = 0;
  exceeded: Exceeded | undefined;
  private callsThisTurn = 0;
  /** Calls waiting for a turn, from `head` on (a queue of hundreds of thousands: no shifting of the array). */
  private waiting: (() => void)[] = [];
  private head = 0;
  private turnScheduled = false;

  constructor(private readonly settings: ResponseBoundsSettings) {}

  /** Adds what one resolved field puts in the response; true once the operation is over a bound. */
  add(objects: number, bytes: number): boolean {
    this.objects += objects;
    this.bytes += bytes;
    if (this.exceeded === undefined) {
      if (this.bytes > this.settings.maxResponseBytes) this.exceeded = 'bytes';
      else if (this.objects > this.settings.maxResultObjects) this.exceeded = 'objects';
    }
    return this.exceeded !== undefined;
  }

  /** Whether this call may run now; false once the turn's share is spent (then `later` it). */
  mayRunNow(): boolean {
    return ++this.callsThisTurn <= RESOLVER_CALLS_PER_TURN;
  }

  /**
   * A composite list's items, those beyond this turn's share waiting for later turns: graphql-js completes a list's
   * items (all their fields) in one go, and 15,000 listed organisations would be one long turn.
   */
  paced(items: readonly unknown[]): readonly unknown[] {
    if (this.callsThisTurn + items.length <= RESOLVER_CALLS_PER_TURN) {
      this.callsThisTurn += items.length;
      return items;
    }
    return items.map((item) => (this.mayRunNow() ? item : this.later(() => item)));
  }

  /** Runs `call` in a later turn of the event loop, first come first served, a turn's share at a time. */
  later<T>(call: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        try {
          resolve(call());
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      this.scheduleTurn();
    });
  }

  private scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      const end = Math.min(this.waiting.length, this.head + RESOLVER_CALLS_PER_TURN);
      const released = this.waiting.slice(this.head, end);
      this.head = end;
      // Dropped from the front once half is done, so released calls are not held (amortised: each moves once or twice).
      if (this.head * 2 >= this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      // Calls their results make (graphql-js completing them, in microtasks after this) count against this turn too.
      this.callsThisTurn = released.length;
      for (const run of released) run();
      if (this.waiting.length > this.head) this.scheduleTurn();
    });
  }
}

/** What a field's values are, read once from its type: how its results are counted, and what it answers once over. */
interface FieldShape {
  /** An object, interface or union type (else a scalar or enum). */
  readonly composite: boolean;
  /**
   * What the field answers once the operation is over a bound: null where the type allows it, else a valid value that
   * costs nothing to complete ([] for a list, '' for a String…), so graphql-js makes no "cannot return null" error
   * (two GraphQLErrors with stack traces each) for every field still in flight. Null (an error) for the rest.
   */
  readonly empty: unknown;
}

const kindOf = (type: GraphQLOutputType): string => type[Symbol.toStringTag];

const EMPTY_SCALARS: Record<string, unknown> = { String: '', ID: '', Int: 0, Float: 0, Boolean: false };

/** Reads a field's type by shape (under vitest the schema's graphql-js may be another copy than ours). */
function shapeOf(type: GraphQLOutputType): FieldShape {
  let named: GraphQLOutputType = type;
  while ('ofType' in named) named = named.ofType;
  const kind = kindOf(named);
  const composite = kind === 'GraphQLObjectType' || kind === 'GraphQLInterfaceType' || kind === 'GraphQLUnionType';
  let empty: unknown = null;
  if (kindOf(type) === 'GraphQLNonNull') {
    const inner = (type as { ofType: GraphQLOutputType }).ofType;
    if (kindOf(inner) === 'GraphQLList') empty = [];
    else if (kind === 'GraphQLScalarType') empty = EMPTY_SCALARS[named.name] ?? null;
    else if (kind === 'GraphQLEnumType') empty = (named as GraphQLEnumType).getValues()[0]?.value ?? null;
  }
  return { composite, empty };
}

/** JSON bytes of a leaf value, roughly: strings by length plus quotes, numbers by their digits. */
function leafBytes(value: unknown): number {
  if (value === null || value === undefined) return 4;
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number') return String(value).length;
  if (typeof value === 'boolean') return 5;
  if (Array.isArray(value)) {
    let bytes = 2 + Math.max(0, value.length - 1);
    for (const item of value) bytes += leafBytes(item);
    return bytes;
  }
  // A custom scalar serialises itself; a few dozen bytes is typical (dates, ids).
  return 32;
}

/** [objects, bytes] a composite value adds (its own fields add theirs as they resolve). Items not yet known count 1. */
function compositeCount(value: unknown, out: [number, number]): void {
  if (value === null || value === undefined) {
    out[1] += 4;
  } else if (Array.isArray(value)) {
    out[1] += 2 + Math.max(0, value.length - 1);
    for (const item of value) compositeCount(item, out);
  } else {
    out[0] += 1;
    out[1] += 2;
  }
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/** Measures `value` (a field's result for the response key `key`) into `meter`; null instead once over a bound. */
function measure(meter: ResultMeter, shape: FieldShape, key: string | number, value: unknown): unknown {
  // "key": and a comma
  const keyBytes = typeof key === 'string' ? key.length + 4 : 0;
  let over: boolean;
  if (shape.composite) {
    const counted: [number, number] = [0, keyBytes];
    compositeCount(value, counted);
    over = meter.add(counted[0], counted[1]);
  } else {
    over = meter.add(0, keyBytes + leafBytes(value));
  }
  // Over a bound, nothing more is worked out: the answer will be RESPONSE_TOO_LARGE alone.
  if (over) return shape.empty;
  return shape.composite && Array.isArray(value) ? meter.paced(value) : value;
}

function boundedResolver(resolve: Resolver, shape: FieldShape): Resolver {
  const run: Resolver = (source, args, context, info) => {
    const meter = (context as { [METER]?: ResultMeter })[METER]!;
    if (meter.exceeded) return shape.empty;
    const value = resolve(source, args, context, info);
    if (isThenable(value)) return Promise.resolve(value).then((v) => measure(meter, shape, info.path.key, v));
    return measure(meter, shape, info.path.key, value);
  };
  return (source, args, context, info) => {
    const meter = (context as { [METER]?: ResultMeter } | null | undefined)?.[METER];
    // A schema shared with servers that do not bound responses (or executed directly): the resolver as it was.
    if (meter === undefined) return resolve(source, args, context, info);
    // Every field waits its turn, leaves too (15,000 listed objects' leaves alone are a long turn), and so does the
    // wind-down once over a bound: each call is cheap then, but there may be hundreds of thousands in flight.
    if (meter.mayRunNow()) return run(source, args, context, info);
    return meter.later(() => run(source, args, context, info));
  };
}

/** Schemas whose resolvers are wrapped already (the schema is a module singleton shared by every server). */
const wrapped = new WeakSet<GraphQLSchema>();

/** Wraps every field resolver of the schema's own types (introspection's are left alone) with the meter, once. */
function wrapSchema(schema: GraphQLSchema): void {
  if (wrapped.has(schema)) return;
  wrapped.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !('getFields' in type) || type[Symbol.toStringTag] === 'GraphQLInputObjectType') {
      continue;
    }
    const fields = (type as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields();
    for (const field of Object.values(fields)) {
      field.resolve = boundedResolver(field.resolve ?? defaultFieldResolver, shapeOf(field.type));
    }
  }
}

function tooLarge(settings: ResponseBoundsSettings, exceeded: Exceeded): ExecutionResult {
  const [setting, limit, what] =
    exceeded === 'bytes'
      ? (['MAX_RESPONSE_BYTES', settings.maxResponseBytes, 'bytes'] as const)
      : (['MAX_RESULT_OBJECTS', settings.maxResultObjects, 'result objects'] as const);
  const error = graphQLError(
    `The answer to this operation would be more than ${limit} ${what} (${setting}), so it was stopped. ` +
      'Ask for fewer items (`first`, fewer or no repeated codes), fewer aliases, fields or nested levels, or split it into several operations.',
    { extensions: { code: ErrorCode.RESPONSE_TOO_LARGE, setting, limit } },
  );
  return { data: null, errors: [error] };
}

/**
 * Meters every operation's result while it executes. Over MAX_RESPONSE_BYTES or MAX_RESULT_OBJECTS, every further
 * resolver returns null at once and the whole result is replaced by one RESPONSE_TOO_LARGE error (HTTP 200, as for
 * the other execution-time refusals; `extensions.setting` names the setting, `extensions.limit` its value). Listed
 * first among the server's plugins, so the error log and the other plugins see only that error, not the debris.
 */
export function useResponseBounds(overrides: Partial<ResponseBoundsSettings> = {}): Plugin {
  const settings: ResponseBoundsSettings = { ...DEFAULT_RESPONSE_BOUNDS_SETTINGS, ...overrides };
  return {
    onSchemaChange({ schema }) {
      wrapSchema(schema);
    },
    onExecute({ args }) {
      wrapSchema(args.schema);
      const meter = new ResultMeter(settings);
      (args.contextValue as { [METER]?: ResultMeter })[METER] = meter;
      return {
        onExecuteDone({ result, setResult }) {
          if (meter.exceeded === undefined || !isExecutionResult(result)) return;
          setResult({
            ...tooLarge(settings, meter.exceeded),
            ...(result.extensions ? { extensions: result.extensions } : {}),
          });
        },
      };
    },
  };
}
