/**
 * The comparison's chart (bench/compare/chart.ts, issue 15): well-formed SVG, one bar per scenario
 * and server at concurrency 10, every label escaped, the goal line where issue 15 puts it.
 */
import { describe, expect, it } from 'vitest';
import { floorGoals, renderChart, type RunInfo } from '../../bench/compare/chart.js';
import { renderReport, type Measurement, type ServerName } from '../../bench/compare/render.js';
import type { Scenario, ScenarioName } from '../../bench/compare/scenarios.js';

const scenario = (name: ScenarioName, title: string): Scenario => ({ name, title, query: '', variables: () => ({}), repos: ['main'] });
const measured = (server: ServerName, scenario: ScenarioName, rps: number, connections = 10): Measurement =>
  ({ server, scenario, connections, rps, p50: 1, p99: 2, errors: 0, cpuMsPerRequest: 1, roundTrips: {} });

const run: RunInfo = {
  date: '2026-12-01', quick: false, poolSize: 10, durations: { warm: 3, measured: 10 },
  scenarios: [scenario('Q1', 'a company <with> users & "invoices"'), scenario('Q2', "one device's track"), scenario('Q4', 'no floor measured')],
};
const measurements = [
  measured('floor', 'Q1', 1000), measured('naive', 'Q1', 200), measured('repogate', 'Q1', 500), measured('hive', 'Q1', 250),
  measured('floor', 'Q2', 400), measured('repogate', 'Q2', 300), measured('postgraphile', 'Q2', 100),
  // Other concurrencies stay out of the chart; a scenario without a floor figure has nothing to be relative to.
  measured('floor', 'Q1', 10, 1), measured('repogate', 'Q1', 99_999, 50), measured('repogate', 'Q4', 5),
];
const svg = renderChart(measurements, run);

/** Well-formedness, simply: tags nest and close, attributes are quoted, `<` and `&` appear only as markup or entities. */
function assertWellFormed(xml: string): void {
  const parts = xml.match(/<[^>]*>|[^<]+/g) ?? [];
  expect(parts.join('')).toBe(xml);
  const stack: string[] = [];
  let roots = 0;
  for (const part of parts) {
    expect(part, `a bare & in ${part}`).not.toMatch(/&(?!(?:lt|gt|amp|quot|apos|#\d+|#x[\da-f]+);)/i);
    if (!part.startsWith('<')) {
      expect(stack.length > 0 || part.trim() === '', `text outside the root: ${part}`).toBe(true);
      continue;
    }
    const tag = /^<(\/)?([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/)?>$/.exec(part);
    expect(tag, `not a well-formed tag: ${part}`).not.toBeNull();
    const [, closing, name, , selfClosing] = tag!;
    if (closing) expect(stack.pop(), `</${name}> closes another element`).toBe(name);
    else if (!selfClosing) stack.push(name!);
    if (!closing && stack.length <= (selfClosing ? 0 : 1)) roots += 1;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

const bars = [...svg.matchAll(/<rect class="bar" data-scenario="(\w+)" data-server="([\w-]+)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)]
  .map(([, scenario, server, x, y, width, height]) => ({ scenario, server, x: Number(x), y: Number(y), width: Number(width), height: Number(height) }));

describe('the comparison chart', () => {
  it('is one well-formed SVG document with a title for screen readers', () => {
    assertWellFormed(svg);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="900" height="\d+" viewBox="0 0 900 \d+" role="img"/);
    expect(svg).toContain('<title id="chart-title">Repogate against the floor, naive yoga, PostGraphile and Hive Gateway: req/s at concurrency 10, relative to the floor');
    expect(svg).toContain('2026-12-01, full run: 3 s warm-up + 10 s measured per server and scenario, pool size 10 per repo');
  });

  it('draws one bar per scenario and server at concurrency 10, as long as req/s ÷ the floor, labelled with both', () => {
    // Servers in the chart's fixed order within each group, whatever order the run measured them in.
    expect(bars.map((b) => `${b.scenario} ${b.server}`)).toEqual(['Q1 floor', 'Q1 naive', 'Q1 repogate', 'Q1 hive', 'Q2 floor', 'Q2 repogate', 'Q2 postgraphile']);
    const bar = (scenario: string, server: string) => bars.find((b) => b.scenario === scenario && b.server === server)!;
    expect(bar('Q1', 'repogate').width / bar('Q1', 'floor').width).toBeCloseTo(0.5, 2);
    expect(bar('Q2', 'postgraphile').width / bar('Q2', 'floor').width).toBeCloseTo(0.25, 2);
    expect(svg).toContain('>500 req/s · 0.50×</text>');
    expect(svg).toContain('>1000 req/s · 1.00×</text>');
    expect(svg).not.toContain('99999');
    expect(svg).not.toContain('no floor measured');
  });

  it('keeps a server the same colour in every group', () => {
    const colours = [...svg.matchAll(/data-server="repogate"[^>]* fill="(#[\da-f]+)"/g)].map(([, colour]) => colour);
    expect(colours).toHaveLength(2);
    expect(new Set(colours).size).toBe(1);
  });

  it('escapes the text it is given', () => {
    expect(svg).toContain('a company &lt;with&gt; users &amp; &quot;invoices&quot;');
    expect(svg).toContain('one device&apos;s track');
    expect(svg).not.toContain('<with>');
  });

  it("draws issue 15's goal as a dashed line at its fraction of the floor's bar, across the scenario's bars, with the verdict", () => {
    const goals = [...svg.matchAll(/<line class="goal" data-scenario="(\w+)" data-goal="([\d.]+)" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"[^>]*stroke-dasharray/g)]
      .map(([, scenario, goal, x1, y1, x2, y2]) => ({ scenario, goal: Number(goal), x1: Number(x1), y1: Number(y1), x2: Number(x2), y2: Number(y2) }));
    expect(goals.map((g) => g.scenario)).toEqual(['Q1']);
    const [goal] = goals;
    const q1 = bars.filter((b) => b.scenario === 'Q1');
    const floor = q1.find((b) => b.server === 'floor')!;
    expect(goal!.goal).toBe(0.6);
    expect(goal!.x1).toBe(goal!.x2);
    expect(goal!.x1).toBeCloseTo(floor.x + 0.6 * floor.width, 0);
    expect(goal!.y1).toBeLessThan(Math.min(...q1.map((b) => b.y)));
    expect(goal!.y2).toBeGreaterThan(Math.max(...q1.map((b) => b.y + b.height)));
    expect(svg).toContain('goal: Repogate ≥ 0.60× the floor (missed: 0.50×)');
  });

  it("draws the same req/s goals as render.ts's goal table, no more and no fewer", () => {
    const { summary } = renderReport([], run);
    const stated = [...summary.matchAll(/\| (Q\d) Repogate rps ≥ ([\d.]+) × floor \|/g)].map(([, scenario, target]) => [scenario, Number(target)]);
    expect(Object.fromEntries(stated)).toEqual(floorGoals);
  });

  it('widens the axis when a server beats the floor', () => {
    const faster = renderChart([measured('floor', 'Q2', 400), measured('repogate', 'Q2', 600)], run);
    const [floor, repogate] = [...faster.matchAll(/data-server="([\w-]+)" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map(([, , width]) => Number(width));
    expect(repogate! / floor!).toBeCloseTo(1.5, 2);
    expect(faster).toContain('>1.6×</text>');
  });
});
