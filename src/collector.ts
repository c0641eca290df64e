/**
 * Full garbage collections, asked for from one place: the memory governor collects when RSS is past
 * its target, the upstream client soon after it threw an oversized body away (its megabytes stay in
 * RSS until the next collection, which an idle relay may not run for many seconds). Asks close
 * together cost one collection. Beside the layers: imports nothing.
 */
const SOON_MS = 250;
const MIN_GAP_MS = 1_000;
let lastCollection = Number.NEGATIVE_INFINITY;
let scheduled: ReturnType<typeof setTimeout> | null = null;

/** One full collection now (it also stands for one that was scheduled). */
export function collectNow(): void {
  if (scheduled !== null) {
    clearTimeout(scheduled);
    scheduled = null;
  }
  lastCollection = Date.now();
  Bun.gc(true);
}

/** One full collection shortly, at least a second after the last; a burst of asks costs one. */
export function collectSoon(): void {
  if (scheduled !== null) return; // one is coming: a steady stream of asks must not put it off
  const wait = Math.max(SOON_MS, lastCollection + MIN_GAP_MS - Date.now());
  scheduled = setTimeout(() => {
    scheduled = null;
    collectNow();
  }, wait);
  scheduled.unref();
}
