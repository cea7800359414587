/**
 * Depth, alias, directive, token and cost limits per client class, with GraphQL Armor's rules.
 * They run at parse and validation time, before the context exists: a refused operation costs
 * no registry read and no SQL. Armor's plugins apply one configuration to every request; here
 * each request gets its class's, so the rules are added per request instead.
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ClientClass, OperationLimits } from '../config.js';
import { OperationLimitError, type OperationLimit } from '../errors.js';
import { classDocumentCache, type ClassDocumentCache } from './document-cache.js';
import { principalOf, type AuthContext } from './use-auth.js';

type ValidationRule = ReturnType<typeof maxDepthRule>;

const armorRefusal = /^Syntax Error: (Query depth|Aliases|Directives|Query Cost|Token) limit of (\d+) exceeded(?:, found ([\d.]+))?\.$/;
const limitNames: Record<string, [what: string, limit: OperationLimit]> = {
  'Query depth': ['Query depth', 'maxDepth'],
  Aliases: ['Aliases', 'maxAliases'],
  Directives: ['Directives', 'maxDirectives'],
  'Query Cost': ['Query cost', 'maxCost'],
  Token: ['Token', 'maxTokens'],
};

/**
 * Armor words every refusal as "Syntax Error: Query Cost limit of 50000 exceeded, found …",
 * which reads as a typo in the query. Said instead: what was exceeded, the limit, the class.
 */
export function limitRefusal(error: unknown, clientClass: ClientClass): unknown {
  const match = error instanceof GraphQLError ? armorRefusal.exec(error.message) : null;
  if (!match) return error;
  const [what, limit] = limitNames[match[1]!]!;
  return new OperationLimitError(what, limit, Number(match[2]), match[3] === undefined ? undefined : Number(match[3]), clientClass);
}

function rulesFor(limits: OperationLimits, clientClass: ClientClass): ValidationRule[] {
  const refuse = { propagateOnRejection: false, onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(limitRefusal(error, clientClass) as GraphQLError)] };
  return [
    maxDepthRule({ n: limits.maxDepth, exposeLimits: true, ...refuse }),
    maxAliasesRule({ n: limits.maxAliases, exposeLimits: true, ...refuse }) as unknown as ValidationRule,
    maxDirectivesRule({ n: limits.maxDirectives, exposeLimits: true, ...refuse }) as unknown as ValidationRule,
    costLimitRule({ maxCost: limits.maxCost, exposeLimits: true, ...refuse }) as unknown as ValidationRule,
  ];
}

export function useOperationLimits(
  limits: Record<ClientClass, OperationLimits>,
  documents: ClassDocumentCache = classDocumentCache(),
): Plugin<AuthContext> {
  const rules = Object.fromEntries(
    Object.entries(limits).map(([clientClass, classLimits]) => [clientClass, rulesFor(classLimits, clientClass as ClientClass)]),
  ) as Record<ClientClass, ValidationRule[]>;
  return {
    onParse({ context, setParseFn }) {
      const { clientClass } = principalOf(context);
      const { maxTokens } = limits[clientClass];
      setParseFn((source, options) =>
        documents.parse(clientClass, typeof source === 'string' ? source : source.body, () => {
          try {
            return new MaxTokensParserWLexer(source, { ...options, n: maxTokens, exposeLimits: true }).parseDocument();
          } catch (error) {
            throw limitRefusal(error, clientClass);
          }
        }),
      );
    },
    onValidate({ context, addValidationRule }) {
      for (const rule of rules[principalOf(context).clientClass]) addValidationRule(rule);
    },
  };
}
