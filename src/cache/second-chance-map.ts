/**
 * A map bounded in bytes that evicts the least recently used entries, approximately, without
 * reordering on reads: a read only sets a flag (CLOCK, or "second chance"). When room is needed,
 * the oldest entry goes unless it was read since it last came round, in which case it moves to the
 * back with its flag cleared. So a hot set survives a flood of one-off keys, and a hit costs one
 * Map lookup and one property write.
 */
interface Slot<V> {
  value: V;
  bytes: number;
  used: boolean;
}

/** How /stats shows a bounded table. */
export interface BoundedTableFigures {
  entries: number;
  bytes: number;
  max_bytes: number;
  evictions: number;
}

export class SecondChanceMap<V> {
  private readonly slots = new Map<string, Slot<V>>();
  private heldBytes = 0;
  /** Entries dropped to make room since start. */
  evictions = 0;

  constructor(readonly maxBytes: number) {}

  get(key: string): V | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    slot.used = true;
    return slot.value;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  /** Stores `value` as costing `bytes`; a value larger than the whole bound is not stored. */
  set(key: string, value: V, bytes: number): void {
    const known = this.slots.get(key);
    if (known !== undefined) {
      this.heldBytes -= known.bytes;
      this.slots.delete(key);
    }
    if (bytes > this.maxBytes) return;
    this.makeRoom(bytes);
    this.slots.set(key, { value, bytes, used: false });
    this.heldBytes += bytes;
  }

  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.heldBytes -= slot.bytes;
    return this.slots.delete(key);
  }

  clear(): void {
    this.slots.clear();
    this.heldBytes = 0;
  }

  get size(): number {
    return this.slots.size;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  get figures(): BoundedTableFigures {
    return { entries: this.slots.size, bytes: this.heldBytes, max_bytes: this.maxBytes, evictions: this.evictions };
  }

  private makeRoom(bytes: number): void {
    // Each pass either evicts or clears a flag, so this ends within two rounds of the map.
    while (this.heldBytes + bytes > this.maxBytes && this.slots.size > 0) {
      const oldest = this.slots.entries().next().value as [string, Slot<V>];
      const [key, slot] = oldest;
      this.slots.delete(key);
      if (slot.used) {
        slot.used = false;
        this.slots.set(key, slot);
      } else {
        this.heldBytes -= slot.bytes;
        this.evictions++;
      }
    }
  }
}
