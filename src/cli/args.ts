/**
 * The command line: a few flags for what operators set most, everything else from the environment.
 * Unknown flags are refused (a typo must not be ignored silently).
 */
export interface Args {
  command: 'serve' | 'version' | 'help' | 'healthcheck';
  /** Environment overrides from flags (PORT, HOST). */
  env: Record<string, string>;
  /** --env-file: KEY=VALUE lines read before the environment (the environment wins). */
  envFile: string | null;
}

export class ArgsError extends Error {}

export function parseArgs(argv: readonly string[]): Args {
  const args: Args = { command: 'serve', env: {}, envFile: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === '') throw new ArgsError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--version':
      case '-v':
        args.command = 'version';
        break;
      case '--help':
      case '-h':
        args.command = 'help';
        break;
      case '--healthcheck':
        args.command = 'healthcheck';
        break;
      case '--port':
      case '-p':
        args.env.PORT = value();
        break;
      case '--host':
        args.env.HOST = value();
        break;
      case '--env-file':
      case '--config':
        args.envFile = value();
        break;
      default:
        throw new ArgsError(`unknown option ${JSON.stringify(arg)}`);
    }
  }
  return args;
}

/** `KEY=VALUE` lines (`#` comments, optional quotes, `export ` prefix), as .env files are written. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new ArgsError(`env file line ${index + 1} is not KEY=VALUE`);
    let value = (match[2] as string).trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    env[match[1] as string] = value;
  }
  return env;
}
