import { GraphQLError, Kind, NoSchemaIntrospectionCustomRule, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ClientClass } from '../config.js';
import { withClientErrorCode } from './mask-error.js';
import { principalOf, type AuthContext } from './use-auth.js';

const suggestion = / Did you mean .*$/;

function withoutSuggestion(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message.replace(suggestion, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

/**
 * The argument whose value holds `position` (a validation error's): "DateTime cannot represent
 * …" names no argument, and a client (or the SDK's RepogateError) wants to know which one.
 */
function argumentAt(document: DocumentNode, position: number | undefined): string | undefined {
  if (position === undefined) return undefined;
  let name: string | undefined;
  visit(document, {
    [Kind.ARGUMENT](node) {
      if (node.value.loc && node.value.loc.start <= position && position < node.value.loc.end) name = node.name.value;
    },
  });
  return name;
}

/** A BAD_USER_INPUT validation error naming the argument it is about, when it does not. */
function withArgumentName(error: GraphQLError, document: DocumentNode): GraphQLError {
  if (error.extensions.code !== 'BAD_USER_INPUT' || error.extensions.argumentName) return error;
  const argumentName = argumentAt(document, error.positions?.[0]);
  if (!argumentName) return error;
  return new GraphQLError(`Argument "${argumentName}" has an invalid value: ${error.message}`, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions: { ...error.extensions, argumentName } });
}

/**
 * What a class without introspection may learn of the schema, and the codes of input errors.
 * Such a class gets no introspection (graphql-js's own rule; yoga's disable-introspection plugin
 * decides before the request's principal is known) and no "Did you mean …?" suggestions, which
 * would map the schema piece by piece: cut from validation errors and from input errors found
 * at execution (a bad enum in variables). Validation errors skip error masking, so they get their
 * codes here (BAD_USER_INPUT for malformed literals, with the argument they are in).
 */
export function useInputErrorCodes(introspection: Record<ClientClass, boolean>): Plugin<AuthContext> {
  return {
    onValidate({ context, addValidationRule, params }) {
      const suggest = introspection[principalOf(context).clientClass];
      if (!suggest) addValidationRule(NoSchemaIntrospectionCustomRule);
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        setResult(
          result.map((error) => {
            if (!(error instanceof GraphQLError)) return error;
            const coded = withArgumentName(withClientErrorCode(error), params.documentAST);
            return suggest || !suggestion.test(coded.message) ? coded : withoutSuggestion(coded);
          }),
        );
      };
    },
    onExecute({ args }) {
      if (introspection[principalOf(args.contextValue).clientClass]) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result || !result.errors?.some((error) => suggestion.test(error.message))) return;
          setResult({ ...result, errors: result.errors.map((error) => (suggestion.test(error.message) ? withoutSuggestion(error) : error)) });
        },
      };
    },
  };
}
