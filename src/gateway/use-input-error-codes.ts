import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ClientClass } from '../config.js';
import { withClientErrorCode } from './mask-error.js';
import { principals } from './use-auth.js';

/**
 * Validation errors skip error masking, so they get their codes here (BAD_USER_INPUT for
 * malformed literals, OPERATION_LIMIT_EXCEEDED for Armor's refusals). For classes without
 * introspection, "Did you mean …?" suggestions are cut: they would map the schema piece by piece.
 */
export function useInputErrorCodes(introspection: Record<ClientClass, boolean>): Plugin<{ request: Request }> {
  return {
    onValidate({ context }) {
      const clientClass = context.request ? principals.get(context.request)?.clientClass : undefined;
      const suggest = clientClass ? introspection[clientClass] : false;
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        setResult(
          result.map((error) => {
            if (!(error instanceof GraphQLError)) return error;
            const coded = withClientErrorCode(error);
            if (suggest || !/ Did you mean /.test(coded.message)) return coded;
            return new GraphQLError(coded.message.replace(/ Did you mean .*$/, ''), {
              nodes: coded.nodes,
              source: coded.source,
              positions: coded.positions,
              extensions: coded.extensions,
            });
          }),
        );
      };
    },
  };
}
