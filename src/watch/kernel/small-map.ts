// A Map for what almost always holds one entry (the users of one watch): that entry is kept in
// two fields, a real Map is made only for a second. Same iteration order as a Map (insertion);
// about 40 bytes for one entry against ~170 for a Map with its table.
export class SmallMap<K, V> implements Iterable<[K, V]> {
  private hasFirst = false;
  private firstKey: K | undefined = undefined;
  private firstValue: V | undefined = undefined;
  private rest: Map<K, V> | null = null;

  get size(): number {
    return (this.hasFirst ? 1 : 0) + (this.rest?.size ?? 0);
  }

  get(key: K): V | undefined {
    if (this.hasFirst && this.firstKey === key) return this.firstValue;
    return this.rest?.get(key);
  }

  has(key: K): boolean {
    return (this.hasFirst && this.firstKey === key) || (this.rest?.has(key) ?? false);
  }

  set(key: K, value: V): this {
    if (this.hasFirst && this.firstKey === key) this.firstValue = value;
    else if (!this.hasFirst && (this.rest === null || this.rest.size === 0)) {
      [this.hasFirst, this.firstKey, this.firstValue] = [true, key, value];
    } else (this.rest ??= new Map()).set(key, value);
    return this;
  }

  delete(key: K): boolean {
    if (!(this.hasFirst && this.firstKey === key)) return this.rest?.delete(key) ?? false;
    // The next entry in order takes the inline place, so the order stays a Map's.
    const next = this.rest?.entries().next();
    if (next === undefined || next.done === true) {
      [this.hasFirst, this.firstKey, this.firstValue] = [false, undefined, undefined];
      this.rest = null;
    } else {
      [this.firstKey, this.firstValue] = next.value;
      this.rest?.delete(next.value[0]);
    }
    return true;
  }

  /** The first entry's key (undefined when empty): for the one-entry case, without iterating. */
  headKey(): K | undefined {
    return this.hasFirst ? this.firstKey : this.rest?.keys().next().value;
  }

  /** The first entry's value (undefined when empty). */
  headValue(): V | undefined {
    return this.hasFirst ? this.firstValue : this.rest?.values().next().value;
  }

  *[Symbol.iterator](): Generator<[K, V]> {
    if (this.hasFirst) yield [this.firstKey as K, this.firstValue as V]; // set together with hasFirst
    if (this.rest !== null) yield* this.rest;
  }

  *values(): Generator<V> {
    for (const [, value] of this) yield value;
  }
}
