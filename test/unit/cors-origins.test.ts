/** originMatcher: which browser origins a `gateway.cors.origins` list lets in. */
import { describe, expect, it } from 'vitest';
import { originMatcher } from '../../src/gateway/cors.js';

const verdicts = (patterns: string[], origins: string[]) => Object.fromEntries(origins.map((origin) => [origin, originMatcher(patterns)(origin)]));

describe('originMatcher', () => {
  it('matches an exact origin exactly, ignoring case', () => {
    expect(verdicts(['https://app.example.com'], ['https://app.example.com', 'HTTPS://APP.EXAMPLE.COM', 'http://app.example.com', 'https://app.example.com:8443', 'https://app.example.com.evil.io'])).toEqual({
      'https://app.example.com': true,
      'HTTPS://APP.EXAMPLE.COM': true,
      'http://app.example.com': false,
      'https://app.example.com:8443': false,
      'https://app.example.com.evil.io': false,
    });
  });

  it('lets :* stand for any port or none', () => {
    expect(verdicts(['http://localhost:*'], ['http://localhost', 'http://localhost:5173', 'http://localhost:x', 'http://localhostx', 'https://localhost:5173'])).toEqual({
      'http://localhost': true,
      'http://localhost:5173': true,
      'http://localhost:x': false,
      'http://localhostx': false,
      'https://localhost:5173': false,
    });
  });

  it('lets *. stand for exactly one subdomain label', () => {
    expect(verdicts(['https://*.example.com'], ['https://a.example.com', 'https://a-b.example.com', 'https://a.b.example.com', 'https://example.com', 'https://a.example.com.evil.io'])).toEqual({
      'https://a.example.com': true,
      'https://a-b.example.com': true,
      'https://a.b.example.com': false,
      'https://example.com': false,
      'https://a.example.com.evil.io': false,
    });
  });

  it('treats the dots of a pattern literally', () => {
    expect(verdicts(['https://app.example.com'], ['https://appxexample.com'])).toEqual({ 'https://appxexample.com': false });
  });

  it('lets anyone in with *, and no one with an empty list', () => {
    expect([originMatcher(['*'])('https://anyone.example'), originMatcher([])('http://localhost:4000')]).toEqual([true, false]);
  });
});
