import { describe, expect, it } from 'vitest';
import { startApi } from '../support/api.js';

/** The client address Fastify derived for one request, read from the request's log line. */
async function clientAddressSeen(env: Record<string, string>, forwardedFor: string) {
  const api = await startApi(env);
  try {
    const headers = { 'x-forwarded-for': forwardedFor };
    const response = await api.request('/healthz', { headers });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');

    const line = api.logs
      .map((text) => JSON.parse(text) as { reqId?: string; req?: { remoteAddress?: string } })
      .find((entry) => entry.reqId === requestId && entry.req !== undefined);
    return line?.req?.remoteAddress;
  } finally {
    await api.close();
  }
}

describe('client address behind proxies (TRUST_PROXY)', () => {
  const spoofed = '203.0.113.66, 198.51.100.7';

  it('ignores X-Forwarded-For by default', async () => {
    expect(await clientAddressSeen({}, spoofed)).toBe('127.0.0.1');
  });

  it('with a hop count, takes the address the trusted proxy saw, not the leftmost', async () => {
    expect(await clientAddressSeen({ TRUST_PROXY: '1' }, spoofed)).toBe('198.51.100.7');
  });

  it('with trusted addresses, stops at the first address that is not one of them', async () => {
    const env = { TRUST_PROXY: '127.0.0.1/32, 198.51.100.0/24' };
    expect(await clientAddressSeen(env, spoofed)).toBe('203.0.113.66');
    expect(await clientAddressSeen({ TRUST_PROXY: '10.9.9.9' }, spoofed)).toBe('127.0.0.1');
  });
});
