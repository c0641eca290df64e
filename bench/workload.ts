/**
 * A synthetic Mydia-like workload: ~10k titles with Zipf-distributed popularity, the calls Mydia
 * makes per title (details with its four append_to_response variants, images, seasons, search) plus
 * global lists, each written in one of three client styles (parameter order and encoding differ).
 */
export interface WorkloadOptions {
  titles: number;
  requests: number;
  zipfExponent: number;
  seed: number;
}

const MYDIA_APPENDS = [
  ['credits', 'alternative_titles'],
  ['credits', 'images', 'videos', 'keywords'],
  ['credits', 'alternative_titles', 'videos', 'external_ids'],
  ['recommendations'],
];

type Params = [string, string][];
type Call = { path: string; params: Params };

/** Weighted call kinds per title visit (weights sum to 100). */
const CALL_WEIGHTS: [kind: string, weight: number][] = [
  ['details0', 40],
  ['details1', 20],
  ['details2', 5],
  ['details3', 5],
  ['images', 10],
  ['season', 10],
  ['search', 5],
  ['list', 5],
];

export function* generateWorkload(options: WorkloadOptions): Generator<string> {
  const random = mulberry32(options.seed);
  const zipf = zipfSampler(options.titles, options.zipfExponent, random);
  const kinds = weightedSampler(CALL_WEIGHTS, random);
  for (let i = 0; i < options.requests; i++) {
    const rank = zipf();
    const isMovie = rank % 5 < 3; // 60% movies, 40% shows
    const id = 1000 + rank * 7;
    yield render(callFor(kinds(), isMovie, id, random), random);
  }
}

function callFor(kind: string, isMovie: boolean, id: number, random: () => number): Call {
  const base = isMovie ? `/tmdb/movies/${id}` : `/tmdb/tv/shows/${id}`;
  switch (kind) {
    case 'images':
      return { path: `${base}/images`, params: [] };
    case 'season':
      return isMovie ? { path: base, params: [['language', 'en-US'], ['append_to_response', 'credits,alternative_titles']] } : { path: `${base}/${1 + Math.floor(random() * 3)}`, params: [['language', 'en-US']] };
    case 'search':
      return {
        path: isMovie ? '/tmdb/movies/search' : '/tmdb/tv/search',
        params: [['query', `title number ${id}`], ['language', 'en-US'], ['include_adult', 'false'], ['page', '1']],
      };
    case 'list': {
      const lists = ['/tmdb/movies/trending', '/tmdb/tv/trending', '/tmdb/movies/popular', '/tmdb/tv/popular'];
      return { path: lists[Math.floor(random() * lists.length)] as string, params: [['language', 'en-US'], ['page', String(1 + Math.floor(random() * 2))]] };
    }
    default: {
      const append = MYDIA_APPENDS[Number(kind.slice(-1))] as string[];
      return { path: base, params: [['language', 'en-US'], ['append_to_response', append.join(',')]] };
    }
  }
}

/** Mydia (fixed order, %2C, +) 60%; a client with reversed order, raw commas and %20 25%; a sloppy one 15%. */
function render(call: Call, random: () => number): string {
  const style = random();
  let params = call.params;
  let encode = (v: string) => encodeURIComponent(v).replaceAll('%20', '+');
  if (style >= 0.6 && style < 0.85) {
    params = [...params].reverse();
    encode = (v) => encodeURIComponent(v).replaceAll('%2C', ',');
  } else if (style >= 0.85) {
    params = [...params.map(([k, v]): [string, string] => [k, k === 'append_to_response' ? v.split(',').reverse().join(', ') : v]), ['api_key', 'client-own-key']];
    shuffle(params, random);
  }
  const query = params.map(([k, v]) => `${k}=${encode(v)}`).join('&');
  return query ? `${call.path}?${query}` : call.path;
}

/** Fisher-Yates with the seeded PRNG: the same order every run (a random sort comparator is not). */
function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}

export function zipfSampler(n: number, s: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 1; rank <= n; rank++) cumulative[rank - 1] = total += 1 / rank ** s;
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function weightedSampler(weights: [string, number][], random: () => number): () => string {
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  return () => {
    let pick = random() * total;
    for (const [kind, weight] of weights) if ((pick -= weight) < 0) return kind;
    return (weights[0] as [string, number])[0];
  };
}

/** Small seeded PRNG: the same workload every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
