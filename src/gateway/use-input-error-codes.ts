import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
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
 * What a class without introspection may learn of the schema, and the codes of input errors.
 * Such a class gets no introspection (graphql-js's own rule; yoga's disable-introspection plugin
 * decides before the request's principal is known) and no "Did you mean …?" suggestions, which
 * would map the schema piece by piece: cut from validation errors and from input errors found
 * at execution (a bad enum in variables). Validation errors skip error masking, so they get their
 * codes here (BAD_USER_INPUT for malformed literals).
 */
export function useInputErrorCodes(introspection: Record<ClientClass, boolean>): Plugin<AuthContext> {
  return {
    onValidate({ context, addValidationRule }) {
      const suggest = introspection[principalOf(context).clientClass];
      if (!suggest) addValidationRule(NoSchemaIntrospectionCustomRule);
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        setResult(
          result.map((error) => {
            if (!(error instanceof GraphQLError)) return error;
            const coded = withClientErrorCode(error);
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
