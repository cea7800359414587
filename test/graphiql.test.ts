/**
 * A person two commands after cloning: GraphiQL opens in a real (headless) Chromium, runs the
 * prefilled cross-repo query, and the result pane shows rows from all three repos. Plus the
 * process endpoints /health and /ready.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { listen, openGateway, tokenFor, type TestGateway } from './support.js';

let gateway: TestGateway;
let http: Awaited<ReturnType<typeof listen>>;
let browser: Browser;

beforeAll(async () => {
  gateway = openGateway({ graphiqlToken: await tokenFor('interactive', 'acme') });
  http = await listen(gateway.gateway);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await http?.close();
  await gateway?.close();
});

describe('GraphiQL', () => {
  it('runs the prefilled cross-repo query and shows data from all three repos', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    await page.goto(`${http.url}/graphql`);
    const answered = page.waitForResponse((r) => r.url().endsWith('/graphql') && !!r.request().postData()?.includes('CompanyOverview'));
    await page.locator('.graphiql-execute-button').click();
    // The dev GraphiQL sends x-repogate-debug: 1, so the answer reports each repo's round trips.
    const body = await (await answered).json();
    expect(body.extensions.repos).toMatchObject({
      // the companies with their users, one statement
      main: { roundTrips: 1 },
      telemetry: { roundTrips: 1 },
      // level 2: the customer (name and open balance in one statement) and the OPEN invoices
      // with their lines (level 3 joined: the selection goes on to lines).
      legacy: { roundTrips: 2 },
    });
    // The result editor renders the visible lines only; the example query puts every repo's
    // rows near the top.
    const result = page.locator('.result-window');
    await expect.poll(() => result.innerText(), { timeout: 20_000 }).toContain('"unitPriceCents"');
    const text = (await result.innerText()).replace(/\u00a0/g, ' '); // the editor renders spaces as NBSP
    expect(text).toContain('Müller GmbH'); // main
    expect(text).toMatch(/"serial": "GPS-\d{6}"/); // telemetry
    expect(text).toMatch(/"unitPriceCents": \d+/); // legacy
    mkdirSync(path.join(projectRoot, 'test', 'artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(projectRoot, 'test', 'artifacts', 'graphiql.png') });
  });
});

describe('process endpoints', () => {
  it('/health answers while the process is up', async () => {
    expect((await fetch(`${http.url}/health`)).status).toBe(200);
  });

  it('/ready answers 200 when every repo answers a ping', async () => {
    const response = await fetch(`${http.url}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      repos: { main: { primary: 'up', replicas: ['up'] }, telemetry: { primary: 'up' }, legacy: { primary: 'up' }, training: { primary: 'up' } },
    });
  });
});
