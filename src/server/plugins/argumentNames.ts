// Names the argument in input-coercion errors. A scalar's parser (Date, for instance) cannot know which argument it is
// parsing, so it throws BAD_USER_INPUT without `argumentName`; this plugin fills the name in from the document.

import { Kind, visit, type ArgumentNode, type ASTNode, type DocumentNode, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode, graphQLError, isGraphQLError } from '../../schema/errors.js';
import { isExecutionResult } from '../results.js';

function contains(outer: ASTNode, inner: ASTNode): boolean {
  return !!outer.loc && !!inner.loc && outer.loc.start <= inner.loc.start && inner.loc.end <= outer.loc.end;
}

/** The argument (of a field or directive) whose value holds `node`, or that takes the variable `node` defines. */
function argumentFor(document: DocumentNode, node: ASTNode): ArgumentNode | undefined {
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
function nameArguments(document: DocumentNode, errors: readonly GraphQLError[]): GraphQLError[] {
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

/**
 * Gives BAD_USER_INPUT errors raised while coercing arguments and variables (e.g. a malformed Date) the name of the
 * argument they belong to: scalars cannot know it, the document can.
 */
export function useArgumentNames(): Plugin {
  return {
    onValidate({ params }) {
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        const graphqlErrors = result.filter((e): e is GraphQLError => isGraphQLError(e));
        setResult([...nameArguments(params.documentAST, graphqlErrors), ...result.filter((e) => !isGraphQLError(e))]);
      };
    },
    onExecute({ args }) {
      const document: DocumentNode = args.document;
      return {
        onExecuteDone({ result, setResult }) {
          if (!isExecutionResult(result) || !result.errors?.length || result.data !== undefined) return;
          // Only variable-coercion failures end with no data at all; name their arguments.
          setResult({ ...result, errors: nameArguments(document, result.errors) });
        },
      };
    },
  };
}
