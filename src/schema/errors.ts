// The GraphQL error vocabulary (BAD_USER_INPUT, UPSTREAM_UNAVAILABLE, UPSTREAM_REJECTED, …) and the one place source failures are translated.
// It knows only the source-level error classes (src/source/errors.ts), never a wire format, so another source slots in unchanged.

import { Kind, visit, type ArgumentNode, type ASTNode, type DocumentNode, type GraphQLError, type GraphQLErrorOptions } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import {
  SourceError,
  SourceInvalidArgumentError,
  SourceRejectedError,
  SourceUnavailableError,
} from '../sources/errors.js';
import { UpstreamAbortedError, UpstreamBudgetExceededError } from '../upstream/errors.js';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_REJECTED: 'UPSTREAM_REJECTED',
  /** The operation spent (or would spend) more upstream calls than MAX_UPSTREAM_CALLS_PER_OPERATION allows. */
  UPSTREAM_BUDGET_EXCEEDED: 'UPSTREAM_BUDGET_EXCEEDED',
  /** The request's deadline (REQUEST_DEADLINE_MS) passed before upstream answered this field. */
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

/**
 * Every GraphQLError this project raises is made here, with the GraphQLError class Yoga itself uses. (A test runner
 * that bundles our sources may load a second copy of graphql-js; Yoga masks errors of a class it does not know.)
 */
export function graphQLError(message: string, options: GraphQLErrorOptions = {}): GraphQLError {
  return createGraphQLError(message, options);
}

/** True for a GraphQLError from any copy of graphql-js. */
export function isGraphQLError(value: unknown): value is GraphQLError {
  return value instanceof Error && value.name === 'GraphQLError' && 'extensions' in value;
}

/** A client mistake in one argument: `extensions.code` BAD_USER_INPUT and `extensions.argumentName`. */
export function badUserInput(message: string, argumentName?: string, extra: Record<string, unknown> = {}): GraphQLError {
  return graphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, ...(argumentName ? { argumentName } : {}), ...extra },
  });
}

/**
 * A BAD_USER_INPUT for scalar parsers. Deliberately not a GraphQLError: graphql-js then wraps it in an error that
 * carries the offending node's location (and keeps these extensions), which lets the server name the argument.
 */
export class InputCoercionError extends Error {
  readonly extensions = { code: ErrorCode.BAD_USER_INPUT };
}

/** Fixed, client-safe wording per kind of upstream failure: the detail (URLs, upstream bodies) stays in the log. */
const UNAVAILABLE_MESSAGES: Record<string, string> = {
  timeout: 'ORD did not answer in time.',
  network: 'ORD could not be reached.',
  html: 'ORD answered with an error page.',
  http_status: 'ORD answered with an error.',
  malformed: 'ORD sent an unreadable answer.',
  rate_limited: 'ORD is limiting our request rate.',
  circuit_open: 'ORD has been failing, so calls to it are paused for a short while.',
};

/**
 * ORD's 406 texts are short fixed sentences ("Supplied Name needs a minimum of 3 Characters."); anything else (an
 * excerpt of an unexpected body) might carry upstream internals and is not passed on.
 */
function isSafeUpstreamText(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9 .,'"()\/:_-]{0,159}$/.test(text) && !/https?:|\/\//i.test(text);
}

/** The source error behind each GraphQLError made by toGraphQLError: for the log (with the request id), never the client. */
const sourceErrors = new WeakMap<GraphQLError, unknown>();

/** The source error a GraphQLError was made from (looking through graphql-js's located wrapper), if any. */
export function sourceErrorOf(error: GraphQLError): unknown {
  const direct = sourceErrors.get(error);
  if (direct !== undefined) return direct;
  const original = error.originalError;
  return isGraphQLError(original) ? sourceErrors.get(original) : undefined;
}

/** Shows a client's value in a message without echoing megabytes of it back. */
export function quoteInput(value: unknown, max = 40): string {
  const text = String(value);
  const chars = [...text];
  return JSON.stringify(chars.length > max ? `${chars.slice(0, max).join('')}…` : text);
}

/**
 * Turns whatever a source call threw into the GraphQL error that field should carry.
 * - ORD refused the request (406): UPSTREAM_REJECTED with ORD's own `errorText` in the message and `extensions.ordErrorText`.
 * - ORD or the network failed (5xx, HTML page, timeout, reset, malformed JSON, 429): UPSTREAM_UNAVAILABLE with `extensions.kind`.
 * - The client refused an argument before sending: BAD_USER_INPUT.
 * GraphQLErrors pass through; anything else is left as is (Yoga masks it as an unexpected error and logs it).
 */
export function toGraphQLError(error: unknown): Error {
  if (isGraphQLError(error)) return error;
  const translated = translate(error);
  if (isGraphQLError(translated)) sourceErrors.set(translated, error);
  return translated;
}

/**
 * Messages are fixed per case (plus ORD's own 406 text when it is one of its short sentences): no URL, stack or upstream
 * body reaches a client. `sourceErrorOf` keeps the original for the log.
 */
function translate(error: unknown): Error {
  if (error instanceof SourceRejectedError) {
    // No `originalError`: Yoga would mask an error whose original is not a GraphQLError. Upstream's detail is in the text.
    if (!isSafeUpstreamText(error.upstreamText)) {
      return graphQLError('ORD rejected the request.', { extensions: { code: ErrorCode.UPSTREAM_REJECTED, status: error.status } });
    }
    return graphQLError(`ORD rejected the request: ${error.upstreamText}`, {
      extensions: { code: ErrorCode.UPSTREAM_REJECTED, ordErrorText: error.upstreamText, status: error.status },
    });
  }
  if (error instanceof SourceUnavailableError) {
    const kind = /^[a-z_]{1,32}$/.test(error.kind) ? error.kind : 'unknown';
    return graphQLError(`ORD is unavailable (${kind}): ${UNAVAILABLE_MESSAGES[kind] ?? 'ORD failed.'} Try again later.`, {
      extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, kind, ...(error.status ? { status: error.status } : {}) },
    });
  }
  if (error instanceof SourceInvalidArgumentError) {
    return graphQLError(error.message, {
      extensions: { code: ErrorCode.BAD_USER_INPUT },
    });
  }
  if (error instanceof UpstreamBudgetExceededError) {
    return graphQLError(error.message, {
      extensions: { code: ErrorCode.UPSTREAM_BUDGET_EXCEEDED, limit: error.budget, spent: error.spent },
    });
  }
  if (error instanceof UpstreamAbortedError) {
    return graphQLError('The request\'s deadline passed before ORD answered this field.', {
      extensions: { code: ErrorCode.DEADLINE_EXCEEDED },
    });
  }
  if (error instanceof SourceError) {
    return graphQLError('ORD is unavailable. Try again later.', {
      extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE },
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Awaits a source call, translating a failure with `toGraphQLError`. */
export async function fromSource<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw toGraphQLError(error);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Naming the argument in input-coercion errors. A scalar's parser (Date, for instance) cannot know which argument it
// is parsing, so it throws BAD_USER_INPUT without `argumentName`; the server fills the name in from the document.

function contains(outer: ASTNode, inner: ASTNode): boolean {
  return !!outer.loc && !!inner.loc && outer.loc.start <= inner.loc.start && inner.loc.end <= outer.loc.end;
}

/** The argument (of a field or directive) whose value holds `node`, or that takes the variable `node` defines. */
export function argumentFor(document: DocumentNode, node: ASTNode): ArgumentNode | undefined {
  const variableName = node.kind === Kind.VARIABLE_DEFINITION ? node.variable.name.value : null;
  let found: ArgumentNode | undefined;
  visit(document, {
    Argument(argument) {
      if (found) return false;
      if (variableName !== null) {
        let uses = false;
        visit(argument.value, {
          Variable(variable) {
            if (variable.name.value === variableName) uses = true;
          },
        });
        if (uses) found = argument;
      } else if (contains(argument, node)) {
        found = argument;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Gives every BAD_USER_INPUT coercion error (from validation or variable coercion) an `argumentName`, and gives
 * graphql-js's own "Expected value of type …" errors for our scalars the BAD_USER_INPUT code.
 */
export function nameArguments(document: DocumentNode, errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map((error) => {
    const original = error.originalError as (Error & { extensions?: Record<string, unknown> }) | undefined;
    const code = error.extensions.code ?? original?.extensions?.code;
    if (code !== ErrorCode.BAD_USER_INPUT || error.extensions.argumentName) return error;
    const node = error.nodes?.[0];
    const argument = node ? argumentFor(document, node) : undefined;
    const variableName = node?.kind === Kind.VARIABLE_DEFINITION ? node.variable.name.value : undefined;
    const argumentName = argument?.name.value ?? variableName;
    if (!argumentName) return error;
    return graphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: {
        ...error.extensions,
        code: ErrorCode.BAD_USER_INPUT,
        argumentName,
        ...(variableName ? { variableName } : {}),
      },
    });
  });
}



// ---------------------------------------------------------------------------------------------------------------
// Argument checks shared by the schema modules. Each throws BAD_USER_INPUT naming the argument.

const ODS_CODE = /^[A-Za-z0-9]{2,12}$/;

/** An ODS code is 2–12 letters and digits (e.g. RWR, RVVKC, F83001); returned upper-cased. */
export function checkOdsCode(value: string, argumentName: string): string {
  const code = value.trim();
  if (!ODS_CODE.test(code)) {
    throw badUserInput(`${argumentName} must be an ODS code of 2 to 12 letters and digits; got ${quoteInput(value)}.`, argumentName);
  }
  return code.toUpperCase();
}

const CODE_SYSTEM_ID: Record<'RO' | 'RE' | 'RC', { pattern: RegExp; example: string; what: string }> = {
  RO: { pattern: /^RO\d{1,4}$/i, example: 'RO197', what: 'role type id' },
  RE: { pattern: /^RE\d{1,4}$/i, example: 'RE6', what: 'relationship type id' },
  RC: { pattern: /^RC\d{1,2}$/i, example: 'RC1', what: 'record class id' },
};

/** An ORD code-system id of the given family (RO…, RE…, RC…); returned upper-cased. */
export function checkCodeSystemId(value: string, family: 'RO' | 'RE' | 'RC', argumentName: string): string {
  const rule = CODE_SYSTEM_ID[family];
  const id = value.trim();
  if (!rule.pattern.test(id)) {
    throw badUserInput(`${argumentName} must be an ORD ${rule.what} like ${rule.example}; got ${quoteInput(value)}.`, argumentName);
  }
  return id.toUpperCase();
}

/** ORD's own rule for `Name` (docs/ord-api.md §1.2): 3–100 characters from this set; `_` matches any one character. */
const NAME_CHARS = /^[a-zA-Z0-9_@&.()'" /:,+;-]*$/;

/** A name filter ORD would accept; checked here so the client hears about it before anything is sent. */
export function checkNameFilter(value: string, argumentName: string, label = argumentName): string {
  const length = [...value].length;
  if (length < 3 || length > 100) {
    throw badUserInput(`${label} must be 3 to 100 characters (ORD's rule); got ${length}.`, argumentName);
  }
  if (!NAME_CHARS.test(value)) {
    throw badUserInput(
      `${label} may hold only letters, digits, spaces and _ @ & . ( ) ' " / : , + ; - (ORD's rule); got ${quoteInput(value)}.`,
      argumentName,
    );
  }
  return value;
}

/**
 * A UK postcode or a prefix of one (area "LS", district "LS1", sector "LS1 4", full "LS1 4HY" with or without the
 * space), at most 8 characters: the shapes ORD's PostCode filter matches.
 */
const POSTCODE_PREFIX = /^[A-Z]{1,2}(?:[0-9][A-Z0-9]?(?: ?[0-9](?:[A-Z]{1,2})?)?)? ?$/i;

export function checkPostcodeFilter(value: string, argumentName: string, label = argumentName): string {
  const length = [...value].length;
  if (length < 2 || length > 8 || !POSTCODE_PREFIX.test(value)) {
    throw badUserInput(
      `${label} must be a UK postcode or the start of one (2 to 8 characters, e.g. "LS1" or "LS1 4HY"); got ${quoteInput(value)}.`,
      argumentName,
    );
  }
  return value;
}
