/**
 * The comparison as a chart (issue 15): req/s at concurrency 10 relative to the floor, one group
 * of horizontal bars per scenario, one bar per server, the goals of issue 15 as dashed lines.
 * BENCHMARKS.md shows the latest full run's (bench/results/comparison.svg).
 *
 * Hand-written SVG, no chart library: bars, lines and text need a few dozen lines of markup, and
 * the bench runs in plain Node with no browser or canvas to draw with. Every label is a <text>
 * element (not a path), so the chart can be searched, read by a screen reader and diffed.
 *
 * `renderChart` is pure: the run's measurements and settings in, the SVG text out. Run as a
 * script, it redraws the chart of an earlier run from the JSON the run saved next to its Markdown:
 *
 *   npx tsx bench/compare/chart.ts bench/results/2026-11-30.md [--out file.svg]
 *
 * (the .md or the .json: both are read, the measurements from the .json, the settings from the
 * first paragraph of the .md). A full run's chart goes to bench/results/comparison.svg, a quick
 * run's to <name>.svg beside its tables, or to --out.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { renderReport, Measurement, ServerName } from './render.js';
import { scenarios, type ScenarioName } from './scenarios.js';

/** The run's settings, as renderReport takes them. */
export type RunInfo = Parameters<typeof renderReport>[1];

/** The concurrency the chart shows: the one the goals are set at. */
export const chartConcurrency = 10;

/** Issue 15's req/s goals for Repogate, × the floor, as render.ts's goal table states them. */
export const floorGoals: Partial<Record<ScenarioName, number>> = { Q1: 0.6, Q3: 0.6, Q6: 0.6 };

/** Every server in the same place and colour in every group (Okabe–Ito, safe for colour blindness). */
const servers: readonly { name: ServerName; label: string; legend: string; colour: string }[] = [
  { name: 'floor', label: 'floor', legend: 'floor: hand-written SQL', colour: '#8c8c8c' },
  { name: 'naive', label: 'naive yoga', legend: 'naive yoga (no DataLoader)', colour: '#e69f00' },
  { name: 'repogate', label: 'Repogate in-process', legend: 'Repogate in-process', colour: '#0072b2' },
  { name: 'postgraphile', label: 'PostGraphile', legend: 'PostGraphile 5', colour: '#009e73' },
  { name: 'repogate-remote', label: 'Repogate all-remote', legend: 'Repogate all-remote', colour: '#56b4e9' },
  { name: 'hive', label: 'Hive Gateway', legend: 'Hive Gateway', colour: '#d55e00' },
];

/** Text for an XML text node or attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

// ---- layout (px; the chart is drawn for 900 px wide and scales with its viewBox) ----------------
const width = 900;
const margin = 16;
const plotLeft = 180;
/** Room right of the longest bar for its "req/s · ×floor" label. */
const plotRight = width - 180;
const barHeight = 16;
const barStep = 21;
const groupHeader = 24;
const groupGap = 16;
const legendColumns = 4;
const goalColour = '#b00020';
const font = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

const fmt = (n: number, digits: number) => n.toFixed(digits);
const attrs = (a: Record<string, string | number>) => Object.entries(a).map(([k, v]) => `${k}="${escapeXml(String(v))}"`).join(' ');
const text = (x: number, y: number, content: string, a: Record<string, string | number> = {}) =>
  `<text ${attrs({ x: fmt(x, 1), y: fmt(y, 1), ...a })}>${escapeXml(content)}</text>`;
/** Labels drawn over grid and goal lines keep a white outline, so they stay legible where they cross one. */
const halo = { stroke: '#fff', 'stroke-width': 3, 'paint-order': 'stroke', 'stroke-linejoin': 'round' };

export function renderChart(measurements: readonly Measurement[], run: RunInfo): string {
  const at = measurements.filter((m) => m.connections === chartConcurrency);
  // Scenarios in the run's order; one without a floor figure has nothing to be relative to.
  const groups = run.scenarios.flatMap((scenario) => {
    const floor = at.find((m) => m.scenario === scenario.name && m.server === 'floor');
    if (!floor || !(floor.rps > 0)) return [];
    const bars = servers.flatMap((server) => {
      const m = at.find((x) => x.scenario === scenario.name && x.server === server.name);
      return m ? [{ server, m, ratio: m.rps / floor.rps }] : [];
    });
    return [{ scenario, bars, goal: floorGoals[scenario.name] }];
  });

  // The x axis: 0 to 1.0 × the floor, further when a server beats it.
  const largest = Math.max(1, ...groups.flatMap((g) => g.bars.map((b) => b.ratio)));
  const tickStep = largest <= 2 ? 0.2 : largest <= 5 ? 0.5 : Math.ceil(largest / 10);
  const axisMax = Math.ceil(largest / tickStep - 1e-9) * tickStep;
  const x = (ratio: number) => plotLeft + (ratio / axisMax) * (plotRight - plotLeft);

  const title = 'Repogate against the floor, naive yoga, PostGraphile and Hive Gateway';
  const what = `req/s at concurrency ${chartConcurrency}, relative to the floor`;
  const how = `${run.date}, ${run.quick ? 'quick run (a check, not a record)' : 'full run'}: ` +
    `${run.durations.warm} s warm-up + ${run.durations.measured} s measured per server and scenario, pool size ${run.poolSize} per repo`;
  // Drawn in this order, each over the one before: the grid, the bars, the goal lines, the text.
  const grid: string[] = [];
  const bars: string[] = [];
  const goals: string[] = [];
  const labels: string[] = [];

  // Title, settings, legend.
  labels.push(text(margin, 28, title, { 'font-size': 17, 'font-weight': 'bold', fill: '#111' }));
  labels.push(text(margin, 48, what, { 'font-size': 13, fill: '#222' }));
  labels.push(text(margin, 66, how, { 'font-size': 12, fill: '#555' }));
  const present = servers.filter((s) => groups.some((g) => g.bars.some((b) => b.server === s)));
  const legendItems = [...present.map((s) => ({ kind: 'bar' as const, colour: s.colour, label: s.legend })), { kind: 'goal' as const, colour: goalColour, label: 'goal for Repogate (issue 15)' }];
  const columnWidth = (width - 2 * margin) / legendColumns;
  legendItems.forEach((item, i) => {
    const lx = margin + (i % legendColumns) * columnWidth;
    const ly = 92 + Math.floor(i / legendColumns) * 20;
    bars.push(item.kind === 'bar'
      ? `<rect ${attrs({ x: lx, y: ly - 10, width: 12, height: 12, fill: item.colour })}/>`
      : `<line ${attrs({ x1: lx, y1: ly - 4, x2: lx + 12, y2: ly - 4, stroke: item.colour, 'stroke-width': 2, 'stroke-dasharray': '4 3' })}/>`);
    labels.push(text(lx + 18, ly, item.label, { 'font-size': 12, fill: '#222' }));
  });
  const plotTop = 92 + Math.ceil(legendItems.length / legendColumns) * 20 + 14;

  // Group by group: the scenario's name and title, its bars, its goal line with the verdict under it.
  let y = plotTop;
  for (const group of groups) {
    const heading = group.scenario.title.length > 120 ? `${group.scenario.title.slice(0, 119)}…` : group.scenario.title;
    labels.push(`<text ${attrs({ x: margin, y: y + 16, 'font-size': 13, fill: '#333' })}><tspan font-weight="bold" fill="#111">${escapeXml(group.scenario.name)}</tspan>  ${escapeXml(heading)}</text>`);
    const barsTop = y + groupHeader;
    group.bars.forEach(({ server, m, ratio }, i) => {
      const by = barsTop + i * barStep;
      const figures = `${fmt(m.rps, 0)} req/s · ${fmt(ratio, 2)}×${m.errors ? ` · ${m.errors} errors` : ''}`;
      labels.push(text(plotLeft - 8, by + 12, server.label, { 'font-size': 12, fill: '#222', 'text-anchor': 'end' }));
      bars.push(`<rect ${attrs({ class: 'bar', 'data-scenario': group.scenario.name, 'data-server': server.name, x: plotLeft, y: by, width: fmt(Math.max(1, x(ratio) - plotLeft), 1), height: barHeight, fill: server.colour })}>` +
        `<title>${escapeXml(`${group.scenario.name}, ${server.label}: ${figures} the floor`)}</title></rect>`);
      labels.push(text(x(ratio) + 6, by + 12, figures, { 'font-size': 12, fill: '#222', ...halo }));
    });
    let bottom = barsTop + (group.bars.length - 1) * barStep + barHeight;
    if (group.goal !== undefined) {
      const repogate = group.bars.find((b) => b.server.name === 'repogate');
      const verdict = repogate ? ` (${repogate.ratio >= group.goal ? 'met' : 'missed'}: ${fmt(repogate.ratio, 2)}×)` : '';
      const gx = x(group.goal);
      goals.push(`<line ${attrs({ class: 'goal', 'data-scenario': group.scenario.name, 'data-goal': group.goal, x1: fmt(gx, 1), y1: barsTop - 4, x2: fmt(gx, 1), y2: bottom + 18, stroke: goalColour, 'stroke-width': 2, 'stroke-dasharray': '5 4' })}/>`);
      // Beside the line's foot, on whichever side the text fits (about 6.5 px a character at 12 px).
      const caption = `goal: Repogate ≥ ${fmt(group.goal, 2)}× the floor${verdict}`;
      const fitsRight = gx + 6 + caption.length * 6.5 <= width - margin;
      labels.push(text(fitsRight ? gx + 6 : gx - 6, bottom + 16, caption, { 'font-size': 12, fill: goalColour, 'text-anchor': fitsRight ? 'start' : 'end', ...halo }));
      bottom += 18;
    }
    y = bottom + groupGap;
  }
  const plotBottom = y - groupGap + 6;

  // The axis: a line per tick, the floor's (1.0) darker, the tick labels and the axis's name below.
  for (let i = 0; i * tickStep <= axisMax + 1e-9; i += 1) {
    const tick = i * tickStep;
    const isFloor = Math.abs(tick - 1) < 1e-9;
    grid.push(`<line ${attrs({ x1: fmt(x(tick), 1), y1: plotTop, x2: fmt(x(tick), 1), y2: plotBottom, stroke: isFloor ? '#777' : '#e6e6e6', 'stroke-width': 1 })}/>`);
    labels.push(text(x(tick), plotBottom + 16, `${fmt(tick, tickStep < 1 ? 1 : 0)}×`, { 'font-size': 11, fill: '#555', 'text-anchor': 'middle' }));
  }
  labels.push(text((plotLeft + plotRight) / 2, plotBottom + 34, 'req/s ÷ the floor’s req/s (floor = 1.0×); each bar labelled with its req/s and that ratio', { 'font-size': 12, fill: '#444', 'text-anchor': 'middle' }));
  const height = Math.ceil(plotBottom + 48);

  const description = groups.map((g) => `${g.scenario.name}: ${g.bars.map((b) => `${b.server.label} ${fmt(b.m.rps, 0)} req/s (${fmt(b.ratio, 2)}×)`).join(', ')}${g.goal === undefined ? '' : `; goal Repogate ≥ ${fmt(g.goal, 2)}× the floor`}.`).join(' ');
  return [
    `<svg ${attrs({ xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc', 'font-family': font })}>`,
    `<title id="chart-title">${escapeXml(`${title}: ${what} (${how})`)}</title>`,
    `<desc id="chart-desc">${escapeXml(description)}</desc>`,
    `<rect ${attrs({ width, height, fill: '#fff' })}/>`,
    ...grid, ...bars, ...goals, ...labels,
    '</svg>',
    '',
  ].join('\n');
}

// ---- as a script: redraw an earlier run's chart from what it saved ----------------------------------
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
  if (positionals.length !== 1) throw new Error('usage: npx tsx bench/compare/chart.ts bench/results/<run>.md|.json [--out file.svg]');
  const base = positionals[0]!.replace(/\.(md|json)$/, '');
  const name = path.basename(base);
  if (!existsSync(`${base}.json`) || !existsSync(`${base}.md`)) throw new Error(`${base}.json and ${base}.md are both needed (measurements, settings)`);
  const measurements = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Measurement[];
  // The settings, from the sentence renderReport opens the report with.
  const how = readFileSync(`${base}.md`, 'utf8');
  const timing = /([\d.]+) s warm-up \+ ([\d.]+) s measured/.exec(how);
  const pool = /pool size (\d+)/.exec(how);
  if (!timing || !pool) throw new Error(`${base}.md does not state its warm-up, measured seconds and pool size`);
  const quick = name.includes('quick');
  const run: RunInfo = {
    date: /^\d{4}-\d{2}-\d{2}/.exec(name)?.[0] ?? name, quick, poolSize: Number(pool[1]),
    durations: { warm: Number(timing[1]), measured: Number(timing[2]) }, scenarios,
  };
  const out = values.out ?? (quick ? `${base}.svg` : path.join(path.dirname(base), 'comparison.svg'));
  writeFileSync(out, renderChart(measurements, run));
  process.stdout.write(`wrote ${out}\n`);
}
