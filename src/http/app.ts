import { Elysia, ValidationError } from 'elysia';
import type { Logger } from '../log.ts';
import { contextOf } from '../observability/request-context.ts';
import { docsRoutes } from './docs.ts';
import { proxyRoutes, type ProxyDeps } from './proxy.ts';
import type { RequestRejections } from './rejections.ts';
import { jsonError, ownError } from './render.ts';
import { systemRoutes, type SystemDeps } from './system.ts';
import { tvdbLoginRoute, type TvdbLoginDeps } from './tvdb-login.ts';
import { adminRoutes, type AdminDeps } from './admin.ts';

/** Documented only when RELAY_ADMIN_KEYS is set (otherwise the routes do not exist). */
const target = {
  content: {
    'application/json': {
      schema: {
        oneOf: [
          { type: 'object', properties: { upstream: { enum: ['tmdb', 'tvdb'] }, type: { type: 'string', example: 'movie' }, id: { type: 'integer', example: 550 } }, required: ['upstream', 'type', 'id'] },
          { type: 'object', properties: { path: { type: 'string', example: '/3/tv/1399/season/1' } }, required: ['path'] },
        ],
      },
    },
  },
};
const ADMIN_DOC = {
  '/admin/purge': {
    post: { tags: ['Admin'], summary: 'Drop every cached variant of a record from every tier and relay', requestBody: target, responses: { 200: { description: 'The keys purged' }, 401: { description: 'No admin key' } } },
  },
  '/admin/refresh': {
    post: { tags: ['Admin'], summary: 'Fetch every cached variant of a record again, in the background', requestBody: target, responses: { 202: { description: 'The keys being refreshed' }, 401: { description: 'No admin key' } } },
  },
  '/admin/record': {
    get: {
      tags: ['Admin'],
      summary: 'Which keys are cached for a record (or a relay path)',
      parameters: ['upstream', 'type', 'id', 'path'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
      responses: { 200: { description: 'The keys, with their times' }, 401: { description: 'No admin key' } },
    },
  },
};

/** The login route is the relay's own, documented by hand. */
const LOGIN_DOC = {
  '/v4/login': {
    post: {
      tags: ['TVDB v4 drop-in'],
      summary: 'Log in as a TVDB client: any apikey (or, with access keys, an access key) gets a relay token',
      description: 'Answered by the relay, in TVDB\'s shape. Later /v4 calls carry the token as `Authorization: Bearer`. The relay keeps its own TVDB token.',
      requestBody: {
        content: { 'application/json': { schema: { type: 'object', properties: { apikey: { type: 'string' }, pin: { type: 'string' } }, required: ['apikey'] } } },
      },
      responses: {
        200: { description: '`{"status":"success","data":{"token":"..."}}`' },
        401: { description: '`{"status":"failure","message":"InvalidAPIKey: apikey invalid","data":null}`' },
      },
    },
  },
};

export interface AppDeps {
  proxy: ProxyDeps;
  login: TvdbLoginDeps;
  /** The operator's routes, only when RELAY_ADMIN_KEYS is set. */
  admin: AdminDeps | null;
  /** Whether RELAY_ACCESS_KEYS is set (the docs then say how to send a key). */
  accessKeys: boolean;
  system: SystemDeps;
  rejections: RequestRejections;
  logger: Logger;
}

/** The Elysia app: docs, system routes and every mounted proxy route, with one error mapping. */
export function buildApp(deps: AppDeps) {
  const { rejections, logger } = deps;

  /** Validation, unknown paths, unreadable bodies and anything unexpected, as JSON with a reason. */
  const errorResponse = (code: string | number, error: unknown, request: Request): Response => {
    const context = contextOf(request);
    switch (code) {
      case 'VALIDATION':
        rejections.invalid_request++;
        if (context) context.reason = 'invalid_path';
        return validationResponse(error as ValidationError);
      case 'NOT_FOUND':
        if (context) context.reason = 'not_found';
        return jsonError(404, 'Not found', { docs: '/swagger' });
      case 'PARSE':
        if (context) context.reason = 'malformed';
        return jsonError(400, 'Malformed request');
      default:
        if (context) context.reason = 'internal_error';
        logger.error('unhandled error', {
          path: new URL(request.url).pathname,
          code: String(code),
          reason: error instanceof Error ? error.message : 'unknown',
        });
        return jsonError(500, 'Internal error');
    }
  };

  return new Elysia()
    .onError(({ code, error, request }) => {
      const context = contextOf(request);
      const response = errorResponse(code, error, request);
      // Elysia answers with a copy of this Response: the context says what it was.
      if (context) context.relayError = ownError(response) ?? null;
      return response;
    })
    .use(docsRoutes(deps.proxy.mounts, { ...LOGIN_DOC, ...(deps.admin ? ADMIN_DOC : {}) }, { accessKeys: deps.accessKeys }))
    .use(systemRoutes(deps.system))
    .use(tvdbLoginRoute(deps.login))
    .use(deps.admin ? adminRoutes(deps.admin) : new Elysia())
    .use(proxyRoutes(deps.proxy));
}

/** 400 naming the bad parameter, without echoing its value. */
function validationResponse(error: Readonly<ValidationError>): Response {
  const where = error.type === 'params' ? 'path parameter' : error.type === 'query' ? 'query parameter' : error.type;
  const path = error.valueError?.path ?? '';
  const name = path.replace(/^\//, '').split('/')[0] ?? '';
  const expectation = error.valueError?.schema?.description;
  const message = name ? `Invalid ${where} '${name}'` : `Invalid ${where}`;
  return jsonError(400, message, expectation ? { expected: expectation } : {});
}
