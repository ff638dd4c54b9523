// The failures any OrganisationSource may raise, whatever its wire (ORD today, FHIR later): the GraphQL layer knows only these.
// A source's own error classes extend them (src/sources/ord/errors.ts): callers switch on meaning, never on a wire.

/** Base class: "the source could not give an answer". `endpoint` names the upstream operation, for logs and counters. */
export class SourceError extends Error {
  readonly endpoint: string | null;
  constructor(message: string, endpoint: string | null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.endpoint = endpoint;
  }
}

/** Upstream refused the request as invalid (ORD: 406). `upstreamText` is upstream's own explanation, verbatim. */
export class SourceRejectedError extends SourceError {
  readonly status: number;
  readonly upstreamText: string;
  constructor(status: number, upstreamText: string, endpoint: string | null) {
    super(`Upstream rejected the request (${status}): ${upstreamText}`, endpoint);
    this.status = status;
    this.upstreamText = upstreamText;
  }
}

/** Upstream (or the network to it) failed; `kind` says how (timeout, network, html, malformed, http_status, rate_limited, circuit_open…). */
export class SourceUnavailableError extends SourceError {
  readonly kind: string;
  readonly status: number | null;
  constructor(
    kind: string,
    message: string,
    options: { endpoint?: string | null; status?: number | null; cause?: unknown } = {},
  ) {
    super(message, options.endpoint ?? null, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.status = options.status ?? null;
  }
}

/** An argument was refused before anything was sent (e.g. a code that could escape a URL path). */
export class SourceInvalidArgumentError extends SourceError {
  readonly argument: string;
  readonly value: unknown;
  constructor(argument: string, value: unknown, reason: string, endpoint: string | null = null) {
    super(`Invalid ${argument} ${JSON.stringify(String(value)).slice(0, 80)}: ${reason}`, endpoint);
    this.argument = argument;
    this.value = value;
  }
}

/** The source cannot answer this kind of request at all (e.g. ORD has no date filter on searches): nothing was sent. */
export class SourceUnsupportedError extends SourceError {
  readonly feature: string;
  readonly sourceName: string;
  constructor(feature: string, sourceName: string, hint: string) {
    super(`${feature} is not available from the ${sourceName} source: ${hint}`, null);
    this.feature = feature;
    this.sourceName = sourceName;
  }
}
