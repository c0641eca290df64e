/**
 * There is no Docker engine where these tests run, so the Dockerfile is checked by reading it: a
 * small instruction parser (below) plus assertions tying it to package.json and src/config.ts. The
 * binary it copies is proven separately by binary.test.ts.
 */
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { DEFAULTS } from '../../src/config.ts';

const REPO_ROOT = join(import.meta.dir, '..', '..');
const FINAL_BASE_IMAGE = 'gcr.io/distroless/base-nossl-debian12:nonroot';
const SECRET_NAME = /KEY|TOKEN|PIN|SECRET/i;

// ---------------------------------------------------------------------------------------------
// Dockerfile parsing
// ---------------------------------------------------------------------------------------------

interface Instruction {
  /** Upper-cased, e.g. `COPY`. */
  keyword: string;
  /** Everything after the keyword, continuations joined, trimmed. */
  args: string;
  /** 1-based line where the instruction starts, for failure messages. */
  line: number;
}

interface Stage {
  image: string;
  name: string | null;
  instructions: Instruction[];
}

interface Dockerfile {
  /** ARGs before the first FROM. */
  globalArgs: Instruction[];
  stages: Stage[];
}

/**
 * Splits a Dockerfile into instructions the way BuildKit does for the parts we use: `#` starts a
 * comment only at the start of a line (also inside a continuation, where the line is dropped), an
 * escape character at the end of a line continues the instruction, and the `# escape=` parser
 * directive may change that character. Heredocs (`RUN <<EOF`) are not supported and rejected.
 */
function parseInstructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  const escapeDirective = /^#\s*escape\s*=\s*(\S)\s*$/i.exec(lines.find((l) => l.trim() !== '') ?? '');
  const escape = escapeDirective?.[1] ?? '\\';

  const instructions: Instruction[] = [];
  let pending: { parts: string[]; line: number } | null = null;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && pending === null)) return;
    if (trimmed === '') return; // blank line inside a continuation: ignored, like BuildKit
    const continues = trimmed.endsWith(escape);
    const part = continues ? trimmed.slice(0, -1) : trimmed;
    pending ??= { parts: [], line: index + 1 };
    pending.parts.push(part);
    if (continues) return;

    const joined = pending.parts.join(' ').trim();
    const match = /^(\S+)\s*(.*)$/s.exec(joined);
    if (!match?.[1]) throw new Error(`Dockerfile:${pending.line}: cannot parse "${joined}"`);
    const args = (match[2] ?? '').trim();
    if (/^<<-?\S/.test(args) || /\s<<-?["']?[A-Z]+["']?(\s|$)/.test(args)) {
      throw new Error(`Dockerfile:${pending.line}: heredocs are not supported by this parser`);
    }
    instructions.push({ keyword: match[1].toUpperCase(), args, line: pending.line });
    pending = null;
  });
  if (pending !== null) throw new Error('Dockerfile ends inside a line continuation');
  return instructions;
}

function parseDockerfile(text: string): Dockerfile {
  const dockerfile: Dockerfile = { globalArgs: [], stages: [] };
  for (const instruction of parseInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const { rest } = leadingFlags(instruction.args);
      const [image, as, name, ...extra] = rest.split(/\s+/);
      if (!image || (as !== undefined && (as.toUpperCase() !== 'AS' || !name)) || extra.length > 0) {
        throw new Error(`Dockerfile:${instruction.line}: cannot parse FROM "${instruction.args}"`);
      }
      dockerfile.stages.push({ image, name: name ?? null, instructions: [] });
      continue;
    }
    const stage = dockerfile.stages.at(-1);
    if (stage) stage.instructions.push(instruction);
    else if (instruction.keyword === 'ARG') dockerfile.globalArgs.push(instruction);
    else throw new Error(`Dockerfile:${instruction.line}: ${instruction.keyword} before the first FROM`);
  }
  return dockerfile;
}

/** Leading `--name=value` / `--name` options, e.g. `COPY --from=build ...`, `HEALTHCHECK --interval=30s CMD ...`. */
function leadingFlags(args: string): { flags: Map<string, string>; rest: string } {
  const flags = new Map<string, string>();
  let rest = args;
  for (let match = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest); match; match = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest)) {
    flags.set(match[1] ?? '', match[2] ?? '');
    rest = rest.slice(match[0].length);
  }
  return { flags, rest };
}

/** The JSON array of an exec-form instruction (`["a", "b"]`), or null for shell form. */
function execForm(args: string): string[] | null {
  if (!args.startsWith('[')) return null;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

/** Splits on whitespace outside quotes and removes the quotes: `A="x y" B=z` -> [`A=x y`, `B=z`]. */
function words(text: string): string[] {
  const result: string[] = [];
  for (const match of text.matchAll(/(?:[^\s"']+|"(?:\\.|[^"\\])*"|'[^']*')+/g)) {
    result.push(match[0].replace(/"((?:\\.|[^"\\])*)"|'([^']*)'/g, (_, dq: string | undefined, sq: string | undefined) => dq ?? sq ?? ''));
  }
  return result;
}

/** `ENV`/`LABEL` pairs: `K=V K2=V2`, or the legacy `ENV K some value`. */
function keyValues(args: string): Array<[string, string]> {
  const tokens = words(args);
  const first = tokens[0];
  if (first !== undefined && !first.includes('=')) return [[first, tokens.slice(1).join(' ')]];
  return tokens.map((token) => {
    const at = token.indexOf('=');
    return [token.slice(0, at), token.slice(at + 1)];
  });
}

/** The name an `ARG NAME[=default]` declares. */
function argName(args: string): string {
  return args.split('=')[0]?.trim() ?? '';
}

function all(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

function only(stage: Stage, keyword: string): Instruction {
  const found = all(stage, keyword);
  if (found.length !== 1) throw new Error(`expected exactly one ${keyword} in the final stage, found ${found.length}`);
  return found[0] as Instruction;
}

/** Shell-form commands as written; exec-form ones joined with spaces. */
function runCommands(stage: Stage): string[] {
  return all(stage, 'RUN').map(({ args }) => (execForm(args) ?? [leadingFlags(args).rest]).join(' ').replace(/\s+/g, ' '));
}

/** The value of the last `ENV name=...` in a stage. */
function envValue(stage: Stage, name: string): string | undefined {
  return all(stage, 'ENV')
    .flatMap(({ args }) => keyValues(args))
    .filter(([key]) => key === name)
    .at(-1)?.[1];
}

// ---------------------------------------------------------------------------------------------
// .dockerignore matching
// ---------------------------------------------------------------------------------------------

interface IgnoreRule {
  glob: Bun.Glob;
  negated: boolean;
}

function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = posix.normalize((negated ? line.slice(1) : line).trim()).replace(/^\/+|\/+$/g, '');
      return { glob: new Bun.Glob(pattern), negated };
    });
}

/**
 * Docker's rule: a path is excluded when the last pattern matching it, or matching one of its
 * parent directories, is not negated. Bun.Glob stands in for Go's filepath.Match (same `*`, `?`,
 * `[...]` and `**` meaning for the patterns used here).
 */
function isIgnored(rules: readonly IgnoreRule[], path: string): boolean {
  const segments = path.split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.glob.match(candidate))) ignored = !rule.negated;
  }
  return ignored;
}

// ---------------------------------------------------------------------------------------------
// Version helpers
// ---------------------------------------------------------------------------------------------

/** `1.4.5` from `^1.4.5`, `~1.4.5`, `>=1.4.5` or `1.4.5`; null for anything looser. */
function rangeFloor(range: string): [number, number, number] | null {
  const match = /^(?:\^|~|>=)?\s*(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

/** `[1, 4, 5]` from an image tag `1.4.5` or `1.4.5-debian`; null for `latest`, `1`, `1.4`, `canary`... */
function pinnedTagVersion(tag: string): [number, number, number] | null {
  const match = /^(\d+)\.(\d+)\.(\d+)(?:-[a-z0-9.-]+)?$/.exec(tag);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** `name:tag` -> [name, tag]; a digest-pinned `name:tag@sha256:...` keeps its tag. */
function splitImage(image: string): { name: string; tag: string | null } {
  const withoutDigest = image.split('@')[0] ?? image;
  const colon = withoutDigest.lastIndexOf(':');
  if (colon <= withoutDigest.lastIndexOf('/')) return { name: withoutDigest, tag: null };
  return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
}

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

const dockerfile = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const finalStage = dockerfile.stages.at(-1);
const buildStage = dockerfile.stages.find((stage) => stage.name === 'build');

function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`Dockerfile: ${what} not found`);
  return value;
}

/** Where the build stage leaves the binary: its WORKDIR joined with package.json's `--outfile`. */
function builtBinaryPath(stage: Stage): string {
  const outfile = /--outfile[= ](\S+)/.exec(pkg.scripts.build)?.[1];
  if (!outfile) throw new Error('package.json scripts.build has no --outfile');
  const workdir = all(stage, 'WORKDIR').at(-1)?.args ?? '/';
  return posix.resolve(workdir, outfile);
}

/** Source and destination of each COPY/ADD in the final stage, with its --from. */
function finalCopies(stage: Stage): Array<{ keyword: string; from: string | null; sources: string[]; destination: string }> {
  const workdir = all(stage, 'WORKDIR').at(-1)?.args ?? '/';
  return stage.instructions
    .filter(({ keyword }) => keyword === 'COPY' || keyword === 'ADD')
    .map(({ keyword, args }) => {
      const { flags, rest } = leadingFlags(args);
      const paths = execForm(rest) ?? words(rest);
      const target = paths.at(-1) ?? '';
      const sources = paths.slice(0, -1);
      const absolute = posix.resolve(workdir, target);
      const destination = target.endsWith('/') && sources.length === 1 ? posix.join(absolute, basename(sources[0] ?? '')) : absolute;
      return { keyword, from: flags.get('from') ?? null, sources, destination };
    });
}

describe('Dockerfile', () => {
  test('has a build stage and a separate final stage', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    expect(buildStage).toBeDefined();
    expect(finalStage).not.toBe(buildStage);
  });

  test('builds on the official Bun image, pinned to the Bun this project uses', () => {
    const stage = required(buildStage, 'stage "build"');
    const { name, tag } = splitImage(stage.image);
    expect(name).toBe('oven/bun');
    const tagVersion = pinnedTagVersion(tag ?? 'latest');
    if (!tagVersion) throw new Error(`oven/bun must be pinned to a full x.y.z version, got "${tag ?? '(no tag)'}"`);
    // What we compare: the tag against package.json's bun-types range (the Bun API we develop
    // against). Same major.minor, and not older than the range's floor, so the binary the image
    // builds embeds a runtime at least as new as the one tests ran on.
    const floor = rangeFloor(pkg.devDependencies['bun-types']);
    if (!floor) throw new Error(`bun-types range "${pkg.devDependencies['bun-types']}" has no x.y.z floor to compare with`);
    expect(tagVersion.slice(0, 2)).toEqual(floor.slice(0, 2));
    expect(compareVersions(tagVersion, floor)).toBeGreaterThanOrEqual(0);
  });

  test('installs from the lockfile before copying sources, then runs the package build script', () => {
    const stage = required(buildStage, 'stage "build"');
    const commands = runCommands(stage);
    expect(commands.some((command) => /\bbun install\b.*--frozen-lockfile\b/.test(command))).toBe(true);
    expect(commands.some((command) => /\bbun run build\b/.test(command))).toBe(true);

    // Order matters for layer caching: manifests, install, then the rest, then build.
    const position = (predicate: (instruction: Instruction) => boolean) => stage.instructions.findIndex(predicate);
    const copyManifests = position(({ keyword, args }) => keyword === 'COPY' && /\bpackage\.json\b/.test(args) && /\bbun\.lock\b/.test(args));
    const install = position(({ keyword, args }) => keyword === 'RUN' && /\bbun install\b/.test(args));
    const copyAll = position(({ keyword, args }) => keyword === 'COPY' && /^\.\s+\.\/?$/.test(leadingFlags(args).rest));
    const build = position(({ keyword, args }) => keyword === 'RUN' && /\bbun run build\b/.test(args));
    expect(copyManifests).toBeGreaterThanOrEqual(0);
    expect([copyManifests, install, copyAll, build]).toEqual([...[copyManifests, install, copyAll, build]].sort((a, b) => a - b));
    expect(new Set([copyManifests, install, copyAll, build]).size).toBe(4);
  });

  test('runs on distroless base-nossl as a non-root user', () => {
    const stage = required(finalStage, 'final stage');
    expect(stage.image).toBe(FINAL_BASE_IMAGE);
    const user = all(stage, 'USER').at(-1);
    if (!user) throw new Error('the final stage sets no USER');
    const name = user.args.split(':')[0]?.trim() ?? '';
    expect(name).not.toBe('');
    expect(['root', '0']).not.toContain(name);
  });

  test('copies only the compiled binary from the build stage', () => {
    const stage = required(finalStage, 'final stage');
    const copies = finalCopies(stage);
    expect(copies.length).toBe(1);
    const [copy] = copies;
    expect(copy?.keyword).toBe('COPY');
    expect(copy?.from).toBe('build');
    expect(copy?.sources).toEqual([builtBinaryPath(required(buildStage, 'stage "build"'))]);
  });

  test('exposes and defaults to the relay port, with no credentials in ENV or ARG', () => {
    const stage = required(finalStage, 'final stage');
    const exposed = all(stage, 'EXPOSE').flatMap(({ args }) => words(args).map((port) => port.replace(/\/tcp$/i, '')));
    expect(exposed).toEqual([String(DEFAULTS.port)]);
    expect(envValue(stage, 'PORT')).toBe(String(DEFAULTS.port));
    expect(envValue(stage, 'HOST')).toBe(DEFAULTS.host);

    const names = [
      ...dockerfile.globalArgs.map(({ args }) => argName(args)),
      ...dockerfile.stages.flatMap((s) => [
        ...all(s, 'ARG').map(({ args }) => argName(args)),
        ...all(s, 'ENV').flatMap(({ args }) => keyValues(args).map(([key]) => key)),
      ]),
    ];
    expect(names.filter((name) => SECRET_NAME.test(name))).toEqual([]);
  });

  test('health-checks and starts the copied binary in exec form, stopping with SIGTERM', () => {
    const stage = required(finalStage, 'final stage');
    const binary = finalCopies(stage)[0]?.destination;
    expect(binary).toBeString();

    const { rest } = leadingFlags(only(stage, 'HEALTHCHECK').args);
    const command = /^CMD\s+(.*)$/s.exec(rest)?.[1] ?? '';
    const healthcheck = execForm(command);
    if (!healthcheck) throw new Error(`HEALTHCHECK must be exec form (no shell in distroless), got "${rest}"`);
    expect(healthcheck[0]).toBe(binary);
    expect(healthcheck).toContain('--healthcheck');

    const entrypoint = execForm(only(stage, 'ENTRYPOINT').args);
    if (!entrypoint) throw new Error('ENTRYPOINT must be exec form so the relay is PID 1 and receives SIGTERM');
    expect(entrypoint[0]).toBe(binary);
    expect(only(stage, 'STOPSIGNAL').args).toBe('SIGTERM');
  });

  test('carries OCI labels, with the version of package.json', () => {
    const stage = required(finalStage, 'final stage');
    const labels = new Map(all(stage, 'LABEL').flatMap(({ args }) => keyValues(args)));
    expect(labels.get('org.opencontainers.image.title')).toBe(pkg.name);
    expect(labels.get('org.opencontainers.image.version')).toBe(pkg.version);
  });
});

describe('.dockerignore', () => {
  const rules = parseDockerignore(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8'));

  test('keeps host installs, build output, VCS data and env files out of the context', () => {
    for (const path of ['node_modules', 'node_modules/elysia/package.json', 'dist', 'dist/metadata-relay', '.git', '.git/HEAD', '.env', '.env.local']) {
      expect({ path, ignored: isIgnored(rules, path) }).toEqual({ path, ignored: true });
    }
  });

  test('keeps everything the build needs', () => {
    for (const path of ['package.json', 'bun.lock', 'tsconfig.json', 'bunfig.toml', 'src', 'src/index.ts', 'src/http/docs.ts']) {
      expect({ path, ignored: isIgnored(rules, path) }).toEqual({ path, ignored: false });
    }
  });
});

describe('Dockerfile parser', () => {
  test('joins continuations, drops comments inside them, and reads exec form', () => {
    const parsed = parseDockerfile(
      ['# syntax comment', 'ARG BASE=x', 'FROM a:1 AS one', 'RUN echo a \\', '  # dropped', '  && echo b', 'FROM b', 'HEALTHCHECK --interval=1s \\', '  CMD ["/x", "--y"]'].join('\n'),
    );
    expect(parsed.globalArgs.map(({ args }) => args)).toEqual(['BASE=x']);
    expect(parsed.stages.map(({ image, name }) => [image, name])).toEqual([
      ['a:1', 'one'],
      ['b', null],
    ]);
    expect(runCommands(parsed.stages[0] as Stage)).toEqual(['echo a && echo b']);
    const healthcheck = leadingFlags((parsed.stages[1] as Stage).instructions[0]?.args ?? '');
    expect(healthcheck.flags.get('interval')).toBe('1s');
    expect(execForm(healthcheck.rest.replace(/^CMD\s+/, ''))).toEqual(['/x', '--y']);
  });

  test('reads ENV pairs with quotes and the legacy form', () => {
    expect(keyValues('A=1 B="two words" C=\'x\'')).toEqual([
      ['A', '1'],
      ['B', 'two words'],
      ['C', 'x'],
    ]);
    expect(keyValues('NAME some value')).toEqual([['NAME', 'some value']]);
  });

  test('matches .dockerignore like Docker: parents count, last match wins', () => {
    const rules = parseDockerignore('*.md\n!README.md\nnode_modules\n/dist/\n');
    expect(isIgnored(rules, 'CHANGES.md')).toBe(true);
    expect(isIgnored(rules, 'README.md')).toBe(false);
    expect(isIgnored(rules, 'node_modules/x/y.js')).toBe(true);
    expect(isIgnored(rules, 'dist/a')).toBe(true);
    expect(isIgnored(rules, 'src/a.md')).toBe(false);
  });
});
