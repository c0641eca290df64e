/**
 * A small route table for the fake upstreams: templates written like the upstreams' docs
 * (`/movie/{movie_id}/credits`), matched segment by segment against a decoded path. Each upstream
 * says which values a parameter accepts (digits for ids, 24 hex digits for TMDB credit ids, ...),
 * so `/movie/popular` never matches `/movie/{movie_id}`; when several templates match, the one
 * with the most literal segments wins.
 */

export interface RouteMatch<H> {
  template: string;
  handler: H;
  params: Record<string, string>;
}

interface Route<H> {
  template: string;
  parts: ({ literal: string } | { param: string })[];
  literals: number;
  handler: H;
}

export type ParamRule = (name: string, value: string) => boolean;

export class RouteTable<H> {
  private readonly bySize = new Map<number, Route<H>[]>();

  constructor(private readonly accepts: ParamRule) {}

  add(template: string, handler: H): this {
    const parts = template.split('/').filter((s) => s !== '').map((s) => {
      const name = /^\{(.+)\}$/.exec(s)?.[1];
      return name === undefined ? { literal: s } : { param: name };
    });
    const route: Route<H> = { template, parts, literals: parts.filter((p) => 'literal' in p).length, handler };
    const list = this.bySize.get(parts.length) ?? [];
    list.push(route);
    this.bySize.set(parts.length, list);
    return this;
  }

  templates(): string[] {
    return [...this.bySize.values()].flat().map((r) => r.template);
  }

  match(segments: readonly string[]): RouteMatch<H> | null {
    let best: RouteMatch<H> | null = null;
    let bestLiterals = -1;
    for (const route of this.bySize.get(segments.length) ?? []) {
      const params = this.bind(route, segments);
      if (params !== null && route.literals > bestLiterals) {
        best = { template: route.template, handler: route.handler, params };
        bestLiterals = route.literals;
      }
    }
    return best;
  }

  private bind(route: Route<H>, segments: readonly string[]): Record<string, string> | null {
    const params: Record<string, string> = {};
    for (let i = 0; i < route.parts.length; i++) {
      const part = route.parts[i];
      const value = segments[i];
      if (part === undefined || value === undefined) return null;
      if ('literal' in part) {
        if (part.literal !== value) return null;
      } else {
        if (!this.accepts(part.param, value)) return null;
        params[part.param] = value;
      }
    }
    return params;
  }
}
