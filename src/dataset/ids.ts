// Stable made-up unique ids (uniqueRoleId / uniqueRelId / uniqueSuccId) for generated records.
// A 32-bit FNV-1a hash of a descriptive key mapped into 1..700,000, probing upwards past ids already taken.

const UNIQUE_ID_MAX = 700_000;

/** FNV-1a over the UTF-16 code units of `key`; stable across runs and platforms. */
function stableHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Hands out ids unique across the whole dataset for one id kind. Real ids (from the recorded ORD records) are reserved
 * first so a made-up id never equals a real one. Determinism comes from the caller allocating in a fixed order
 * (records sorted by code, then list order), since the probe depends on what was taken before.
 */
export class UniqueIdAllocator {
  private readonly taken = new Set<number>();

  reserve(id: number): void {
    this.taken.add(id);
  }

  isTaken(id: number): boolean {
    return this.taken.has(id);
  }

  allocate(key: string): number {
    if (this.taken.size >= UNIQUE_ID_MAX) throw new Error('unique id space exhausted');
    let id = (stableHash(key) % UNIQUE_ID_MAX) + 1;
    while (this.taken.has(id)) id = id === UNIQUE_ID_MAX ? 1 : id + 1;
    this.taken.add(id);
    return id;
  }
}
