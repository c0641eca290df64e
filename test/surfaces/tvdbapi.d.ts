// tvdbapi ships no types: the part of its API the tests use (methods are made from its methods.json).
declare module 'tvdbapi' {
  type Call = (params?: Record<string, unknown>) => Promise<unknown>;
  export default class TVDB {
    constructor(settings: { apikey: string; endpoint?: string });
    login(options?: { pin?: string }): Promise<{ token: string; token_expires: number }>;
    search: Call;
    series: { get: Call; extended: Call; episodes: { 'season-type': Call; lang: Call } };
    seasons: { get: Call; extended: Call };
  }
}
