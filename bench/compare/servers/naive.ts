/**
 * Naive: graphql-yoga over the gateway's schema with a resolver per field, each running its own
 * statement for its own parent, no DataLoader. What a first GraphQL server over these three
 * databases usually looks like, and the N+1 cost Repogate exists to remove.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createYoga } from 'graphql-yoga';
import { projectRoot } from '../../../src/config.js';
import { scalarResolvers } from '../../../src/subgraph-kit/scalars.js';
import { decimalToCents } from '../../../subgraphs/legacy/money.js';
import { TENANT, announce, countedMysqlPool, countedPgPool, serveQueryCount } from './common.js';
import { edges, fullPosition, invoice, line, type InvoiceRow, type LineRow, type PositionRow } from './shapes.js';

const main = countedPgPool('main');
const telemetry = countedPgPool('telemetry');
const legacy = countedMysqlPool();

const rows = async <R>(pool: typeof main, sql: string, params: unknown[]) => (await pool.query(sql, params)).rows as R[];
const legacyRows = async <R>(sql: string, params: unknown[]) => (await legacy.query(sql, params))[0] as R[];

interface Company { id: string; name: string; code: string | null }
interface User { id: string; name: string; companyId: string }
interface Device { id: string }

// Ids leave as text; ORDER BY names the table's column (c.id), else it would sort the text.
const companyColumns = 'id::text, name, rtrim(legacy_customer_code) AS code';
const userColumns = 'id::text, name, company_id::text AS "companyId"';
const lastFix = 'SELECT recorded_at, lat, lon, speed_kmh, heading FROM device_last_position WHERE device_id = $1';
const invoiceColumns = 'INV_NO AS number, TOT_AMT AS total, DUE_DT AS dueOn';
type Window = { from: string; to: string };

const resolvers = {
  DateTime: scalarResolvers.DateTime,
  Date: scalarResolvers.Date,
  SafeInt: scalarResolvers.SafeInt,
  Latitude: scalarResolvers.Latitude,
  Longitude: scalarResolvers.Longitude,
  Query: {
    company: async (_: unknown, { id }: { id: string }) => (await rows<Company>(main, `SELECT ${companyColumns} FROM companies WHERE id = $1`, [id]))[0] ?? null,
    companies: async (_: unknown, { first }: { first: number }) => edges(await rows<Company>(main, `SELECT ${companyColumns} FROM companies c ORDER BY c.id LIMIT $1`, [first])),
    user: async (_: unknown, { id }: { id: string }) => (await rows<User>(main, `SELECT ${userColumns} FROM users WHERE id = $1`, [id]))[0] ?? null,
    device: async (_: unknown, { id }: { id: string }) => (await rows<Device>(telemetry, 'SELECT id::text FROM devices WHERE id = $1 AND tenant = $2', [id, TENANT]))[0] ?? null,
    devices: async (_: unknown, { first }: { first: number }) => edges(await rows<Device>(telemetry, 'SELECT id::text FROM devices d WHERE tenant = $1 ORDER BY d.id LIMIT $2', [TENANT, first])),
  },
  Company: {
    users: async (company: Company, { first }: { first: number }) =>
      edges(await rows<User>(main, `SELECT ${userColumns} FROM users u WHERE company_id = $1 ORDER BY u.id LIMIT $2`, [company.id, first])),
    invoices: async (company: Company, { status }: { status?: string }) => {
      if (!company.code) return [];
      const rows = await legacyRows<InvoiceRow>(`SELECT ${invoiceColumns} FROM INV_HDR WHERE CUST_CD = ? AND STAT = ? ORDER BY INV_NO`, [company.code, status?.[0] ?? 'O']);
      return rows.map(invoice);
    },
    openBalanceCents: async (company: Company) => {
      if (!company.code) return 0;
      const [row] = await legacyRows<{ total: string }>("SELECT COALESCE(SUM(TOT_AMT), 0) AS total FROM INV_HDR WHERE CUST_CD = ? AND STAT = 'O'", [company.code]);
      return decimalToCents(String(row!.total));
    },
  },
  Invoice: {
    lines: async (parent: { number: string }) =>
      (await legacyRows<LineRow>('SELECT LINE_NO AS lineNo, DESCR AS description, QTY AS quantity, UNIT_PRC AS unitPrice FROM INV_LINE WHERE INV_NO = ? ORDER BY LINE_NO', [parent.number])).map(line),
  },
  User: {
    company: async (user: User) => (await rows<Company>(main, `SELECT ${companyColumns} FROM companies WHERE id = $1`, [user.companyId]))[0],
    devices: (user: User) => rows<Device>(telemetry, 'SELECT id::text FROM devices d WHERE tenant = $1 AND user_id = $2 ORDER BY d.id', [TENANT, user.id]),
    lastPosition: async (user: User) => {
      const [fix] = await rows<PositionRow>(telemetry, `
        SELECT p.recorded_at, p.lat, p.lon, p.speed_kmh, p.heading FROM devices d JOIN device_last_position p ON p.device_id = d.id
        WHERE d.tenant = $1 AND d.user_id = $2 ORDER BY p.recorded_at DESC, d.id LIMIT 1`, [TENANT, user.id]);
      return fix ? fullPosition(fix) : null;
    },
    trackedSeconds: async (user: User, { from, to }: Window) => (await rows<{ seconds: number }>(main, `
      SELECT coalesce(floor(sum(extract(epoch FROM least(coalesce(ended_at, now()), $3) - greatest(started_at, $2)))), 0)::int AS seconds
      FROM time_entries WHERE user_id = $1 AND tstzrange(started_at, ended_at, '[]') && tstzrange($2, $3, '[]')`, [user.id, from, to]))[0]!.seconds,
    timeEntries: async (user: User, { from, to }: Window) => (await rows<{ id: string; started_at: Date; ended_at: Date | null }>(main, `
      SELECT t.id::text, t.started_at, t.ended_at FROM time_entries t
      WHERE user_id = $1 AND tstzrange(started_at, ended_at, '[]') && tstzrange($2, $3, '[]') ORDER BY t.started_at, t.id`, [user.id, from, to]))
      .map((entry) => ({ id: entry.id, startedAt: entry.started_at, endedAt: entry.ended_at })),
  },
  Device: {
    lastPosition: async (device: Device) => {
      const [fix] = await rows<PositionRow>(telemetry, lastFix, [device.id]);
      return fix ? fullPosition(fix) : null;
    },
    track: async (device: Device, { from, to }: Window) => (await rows<PositionRow>(telemetry, `
      SELECT recorded_at, lat, lon, speed_kmh, heading FROM positions
      WHERE device_id = $1 AND recorded_at BETWEEN $2 AND $3 ORDER BY recorded_at`, [device.id, from, to])).map(fullPosition),
  },
};

const schema = makeExecutableSchema({
  typeDefs: readFileSync(path.join(projectRoot, 'schemas', 'gateway.graphql'), 'utf8'),
  resolvers,
});
const yoga = createYoga({ schema, graphiql: false, logging: false, maskedErrors: false });

const server = createServer((request, response) => {
  if (!serveQueryCount(request, response)) void yoga(request, response);
});
announce(server);
