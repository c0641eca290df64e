/** Requests the relay refused before any upstream work, by reason (for /stats and /metrics). */
export interface RequestRejections {
  invalid_request: number;
  uri_too_long: number;
  method_not_allowed: number;
  unauthorized: number;
  client_rate_limited: number;
}

export function newRejections(): RequestRejections {
  return { invalid_request: 0, uri_too_long: 0, method_not_allowed: 0, unauthorized: 0, client_rate_limited: 0 };
}
