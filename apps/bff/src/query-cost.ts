import {
  getNamedType,
  isCompositeType,
  Kind,
  valueFromAST,
  type ArgumentNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/** What one operation would cost to run, measured on its document before execution. */
export interface QueryMeasures {
  /** The deepest chain of nested fields (`__typename` and introspection not counted). */
  depth: number;
  /** Fields selected under another name. */
  aliases: number;
  /** Directive uses anywhere in the operation and the fragments it spreads. */
  directives: number;
  /**
   * Fields the response can hold at most: every field costs 1, and a field with a `first`
   * argument multiplies the cost of what it selects by that many (the list's size).
   */
  cost: number;
}

/** Fields that page take their page size here; everything else selects one of each. */
const PAGE_SIZE_ARGUMENT = "first";

/**
 * Measures an operation over the schema it was validated against. Fragments count once
 * per spread (as the response repeats them); union and interface branches all count, so
 * the cost is an upper bound. Variables give page sizes their values; a missing or
 * ill-typed one falls back to the argument's default (execution refuses it later).
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): QueryMeasures {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const measures: QueryMeasures = { depth: 0, aliases: 0, directives: 0, cost: 0 };
  measures.directives += operation.directives?.length ?? 0;
  const root = schema.getRootType(operation.operation);
  if (!root) return measures;

  /** Returns the cost of one instance of the selection set; records depth on the way. */
  const walk = (
    selections: SelectionSetNode,
    parent: GraphQLCompositeType,
    depth: number,
    spreading: ReadonlySet<string>,
  ): number => {
    let cost = 0;
    for (const selection of selections.selections) {
      measures.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) measures.aliases++;
        const name = selection.name.value;
        if (name === "__typename" || name === "__schema" || name === "__type") continue;
        const field = fieldOf(parent, name);
        measures.depth = Math.max(measures.depth, depth + 1);
        const type = field && getNamedType(field.type);
        if (!selection.selectionSet || !type || !isCompositeType(type)) {
          cost += 1;
          continue;
        }
        const each = walk(selection.selectionSet, type, depth + 1, spreading);
        cost += 1 + pageSize(field, selection.arguments ?? [], variables) * each;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition
          ? schema.getType(selection.typeCondition.name.value)
          : parent;
        if (on && isCompositeType(on)) cost += walk(selection.selectionSet, on, depth, spreading);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || spreading.has(name)) continue; // validation refuses cycles anyway
        measures.directives += fragment.directives?.length ?? 0;
        const on = schema.getType(fragment.typeCondition.name.value);
        if (on && isCompositeType(on))
          cost += walk(fragment.selectionSet, on, depth, new Set([...spreading, name]));
      }
    }
    return cost;
  };

  measures.cost = walk(operation.selectionSet, root, 0, new Set());
  return measures;
}

function fieldOf(
  parent: GraphQLCompositeType,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  return "getFields" in parent ? parent.getFields()[name] : undefined;
}

/** The list size a field asks for: its `first` argument's value, else 1. */
function pageSize(
  field: GraphQLField<unknown, unknown>,
  args: readonly ArgumentNode[],
  variables: Record<string, unknown> | undefined,
): number {
  const definition = field.args.find((arg) => arg.name === PAGE_SIZE_ARGUMENT);
  if (!definition) return 1;
  const given = args.find((arg) => arg.name.value === PAGE_SIZE_ARGUMENT);
  const value = given ? valueFromAST(given.value, definition.type, variables) : undefined;
  const size = typeof value === "number" ? value : definition.defaultValue;
  return typeof size === "number" && Number.isFinite(size) ? Math.max(0, Math.floor(size)) : 1;
}
