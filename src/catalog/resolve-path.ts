import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { MountRoute } from './mount.ts';

export interface ResolvedPath {
  route: MountRoute;
  params: Record<string, string>;
}

/**
 * Finds the route a relay path belongs to, without a request (the operator names `/3/tv/1399/season/1`
 * to purge it): routes with fewer parameters first, as the router matches fixed segments before
 * parameters, and parameters checked against their schemas.
 */
export function pathResolver(routes: readonly MountRoute[]): (pathname: string) => ResolvedPath | null {
  const compiled = [...routes]
    .sort((a, b) => paramCount(a.path) - paramCount(b.path))
    .map((route) => {
      const names: string[] = [];
      const source = route.path
        .split('/')
        .map((part) => {
          if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(part.slice(1));
          return '([^/]+)';
        })
        .join('/');
      return { route, names, pattern: new RegExp(`^${source}$`), check: route.params ? TypeCompiler.Compile(route.params) : null };
    });
  return (pathname) => {
    for (const { route, names, pattern, check } of compiled) {
      const match = pattern.exec(pathname);
      if (match === null) continue;
      let params: Record<string, string>;
      try {
        params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)]));
      } catch {
        return null;
      }
      if (check === null || check.Check(params)) return { route, params };
    }
    return null;
  };
}

function paramCount(path: string): number {
  return path.split('/').filter((part) => part.startsWith(':')).length;
}
