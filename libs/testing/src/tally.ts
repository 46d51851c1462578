/** Counts of things by kind, printed as "kind ×n, kind ×n", most frequent first. */
export class Tally {
  readonly #counts = new Map<string, number>();

  add(kind: string, by = 1): void {
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + by);
  }

  /** Adds every count of another tally, its kinds prefixed. */
  addAll(other: Tally, prefix: string): void {
    for (const [kind, n] of other.#counts) this.add(`${prefix} ${kind}`, n);
  }

  get total(): number {
    let total = 0;
    for (const n of this.#counts.values()) total += n;
    return total;
  }

  toString(): string {
    return [...this.#counts]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, n]) => `${kind} ×${n}`)
      .join(", ");
  }
}
