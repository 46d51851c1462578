/**
 * Values under two keys (a lot and a user, say), with the inner maps removed once
 * empty, so an index of short-lived pairs does not keep an empty map per key it saw.
 */
export class NestedMap<V> {
  readonly #outer = new Map<string, Map<string, V>>();

  set(outer: string, inner: string, value: V): void {
    let values = this.#outer.get(outer);
    if (!values) this.#outer.set(outer, (values = new Map()));
    values.set(inner, value);
  }

  delete(outer: string, inner: string): void {
    const values = this.#outer.get(outer);
    if (!values) return;
    values.delete(inner);
    if (values.size === 0) this.#outer.delete(outer);
  }

  has(outer: string, inner: string): boolean {
    return this.#outer.get(outer)?.has(inner) ?? false;
  }

  /** How many values are under the outer key. */
  size(outer: string): number {
    return this.#outer.get(outer)?.size ?? 0;
  }

  /** The inner keys and values under the outer key, in no particular order. */
  entries(outer: string): Array<[string, V]> {
    return [...(this.#outer.get(outer) ?? [])];
  }
}
