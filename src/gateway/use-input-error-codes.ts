import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { withInputCode } from './mask-error.js';

/** Validation errors skip error masking, so malformed literals get their code here. */
export function useInputErrorCodes(): Plugin {
  return {
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length > 0) setResult(result.map((error) => (error instanceof GraphQLError ? withInputCode(error) : error)));
      };
    },
  };
}
