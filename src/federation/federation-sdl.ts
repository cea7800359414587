/**
 * A subgraph's SDL as an Apollo Federation v2 subgraph: what its `_service { sdl }` answers and
 * what composition (`@theguild/federation-composition`, any federation gateway) reads. Derived
 * from the descriptor, never written twice:
 * - `@key` on each type of its `merge` config, on the fields its merge entry point is keyed by
 *   (the same keys the gateway batches by in-process);
 * - `@shareable` where another subgraph resolves the same field: a value type defined in several
 *   subgraphs (PageInfo), or an entity's non-key field that another subgraph also defines;
 * - `@inaccessible` on the merge entry points (root fields named `_…`) and the types only they
 *   use (`internalTypes`): a federation gateway reaches entities through `_entities`, and the
 *   entry points must not show in its API schema.
 * `@external` would mark fields a subgraph names but does not resolve (for `@requires`); none of
 * ours has such a field: each resolves every field of its SDL, key fields included.
 */
import type { MergedTypeConfig } from '@graphql-tools/delegate';
import { Kind, parse, print, visit, type ConstArgumentNode, type ConstDirectiveNode, type DocumentNode } from 'graphql';
import type { AnySubgraph } from '../subgraph-kit/subgraph.js';

/** Federation v2.3: @key, @shareable, @inaccessible and @interfaceObject, which every v2 gateway and composer reads. */
export const FEDERATION_SPEC_URL = 'https://specs.apollo.dev/federation/v2.3';

const rootTypes = new Set(['Query', 'Mutation', 'Subscription']);

/** The `@key(fields:)` of each entity type: the selection sets its merge entry points are keyed by. */
export function entityKeys(merge: Readonly<Record<string, MergedTypeConfig>>): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const [typeName, config] of Object.entries(merge)) {
    const selectionSets = [config.selectionSet, ...(config.entryPoints ?? []).map((entryPoint) => entryPoint.selectionSet)];
    const fields = selectionSets.filter((set): set is string => Boolean(set)).map((set) => set.trim().replace(/^\{([\s\S]*)\}$/, '$1').trim());
    if (fields.length === 0) throw new TypeError(`merge.${typeName} has no selectionSet: a federation @key needs the fields it is keyed by`);
    keys.set(typeName, [...new Set(fields)]);
  }
  return keys;
}

/** The fields of each object type a document defines (root types left out). */
function objectFields(document: DocumentNode): Map<string, Set<string>> {
  const types = new Map<string, Set<string>>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    if (rootTypes.has(definition.name.value)) continue;
    const fields = types.get(definition.name.value) ?? new Set<string>();
    for (const field of definition.fields ?? []) fields.add(field.name.value);
    types.set(definition.name.value, fields);
  }
  return types;
}

function directive(name: string, args: Record<string, string> = {}): ConstDirectiveNode {
  return {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: name },
    arguments: Object.entries(args).map(
      ([argument, value]): ConstArgumentNode => ({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: argument }, value: { kind: Kind.STRING, value } }),
    ),
  };
}

/**
 * The Federation v2 SDL of `subgraph`. `peers` are the subgraphs it is composed with (itself may
 * be among them): which fields are shared depends on who else defines them.
 */
export function federationSdl(subgraph: AnySubgraph, peers: readonly AnySubgraph[]): string {
  const document = parse(subgraph.typeDefs);
  const keys = entityKeys(subgraph.merge);
  const keyFields = new Map([...keys].map(([typeName, sets]) => [typeName, new Set(sets.flatMap((set) => set.split(/[\s,]+/)))]));
  // Who else defines each type's fields.
  const elsewhere = new Map<string, Set<string>>();
  for (const peer of peers) {
    if (peer.name === subgraph.name) continue;
    for (const [typeName, fields] of objectFields(parse(peer.typeDefs))) {
      const known = elsewhere.get(typeName) ?? new Set<string>();
      for (const field of fields) known.add(field);
      elsewhere.set(typeName, known);
    }
  }
  const internalTypes = new Set(subgraph.internalTypes ?? []);
  const used = new Set<string>();
  const use = (name: string, args?: Record<string, string>) => (used.add(name), directive(name, args));

  const federated = visit(document, {
    ObjectTypeDefinition(node) {
      const typeName = node.name.value;
      const directives = [...(node.directives ?? [])];
      for (const fields of keys.get(typeName) ?? []) directives.push(use('key', { fields }));
      if (internalTypes.has(typeName)) directives.push(use('inaccessible'));
      const sharedFields = elsewhere.get(typeName);
      // A value type several subgraphs define is shared as a whole.
      if (sharedFields && !keys.has(typeName) && !rootTypes.has(typeName)) directives.push(use('shareable'));
      const entityKeyFields = keyFields.get(typeName);
      return {
        ...node,
        directives,
        fields: node.fields?.map((field) => {
          const name = field.name.value;
          const fieldDirectives = [...(field.directives ?? [])];
          if (rootTypes.has(typeName) && typeName === 'Query' && name.startsWith('_')) fieldDirectives.push(use('inaccessible'));
          // An entity's key fields are shareable by definition; its other fields only when shared.
          if (entityKeyFields && sharedFields?.has(name) && !entityKeyFields.has(name)) fieldDirectives.push(use('shareable'));
          return fieldDirectives.length === (field.directives?.length ?? 0) ? field : { ...field, directives: fieldDirectives };
        }),
      };
    },
    InputObjectTypeDefinition(node) {
      if (!internalTypes.has(node.name.value)) return undefined;
      return { ...node, directives: [...(node.directives ?? []), use('inaccessible')] };
    },
  });

  const imports = [...used].sort().map((name) => `"@${name}"`);
  return `extend schema @link(url: "${FEDERATION_SPEC_URL}", import: [${imports.join(', ')}])\n\n${print(federated)}\n`;
}
