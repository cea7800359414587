/**
 * What a field's selection goes on to ask, so a resolver can fetch a same-repo relation with the
 * rows it loads (one statement with a join instead of one per level, as PostGraphile and Hasura
 * compile nesting). Fragments count, inline or named; directives do not (a field skipped by
 * `@skip` is fetched anyway: extra work, the same answer).
 */
import {
  getArgumentValues,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

type Fragments = Record<string, FragmentDefinitionNode>;

/** The fields named `name` in these selection sets, through fragments (each fragment once). */
function fieldsNamed(selectionSets: readonly (SelectionSetNode | undefined)[], name: string, fragments: Fragments): FieldNode[] {
  const found: FieldNode[] = [];
  const seen = new Set<string>();
  const visit = (selectionSet: SelectionSetNode | undefined) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === name) found.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        visit(fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  selectionSets.forEach(visit);
  return found;
}

/** Whether the field being resolved selects `field` on its result (any of its nodes, through fragments). */
export function asksFor(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, field: string): boolean {
  return fieldsNamed(info.fieldNodes.map((node) => node.selectionSet), field, info.fragments).length > 0;
}

/**
 * The arguments of the field reached by `path` (field names, not aliases) below the field being
 * resolved, variables applied; null when the selection does not go there. Where one path is
 * selected more than once with other arguments (two aliases), the first selection's arguments
 * are taken and the path goes on through the selections that share them: the others are left to
 * their own resolvers, so a join-ahead serves one of them and never answers another wrongly.
 */
export function argumentsAt(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'returnType' | 'variableValues'>, path: readonly string[]): Record<string, unknown> | null {
  let nodes: readonly FieldNode[] = info.fieldNodes;
  let type = getNamedType(info.returnType);
  let args: Record<string, unknown> = {};
  for (const name of path) {
    const definition = isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
    const found = fieldsNamed(nodes.map((node) => node.selectionSet), name, info.fragments);
    if (!definition || found.length === 0) return null;
    args = getArgumentValues(definition, found[0]!, info.variableValues);
    const same = JSON.stringify(args);
    nodes = found.filter((node, i) => i === 0 || JSON.stringify(getArgumentValues(definition, node, info.variableValues)) === same);
    type = getNamedType(definition.type);
  }
  return args;
}
