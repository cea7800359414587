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
import type { Plugin } from 'graphql-yoga';
import type { ClientClass, OperationLimits } from '../config.js';
import { principals } from './use-auth.js';

type ValidationRule = ReturnType<typeof maxDepthRule>;

function rulesFor(limits: OperationLimits): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, exposeLimits: true }),
    maxAliasesRule({ n: limits.maxAliases, exposeLimits: true }) as unknown as ValidationRule,
    maxDirectivesRule({ n: limits.maxDirectives, exposeLimits: true }) as unknown as ValidationRule,
    costLimitRule({ maxCost: limits.maxCost, exposeLimits: true }) as unknown as ValidationRule,
  ];
}

export function useOperationLimits(limits: Record<ClientClass, OperationLimits>): Plugin<{ request: Request }> {
  const rules = Object.fromEntries(
    Object.entries(limits).map(([clientClass, classLimits]) => [clientClass, rulesFor(classLimits)]),
  ) as Record<ClientClass, ValidationRule[]>;
  const classOf = (request: Request | undefined): ClientClass =>
    (request && principals.get(request)?.clientClass) || 'api'; // the strictest, should a request lack a principal
  return {
    onParse({ context, setParseFn }) {
      const { maxTokens } = limits[classOf(context.request)];
      setParseFn((source, options) => new MaxTokensParserWLexer(source, { ...options, n: maxTokens, exposeLimits: true }).parseDocument());
    },
    onValidate({ context, addValidationRule }) {
      for (const rule of rules[classOf(context.request)]) addValidationRule(rule);
    },
  };
}
