/**
 * Which browser origins may call the gateway (the topology's `gateway.cors`). yoga's own CORS
 * reflects any origin with credentials when left at its default; here an origin outside the
 * list gets no CORS headers at all, so a browser on a foreign page cannot read an answer.
 */
import type { CORSOptions } from 'graphql-yoga';
import type { GatewaySettings } from '../config.js';

/** `https://app.example.com` exactly, `http://localhost:*` any port, `https://*.example.com` any subdomain, `*` anyone. */
export function originMatcher(patterns: readonly string[]): (origin: string) => boolean {
  const regexes = patterns.map((pattern) => {
    if (pattern === '*') return /^/;
    const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`^${escaped.replace(/:\*$/, '(:\\d+)?').replace(/\*/g, '[a-z0-9-]+')}$`, 'i');
  });
  return (origin) => regexes.some((regex) => regex.test(origin));
}

export function corsFor({ origins, credentials }: GatewaySettings['cors']): (request: Request) => CORSOptions | false {
  const allowed = originMatcher(origins);
  return (request) => {
    const origin = request.headers.get('origin');
    if (!origin || !allowed(origin)) return false;
    // The methods a GraphQL client uses; the request headers asked for in a preflight are echoed.
    return { origin: [origin], credentials, methods: ['GET', 'POST'], maxAge: 600 };
  };
}
