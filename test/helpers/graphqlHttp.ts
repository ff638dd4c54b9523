// GraphQL over real HTTP for the hardening, fault and fuzz tests: the parsed body *and* the raw text, so masking can be
// checked on exactly what a client received.

import { expect } from 'vitest';
import type { Stack } from './stack.js';

export interface Answer {
  status: number;
  text: string;
  body: {
    data?: Record<string, any> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, any>;
  };
}

/** Posts a query and keeps the raw text too, so masking can be checked on exactly what the client got. */
export async function post(stack: Stack, query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(stack.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Answer['body'] };
}

/** Every error is located (has a path) and safe: no URL, stack line or upstream body text. */
export function expectLocatedAndSafe(answer: Answer): void {
  expect(answer.status).toBe(200);
  for (const error of answer.body.errors ?? []) {
    expect(error.path, error.message).toBeDefined();
    expect(error.message).not.toMatch(
      /https?:\/\/|127\.0\.0\.1|\n\s+at |<\/?[a-z]|Service Unavailable|Too Many Requests|Werkzeug|errorText/i,
    );
  }
}
