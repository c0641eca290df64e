/**
 * Shared building blocks for the synthetic body generators: JSON types, a seeded PRNG,
 * word pools and date helpers. Everything here is deterministic for a given seed string.
 */

export type Json = string | number | boolean | null | Json[] | JsonObject;
export type JsonObject = { [key: string]: Json };

/** Ids at or above this are "missing" on both fakes (404 everywhere). */
export const MISSING_ID_MIN = 900_000_000;
/**
 * The "unsettled" id: TMDB tv 424242 (season 1), TVDB series 424242 and TVDB season 424242 carry
 * an episode airing in the future relative to the fake's clock and an episode named "TBA".
 */
export const UNSETTLED_ID = 424242;

/** A season's episodes as the generators plan them: air dates, and names forced by the plan. */
export interface SeasonPlan {
  number: number;
  airDates: (string | null)[];
  /** Episode names forced by the plan (the unsettled show's "TBA"). */
  forcedNames: Record<number, string>;
}

/**
 * Season 1 of the unsettled show, for both upstreams: episodes 1-8 aired weekly up to 3 days ago,
 * 9 airs in 4 days, 10 ("TBA") in 11 days.
 */
export function unsettledSeason(nowMs: number): SeasonPlan {
  return { number: 1, airDates: Array.from({ length: 10 }, (_, i) => daysFrom(nowMs, -52 + i * 7)), forcedNames: { 10: 'TBA' } };
}

export function isMissingId(id: number): boolean {
  return id >= MISSING_ID_MIN;
}

/** FNV-1a 32-bit hash. */
export function hashString(input: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HEX = '0123456789abcdef';

/** mulberry32 seeded from a string key, so the same key always yields the same sequence. */
export class Rng {
  private state: number;

  constructor(seed: string) {
    this.state = hashString(seed) || 1;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  float(min: number, max: number, decimals: number): number {
    const f = 10 ** decimals;
    return Math.round((min + this.next() * (max - min)) * f) / f;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('Rng.pick on an empty list');
    return item;
  }

  /** n distinct items (or all of them when n >= length), in pool order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const chosen = new Set<number>();
    const want = Math.min(n, items.length);
    while (chosen.size < want) chosen.add(Math.floor(this.next() * items.length));
    return [...chosen].sort((a, b) => a - b).map((i) => items[i] as T);
  }

  token(length: number, alphabet: string = BASE62): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  hex(length: number): string {
    return this.token(length, HEX);
  }

  /** TMDB-style image path, e.g. "/pQ3xK...27 chars.jpg". */
  imagePath(ext: 'jpg' | 'png' = 'jpg'): string {
    return `/${this.token(27)}.${ext}`;
  }
}

const TITLE_WORDS = [
  'Silver', 'Harbor', 'Midnight', 'Echo', 'Lantern', 'Winter', 'Glass', 'River', 'Crown', 'Signal',
  'Hollow', 'Ember', 'Atlas', 'Northern', 'Quiet', 'Iron', 'Paper', 'Velvet', 'Orbit', 'Canyon',
  'Drift', 'Cipher', 'Meridian', 'Tide', 'Falcon', 'Garden', 'Static', 'Horizon', 'Copper', 'Shadow',
  'Summit', 'Harvest', 'Neon', 'Marble', 'Thunder', 'Pilgrim', 'Saltwater', 'Comet', 'Orchard', 'Vault',
];
const TITLE_PATTERNS = ['The {A} {B}', '{A} {B}', 'The {A}', '{A} of the {B}', '{A} & {B}', 'Beyond the {A}', '{A}: {B} Rising'];

const SENTENCES = [
  'A retired cartographer is pulled back into the field when a map surfaces that should not exist.',
  'Two estranged siblings inherit a failing lighthouse and the secret buried beneath it.',
  'In a city where the power fails every night at midnight, a night-shift engineer finds a pattern.',
  'A small-town radio host starts receiving calls from listeners who have not been born yet.',
  'An ambitious chef bets everything on one last service while old debts come due.',
  'When a research vessel loses contact with the mainland, its crew must decide whom to trust.',
  'A forger with a perfect memory is hired to recreate a painting that was never finished.',
  'Years after a championship ended in scandal, the former team reunites for one final match.',
  'A courier discovers that the packages she delivers are rewriting the lives of their recipients.',
  'Against the backdrop of a collapsing empire, a young archivist hides the one book that matters.',
  'A detective with nothing left to lose follows a trail of postcards across three continents.',
  'The arrival of a mysterious stranger splits a quiet mountain village down the middle.',
  'An orbital station celebrates its hundredth year just as the supply ships stop coming.',
  'A family road trip turns into a race against time when their car radio starts giving directions.',
  'What begins as a harmless prank spirals into the most talked-about heist of the decade.',
];
const TAGLINES = [
  'Some maps lead home.', 'Every light has a shadow.', 'The truth is on the other frequency.',
  'One night. One chance.', 'Nothing stays buried.', 'Trust no tide.', 'The past is listening.',
  'Rules were made for someone else.', '',
];
const FIRST_NAMES = [
  'Ada', 'Bruno', 'Clara', 'Dmitri', 'Elena', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Keiko', 'Luca',
  'Maya', 'Nikolai', 'Olive', 'Pavel', 'Quinn', 'Rosa', 'Soren', 'Talia', 'Umar', 'Vera', 'Wes', 'Yara',
];
const LAST_NAMES = [
  'Abbott', 'Brandt', 'Castillo', 'Duarte', 'Engel', 'Farrow', 'Galloway', 'Hartmann', 'Ishida', 'Jansen',
  'Kowalski', 'Lindqvist', 'Moreau', 'Novak', 'Okafor', 'Petrov', 'Quill', 'Romano', 'Sato', 'Thorne',
];
const EPISODE_WORDS = [
  'Arrival', 'The Offer', 'Cold Open', 'Crossroads', 'Undertow', 'Blind Spot', 'Homecoming', 'The Ledger',
  'Static', 'Low Tide', 'Fault Lines', 'Second Chances', 'The Long Night', 'Aftermath', 'Dead Reckoning',
  'Smoke Signals', 'Paper Trail', 'The Visitor', 'Breaking Point', 'First Light',
];

export function titleFor(rng: Rng): string {
  const a = rng.pick(TITLE_WORDS);
  let b = rng.pick(TITLE_WORDS);
  if (b === a) b = 'Line';
  return rng.pick(TITLE_PATTERNS).replace('{A}', a).replace('{B}', b);
}

export function overviewFor(rng: Rng, sentences = 2): string {
  return rng.sample(SENTENCES, sentences).join(' ');
}

export function taglineFor(rng: Rng): string {
  return rng.pick(TAGLINES);
}

export function personName(rng: Rng): string {
  return `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
}

export function episodeTitle(rng: Rng): string {
  return rng.pick(EPISODE_WORDS);
}

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const DAY_MS = 86_400_000;

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return isoDate(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS);
}

export function daysFrom(nowMs: number, days: number): string {
  return isoDate(nowMs + days * DAY_MS);
}

/** A settled date between 1970 and 2020 (so anything derived from it is in the past). */
export function pastDate(rng: Rng, fromYear = 1970, toYear = 2020): string {
  const year = rng.int(fromYear, toYear);
  const month = rng.int(1, 12);
  const day = rng.int(1, 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** "YYYY-MM-DD hh:mm:ss" like TVDB's lastUpdated. */
export function tvdbTimestamp(rng: Rng, date: string): string {
  const hh = String(rng.int(0, 23)).padStart(2, '0');
  const mm = String(rng.int(0, 59)).padStart(2, '0');
  const ss = String(rng.int(0, 59)).padStart(2, '0');
  return `${date} ${hh}:${mm}:${ss}`;
}

/** A stable id in [lo, MISSING_ID_MIN) derived from a key (never "missing"). */
export function derivedId(key: string, lo = 1_000): number {
  return lo + (hashString(key) % (MISSING_ID_MIN - lo - 1));
}
