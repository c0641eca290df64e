import { UPSTREAM_LABEL, type UpstreamName, type UpstreamResponse } from './types.ts';

/**
 * Why an upstream could not give a usable answer. Each kind maps to one client-facing status in
 * http/errors.ts; messages here are safe to show (no URL, no credential, no internal detail).
 */
export type FailureKind =
  | 'not_configured' // the relay has no credential for this upstream
  | 'timeout' // no complete answer within UPSTREAM_TIMEOUT_MS
  | 'unreachable' // connection refused, DNS failure, TLS failure
  | 'reset' // the connection dropped mid-answer
  | 'auth_rejected' // upstream 401/403: the relay's own credential is wrong
  | 'login_failed' // TVDB /login failed for a reason other than the key
  | 'invalid_response' // 2xx that is not JSON, or HTML where JSON was expected
  | 'too_large' // a body past UPSTREAM_MAX_BODY_BYTES, on the wire or decoded
  | 'undecodable' // a body whose content-encoding does not decode
  | 'redirect' // a 3xx: the relay follows nothing (a redirect off the upstream's host could leak the key)
  | 'unavailable'; // the relay is holding back (paused after 429, breaker open, budget exhausted)

export class UpstreamFailure extends Error {
  constructor(
    readonly upstream: UpstreamName,
    readonly kind: FailureKind,
    message: string,
    /** Seconds the client should wait, for 'unavailable'. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'UpstreamFailure';
  }

  static notConfigured(upstream: UpstreamName): UpstreamFailure {
    return new UpstreamFailure(upstream, 'not_configured', `${UPSTREAM_LABEL[upstream]} not configured`);
  }
}

/** An upstream error answer (4xx/5xx) that is passed to the client as it came, and never cached. */
export class UpstreamErrorResponse extends Error {
  constructor(
    readonly upstream: UpstreamName,
    readonly response: UpstreamResponse,
  ) {
    super(`${UPSTREAM_LABEL[upstream]} answered ${response.status}`);
    this.name = 'UpstreamErrorResponse';
  }
}
