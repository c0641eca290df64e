import pkg from '../package.json' with { type: 'json' };

export const SERVICE_NAME = 'metadata-relay';
export const VERSION: string = pkg.version;
