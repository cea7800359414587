/**
 * Whether a field's selection asks for a given subfield, so a resolver can fetch a same-repo
 * relation with the rows it loads (one statement with a join instead of one per level, as
 * PostGraphile and Hasura compile nesting). Fragments count, inline or named; directives do not
 * (a field skipped by `@skip` is fetched anyway: extra columns, the same answer).
 */
import { Kind, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

function selectionAsks(selectionSet: SelectionSetNode | undefined, field: string, fragments: Record<string, FragmentDefinitionNode>, seen: Set<string>): boolean {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD && selection.name.value === field) return true;
    if (selection.kind === Kind.INLINE_FRAGMENT && selectionAsks(selection.selectionSet, field, fragments, seen)) return true;
    if (selection.kind === Kind.FRAGMENT_SPREAD && !seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      if (selectionAsks(fragments[selection.name.value]?.selectionSet, field, fragments, seen)) return true;
    }
  }
  return false;
}

/** Whether the field being resolved selects `field` on its result (any of its nodes, through fragments). */
export function asksFor(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, field: string): boolean {
  const seen = new Set<string>();
  return info.fieldNodes.some((node) => selectionAsks(node.selectionSet, field, info.fragments, seen));
}
