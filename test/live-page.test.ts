/**
 * Live data in a browser (issue 13): in headless Chromium, a tiny page subscribes with fetch and
 * SSE and shows a recorded fix within 1 s of the mutation's answer; GraphiQL runs the same
 * subscription and its result pane shows the fix. Screenshots in test/artifacts/live-page.png
 * (the page) and test/artifacts/live-graphiql.png.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { forgetFixesRecorded, openGateway, pgRows, telemetryUrl, type TestGateway, tokenFor } from './support.js';

// This file's fixes: 2026-11-22 00:00–01:00 (test/sdk-live.test.ts has the hour after).
const recordedAt = (n: number) => new Date(Date.UTC(2026, 10, 22, 0) + n * 1000).toISOString();
const artifacts = path.join(projectRoot, 'test', 'artifacts');

const SUBSCRIPTION = `subscription ($deviceIds: [ID!]) {
  positionRecorded(deviceIds: $deviceIds) {
    device { id serial user { name company { name } } }
    position { recordedAt latitude longitude }
  }
}`;

/**
 * The page: one fetch with `accept: text/event-stream`, its body read as SSE by hand (no
 * EventSource: it cannot POST or send a token), each fix prepended to #fixes.
 */
function livePage(config: { token: string; deviceIds: string[] }): string {
  const json = JSON.stringify({ ...config, query: SUBSCRIPTION }).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Repogate: live fixes</title>
<style>body { font: 14px system-ui; margin: 2em } li { font-family: monospace; margin: .3em 0 }</style></head>
<body><h1>Live fixes</h1><p id="state">connecting</p><ol id="fixes"></ol>
<script type="application/json" id="config">${json}</script>
<script type="module">
const { token, deviceIds, query } = JSON.parse(document.getElementById('config').textContent);
const state = document.getElementById('state');
const fixes = document.getElementById('fixes');
const response = await fetch('/graphql', {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer ' + token },
  body: JSON.stringify({ query, variables: { deviceIds } }),
});
state.textContent = response.ok ? 'live' : 'refused: ' + response.status;
const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
let buffer = '';
for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
  buffer += chunk.value;
  for (let end = buffer.indexOf('\\n\\n'); end >= 0; end = buffer.indexOf('\\n\\n')) {
    const message = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    const event = /^event: ?(.*)$/m.exec(message)?.[1];
    const data = message.split('\\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trimStart()).join('\\n');
    if (event === 'complete') state.textContent = 'ended';
    if (event !== 'next' || !data) continue;
    const result = JSON.parse(data);
    if (result.errors) state.textContent = result.errors.map((error) => error.extensions?.code ?? error.message).join(', ');
    if (!result.data) continue;
    const { device, position } = result.data.positionRecorded;
    const item = document.createElement('li');
    item.dataset.recordedAt = position.recordedAt;
    item.textContent = device.serial + ' | ' + (device.user?.name ?? 'no user') + ' | ' + position.latitude + ', ' + position.longitude + ' | ' + position.recordedAt;
    fixes.prepend(item);
  }
}
state.textContent = 'ended';
</script></body></html>`;
}

let gateway: TestGateway;
let origin: string;
let closeServer: () => Promise<void>;
let browser: Browser;
let apiToken: string;
let interactiveToken: string;
let device: { id: string; serial: string; user: { name: string; company: { name: string } } };

const forgetRecordedFixes = () => forgetFixesRecorded('2026-11-22T00:00:00Z', '2026-11-22T01:00:00Z');

async function record(n: number) {
  const response = await gateway.request(
    'mutation ($id: ID!, $at: DateTime!) { recordPositions(deviceId: $id, positions: [{ recordedAt: $at, latitude: 52.52, longitude: 13.405 }]) { inserted } }',
    { id: device.id, at: recordedAt(n) },
    { token: apiToken },
  );
  expect(response.errors).toBeUndefined();
  expect(response.data!.recordPositions.inserted).toBe(1);
}

/** Until the gateway holds `count` interactive subscriptions (a page does not say when its request is in). */
async function subscribed(count: number) {
  await expect.poll(() => gateway.live!.openSubscriptions().interactive ?? 0, { timeout: 15_000 }).toBe(count);
}

async function listening(target: TestGateway): Promise<void> {
  for (const deadline = Date.now() + 10_000; !target.live?.listening(); ) {
    if (Date.now() > deadline) throw new Error('the LISTEN connection did not come up in 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  await forgetRecordedFixes();
  apiToken = await tokenFor('api', 'acme');
  interactiveToken = await tokenFor('interactive', 'acme');
  gateway = openGateway({ graphiqlToken: interactiveToken });
  // The page comes from the gateway's own origin: what a same-site frontend would do.
  const server = createServer((request, response) => {
    if (request.url === '/live.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(livePage({ token: interactiveToken, deviceIds: [device.id] }));
      return;
    }
    void gateway.gateway(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeServer = async () => {
    await gateway.endSubscriptions();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  const [row] = await pgRows<{ id: string }>(telemetryUrl(), "SELECT id::text FROM devices WHERE tenant = 'acme' AND user_id IS NOT NULL ORDER BY id LIMIT 1");
  device = (await gateway.request(`{ device(id: "${row!.id}") { id serial user { name company { name } } } }`)).data!.device;
  await listening(gateway);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  mkdirSync(artifacts, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await closeServer?.();
  await gateway?.close();
  await forgetRecordedFixes();
});

describe('a page subscribed with fetch and SSE', () => {
  it('shows a recorded fix within 1 s of the mutation answering', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 400 } });
    try {
      await page.goto(`${origin}/live.html`);
      await subscribed(1);
      expect(await page.locator('#state').innerText()).toBe('live');
      await record(1);
      const answered = Date.now();
      await page.waitForFunction((at) => document.querySelector(`#fixes li[data-recorded-at="${at}"]`) !== null, recordedAt(1), { timeout: 1_000 });
      expect(Date.now() - answered).toBeLessThan(1_000);
      expect(await page.locator('#fixes li').allInnerTexts()).toEqual([`${device.serial} | ${device.user.name} | 52.52, 13.405 | ${recordedAt(1)}`]);
      await page.screenshot({ path: path.join(artifacts, 'live-page.png') });
    } finally {
      await page.close();
    }
    await subscribed(0);
  });
});

describe('GraphiQL', () => {
  it('runs the subscription over SSE and shows a recorded fix in the result pane', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await page.goto(`${origin}/graphql`);
      // Replace the prefilled query in the (Monaco) query editor as a person would: select all, type.
      const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
      // Typing before the editor holds the prefilled query would be lost.
      await expect.poll(() => editor.innerText(), { timeout: 20_000 }).toContain('CompanyOverview');
      await editor.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.insertText(SUBSCRIPTION.replace(' ($deviceIds: [ID!])', '').replace('$deviceIds', `["${device.id}"]`));
      // The editor closes brackets as they are typed: what it added lies after the cursor.
      await page.keyboard.press('ControlOrMeta+Shift+End');
      await page.keyboard.press('Delete');
      await expect.poll(() => editor.innerText(), { timeout: 5_000 }).toMatch(/^subscription\s+\{\s+positionRecorded/m);
      // GraphiQL takes an edit into its state a moment after the editor shows it; a click before
      // that runs the previous query, so click again until the subscription goes out.
      let request: Request | undefined;
      for (let attempt = 0; attempt < 4 && !request; attempt += 1) {
        const subscribing = page.waitForRequest((sent) => `${sent.url()} ${sent.postData()}`.includes('positionRecorded'), { timeout: 3_000 });
        await page.locator('.graphiql-execute-button').click();
        request = await subscribing.catch(() => undefined);
      }
      if (!request) throw new Error('GraphiQL never sent the subscription');
      expect([request.method(), request.headers().accept]).toEqual(['POST', 'text/event-stream']);
      await subscribed(1);
      await record(2);
      const result = page.locator('.result-window');
      await expect.poll(async () => (await result.innerText()).replace(/\u00a0/g, ' '), { timeout: 10_000 }).toContain(`"recordedAt": "${recordedAt(2)}"`);
      const text = (await result.innerText()).replace(/\u00a0/g, ' ');
      expect(text).toContain(`"serial": "${device.serial}"`);
      expect(text).toContain(`"name": "${device.user.company.name}"`);
      await page.screenshot({ path: path.join(artifacts, 'live-graphiql.png') });
    } finally {
      await page.close();
    }
    await subscribed(0);
  });
});
