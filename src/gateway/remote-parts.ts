/**
 * What merged execution (merged-execution.ts) sends a remote subgraph when the walk enters it: the
 * part of the client's selection that subgraph resolves from that position down, as one
 * operation, and how its answer goes back into the walk.
 *
 * The part keeps the client's own field nodes (aliases, arguments, directives), so the answer is
 * keyed as the response will be and its leaves are already serialised by the subgraph's types.
 * Where the selection leaves the subgraph (a field another subgraph resolves on an object of this
 * one), the part asks for the key fields that subgraph's merge entry point needs instead, under
 * `_rgKey_<field>` aliases, and the walk reads the rest from that subgraph, a level later. Fragments
 * are inlined (the operation has no abstract types: merged execution leaves those to stitching).
 */
import {
  getNamedType,
  GraphQLError,
  isObjectType,
  Kind,
  parseType,
  print,
  responsePathAsArray,
  TypeInfo,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValueNode,
  type VariableDefinitionNode,
  type VariableNode,
} from 'graphql';

/** Which subgraph resolves what: the part of FieldOwners the selection's cut needs. */
export interface Ownership {
  /** The subgraph that resolves `Type.field` on an object `producer` made. */
  resolvingSubgraph(typeName: string, fieldName: string, producer: string | undefined): string | undefined;
  /** The key fields `subgraph`'s merge entry point for `typeName` takes. */
  keyFieldsOf(subgraph: string, typeName: string): readonly string[];
}

/** The alias under which a part carries a key field for another subgraph (a document whose own aliases start so is stitched: `reservedNames`). */
export const keyAlias = (fieldName: string) => `_rgKey_${fieldName}`;

const fieldNode = (name: string, alias?: string): FieldNode => ({
  kind: Kind.FIELD,
  name: { kind: Kind.NAME, value: name },
  ...(alias && { alias: { kind: Kind.NAME, value: alias } }),
});

const selectionSet = (selections: readonly SelectionNode[]): SelectionSetNode => ({ kind: Kind.SELECTION_SET, selections });

/** The selection as the operation's positions see it. */
export interface Cut {
  target: { name: string; schema: GraphQLSchema };
  ownership: Ownership;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
}

/**
 * The selections of `selections` (on `type`) that `cut.target` resolves on objects `producer`
 * made, with their sub-selections cut the same way (the target producing those). Where another
 * subgraph takes over below an object of the target, the target's part carries that subgraph's key
 * fields; at the top of an entity fetch (producer another subgraph) it does not: the producer gives them.
 */
export function ownSelections(selections: readonly SelectionNode[], type: GraphQLObjectType, producer: string | undefined, cut: Cut): SelectionNode[] {
  const keys = new Set<string>();
  const own = (from: readonly SelectionNode[]): SelectionNode[] =>
    from.flatMap((selection): SelectionNode[] => {
      if (selection.kind !== Kind.FIELD) {
        const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : cut.fragments[selection.name.value]!.selectionSet;
        const kept = own(inner.selections);
        if (kept.length === 0) return [];
        // A fragment @skip or @include decides keeps its directives; any other is inlined.
        return selection.directives?.length ? [{ kind: Kind.INLINE_FRAGMENT, directives: selection.directives, selectionSet: selectionSet(kept) }] : kept;
      }
      const name = selection.name.value;
      if (name === '__typename') return [selection];
      const resolver = cut.ownership.resolvingSubgraph(type.name, name, producer);
      if (resolver !== cut.target.name) {
        if (producer === cut.target.name && resolver) for (const key of cut.ownership.keyFieldsOf(resolver, type.name)) keys.add(key);
        return [];
      }
      if (!selection.selectionSet) return [selection];
      const returned = getNamedType((cut.target.schema.getType(type.name) as GraphQLObjectType).getFields()[name]!.type);
      if (!isObjectType(returned)) return [selection];
      return [{ ...selection, selectionSet: selectionSet(ownSelections(selection.selectionSet.selections, returned, cut.target.name, cut)) }];
    });
  const kept = own(selections);
  for (const key of keys) kept.push(fieldNode(key, keyAlias(key)));
  return kept.length > 0 ? kept : [fieldNode('__typename')];
}

/** A part of the operation, ready to send: its document, and its field arguments the client wrote as literals. */
export interface Part {
  document: DocumentNode;
  /** Variable name → the literal it stands for (it may hold the client's variables). */
  literals: ReadonlyMap<string, ValueNode>;
}

const variableNode = (name: string): VariableNode => ({ kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } });

/**
 * A query of `selections` at the root of `schema`, with the variable definitions they use
 * (`extra` first: the entry point's arguments). Field arguments written as literals become
 * variables: the subgraph then coerces them as values (`parseValue`), as stitching delivers them
 * and merged execution in-process does; a stricter `parseLiteral` (Latitude refusing the literal
 * `0`) would refuse what they answer.
 */
export function partOperation(selections: readonly SelectionNode[], operation: OperationDefinitionNode, schema: GraphQLSchema, extra: readonly VariableDefinitionNode[] = []): Part {
  const literals = new Map<string, ValueNode>();
  const literalDefinitions: VariableDefinitionNode[] = [];
  // One variable per literal and type: a field asked twice with the same literal stays mergeable.
  const variableFor = new Map<string, string>();
  const typeInfo = new TypeInfo(schema);
  const query: OperationDefinitionNode = { kind: Kind.OPERATION_DEFINITION, operation: 'query' as OperationDefinitionNode['operation'], selectionSet: selectionSet(selections) };
  const withVariables = visit(query, visitWithTypeInfo(typeInfo, {
    Argument(argument) {
      const type = typeInfo.getArgument()?.type;
      if (typeInfo.getDirective() || !type || argument.value.kind === Kind.VARIABLE) return undefined;
      const key = `${String(type)} ${print(argument.value)}`;
      let name = variableFor.get(key);
      if (!name) {
        name = `_rgLiteral_${literals.size}`;
        variableFor.set(key, name);
        literals.set(name, argument.value);
        literalDefinitions.push({ kind: Kind.VARIABLE_DEFINITION, variable: variableNode(name), type: parseType(String(type)) });
      }
      return { ...argument, value: variableNode(name) };
    },
  }));
  const used = new Set<string>();
  visit(withVariables, { Variable: (variable) => void used.add(variable.name.value) });
  const clients = (operation.variableDefinitions ?? []).filter((definition) => used.has(definition.variable.name.value));
  return {
    document: { kind: Kind.DOCUMENT, definitions: [{ ...withVariables, variableDefinitions: [...extra, ...literalDefinitions, ...clients] }] },
    literals,
  };
}

/**
 * The variable an entity part passes an entry point's argument in. The client's variables keep
 * their names in a part, so this one must not be a client's (`reservedNames`).
 */
const entryArgument = (name: string) => `_rgEntry_${name}`;

/** An entity part: the subgraph's merge entry point (`entry`), its arguments as variables (`entryVariables`), with `selections` below it. */
export function entityPart(entry: GraphQLField<unknown, unknown>, selections: readonly SelectionNode[], operation: OperationDefinitionNode, schema: GraphQLSchema): Part {
  const args = entry.args.map((arg): VariableDefinitionNode => ({ kind: Kind.VARIABLE_DEFINITION, variable: variableNode(entryArgument(arg.name)), type: parseType(String(arg.type)) }));
  const field: FieldNode = {
    kind: Kind.FIELD,
    name: { kind: Kind.NAME, value: entry.name },
    arguments: entry.args.map((arg) => ({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: arg.name }, value: variableNode(entryArgument(arg.name)) })),
    selectionSet: selectionSet(selections),
  };
  return partOperation([field], operation, schema, args);
}

/** The entry point's arguments (the merge config's `argsFromKeys`) as an entity part's variables. */
export const entryVariables = (args: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(args).map(([name, value]) => [entryArgument(name), value]));

/** The variables a part sends: the client's it uses (as the gateway coerced them) and its literals' values. */
export function partVariables(part: Part, values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const operation = part.document.definitions[0] as OperationDefinitionNode;
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const literal = part.literals.get(name);
    const value = literal ? valueFromASTUntyped(literal, values) : values[name];
    if (value !== undefined) variables[name] = value;
  }
  return variables;
}

/**
 * An error of a subgraph's answer, as the walk raises it: the subgraph's message and extensions;
 * the executor gives path and locations (an error that had a path would keep it, and the
 * subgraph's path is not the response's).
 */
export const raised = (error: { message: string; extensions?: Record<string, unknown> }) => new GraphQLError(error.message, { extensions: error.extensions });

/** Of an answer without data: the error of the root field `key`, raised at the field below it that failed (`raisedAt`). */
export function rootFailure(errors: readonly { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[], key: string): GraphQLError | undefined {
  const error = errors.find((candidate) => candidate.path?.[0] === key);
  if (!error) return undefined;
  const failure = raised(error);
  if (error.path!.length > 1) below.set(failure, error.path!.slice(1));
  return failure;
}

/** What a part whose answer has no data fails with: its first error, or an unexpected one. */
export const failedPart = (subgraph: string, errors: readonly { message: string; extensions?: Record<string, unknown> }[] | undefined): GraphQLError =>
  errors?.[0] ? raised(errors[0]) : new GraphQLError(`${subgraph} answered no data`, { originalError: new Error(`${subgraph} answered no data`) });

/** Of an error placed at a null above the field that failed (its non-null failure nulled an object): the path from there down to that field. */
const below = new WeakMap<GraphQLError, readonly (string | number)[]>();
/** Lists holding such an error as an item: the executor raises items itself, so `raisedAt` is applied when the list is read. */
const listsWithErrorsBelow = new WeakSet<unknown[]>();

/**
 * Each error of a subgraph's answer put where the walk will meet it: at the first null on its
 * path (the field that failed, or the nullable object its non-null failure nulled), as an Error
 * value the executor raises at that position (`raisedAt` puts it back at the field that failed).
 * Errors without a place in `data` are returned.
 */
export function placeErrors<E extends { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }>(data: Record<string, unknown>, errors: readonly E[]): E[] {
  const unplaced: E[] = [];
  for (const error of errors) {
    let holder: Record<string | number, unknown> = data;
    let placed = false;
    const path = error.path ?? [];
    for (const [depth, key] of path.entries()) {
      const value = holder[key];
      if (value instanceof Error) {
        placed = true;
        break;
      }
      if (value === null || value === undefined) {
        const placing = raised(error);
        if (depth < path.length - 1) {
          below.set(placing, path.slice(depth + 1));
          if (Array.isArray(holder)) listsWithErrorsBelow.add(holder);
        }
        holder[key] = placing;
        placed = true;
        break;
      }
      if (typeof value !== 'object') break;
      holder = value as Record<string | number, unknown>;
    }
    if (!placed) unplaced.push(error);
  }
  return unplaced;
}

/** The field nodes at `path` (response keys; list indexes skipped) below `nodes`. */
function nodesBelow(nodes: readonly FieldNode[], path: readonly (string | number)[], fragments: Readonly<Record<string, FragmentDefinitionNode>>): FieldNode[] {
  const fieldsIn = (selections: readonly SelectionNode[]): FieldNode[] =>
    selections.flatMap((selection) =>
      selection.kind === Kind.FIELD ? [selection] : fieldsIn((selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments[selection.name.value]!.selectionSet).selections),
    );
  let current = [...nodes];
  for (const key of path) {
    if (typeof key === 'number') continue;
    current = fieldsIn(current.flatMap((node) => node.selectionSet?.selections ?? [])).filter((node) => (node.alias ?? node.name).value === key);
  }
  return current;
}

/**
 * The error a field read from a subgraph's answer raises: as placed, or, placed above the field
 * that failed, that field's error (its path and nodes), as the subgraph reported it and stitching
 * relays it; graphql-js keeps an error that has a path, and nulls upwards from there.
 */
export function raisedAt(error: Error, info: GraphQLResolveInfo, index?: number): Error {
  const rest = error instanceof GraphQLError ? below.get(error) : undefined;
  if (!rest || !(error instanceof GraphQLError)) return error;
  const path = [...responsePathAsArray(info.path), ...(index === undefined ? [] : [index]), ...rest];
  return new GraphQLError(error.message, { nodes: nodesBelow(info.fieldNodes, rest, info.fragments), path, extensions: error.extensions });
}

/**
 * An error of an object's remote part (its entity nulled by a failure inside it), as the field
 * that failed raises it: under the object's path (`parentPath`) and the selection it was produced
 * for; any other error as it is.
 */
export function raisedUnder(error: unknown, parentPath: GraphQLResolveInfo['path'] | undefined, producedFor: GraphQLResolveInfo): unknown {
  const rest = error instanceof GraphQLError ? below.get(error) : undefined;
  if (!rest || !(error instanceof GraphQLError)) return error;
  const path = [...(parentPath ? responsePathAsArray(parentPath) : []), ...rest];
  return new GraphQLError(error.message, { nodes: nodesBelow(producedFor.fieldNodes, rest, producedFor.fragments), path, extensions: error.extensions });
}

/**
 * Whether a document names an alias or a variable the way parts name theirs (`_rgKey_…`,
 * `_rgLiteral_…`, `_rgEntry_…`): legal for a client, and a part would then hold two of one name.
 * Such a document is left to stitching.
 */
export function reservedNames(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field: (field) => void (found ||= field.alias?.value.startsWith('_rg') ?? false),
    VariableDefinition: (definition) => void (found ||= definition.variable.name.value.startsWith('_rg')),
  });
  return found;
}

/** A field's value read from a subgraph's answer, its list items' errors placed as `raisedAt` places a field's. */
export function withItemErrorsAt(value: unknown, info: GraphQLResolveInfo): unknown {
  if (!Array.isArray(value) || !listsWithErrorsBelow.has(value)) return value;
  return value.map((item, index) => (item instanceof Error ? raisedAt(item, info, index) : item));
}
