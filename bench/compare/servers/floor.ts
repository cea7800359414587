/**
 * The floor: node:http and hand-written SQL, the least work that gives the gateway's answers.
 * Each scenario is what a developer would write for that one screen: joins where they are
 * natural, one statement per repo where possible, repos queried side by side. It does not parse
 * GraphQL; it dispatches on the request's operationName and takes the same variables.
 */
import { createServer } from 'node:http';
import { decimalToCents } from '../../../subgraphs/legacy/money.js';
import { TENANT, announce, countedMysqlPool, countedPgPool, readJson, serveQueryCount } from './common.js';
import { edges, fullPosition, groupBy, invoice, line, position, type InvoiceRow, type LineRow, type PositionRow } from './shapes.js';

const main = countedPgPool('main');
const telemetry = countedPgPool('telemetry');
const legacy = countedMysqlPool();

type Variables = Record<string, any>;

/** A company, its first 50 users (with their tracked seconds in [$2, $3] when asked), in one statement. */
const companyWithUsers = (withTrackedSeconds: boolean) => `
  SELECT c.id::text, c.name, rtrim(c.legacy_customer_code) AS code,
    (SELECT coalesce(json_agg(json_build_object('id', u.id::text, 'name', u.name
       ${withTrackedSeconds ? `, 'trackedSeconds', (
         SELECT coalesce(floor(sum(extract(epoch FROM least(coalesce(t.ended_at, now()), $3) - greatest(t.started_at, $2)))), 0)::int
         FROM time_entries t WHERE t.user_id = u.id AND tstzrange(t.started_at, t.ended_at, '[]') && tstzrange($2, $3, '[]'))` : ''}
     ) ORDER BY u.id), '[]')
     FROM (SELECT id, name FROM users WHERE company_id = c.id ORDER BY id LIMIT 50) u) AS users
  FROM companies c WHERE c.id = $1`;

interface CompanyRow {
  id: string;
  name: string;
  code: string | null;
  users: { id: string; name: string; trackedSeconds?: number }[];
}

const lastFixOfUsers = `
  SELECT DISTINCT ON (d.user_id) d.user_id::text AS "userId", p.recorded_at, p.lat, p.lon
  FROM devices d JOIN device_last_position p ON p.device_id = d.id
  WHERE d.tenant = $1 AND d.user_id = ANY($2::bigint[])
  ORDER BY d.user_id, p.recorded_at DESC, d.id`;

const openInvoicesWithLines = `
  SELECT h.INV_NO AS number, h.TOT_AMT AS total, h.DUE_DT AS dueOn,
         l.LINE_NO AS lineNo, l.DESCR AS description, l.QTY AS quantity, l.UNIT_PRC AS unitPrice
  FROM INV_HDR h LEFT JOIN INV_LINE l ON l.INV_NO = h.INV_NO
  WHERE h.CUST_CD = ? AND h.STAT = 'O' ORDER BY h.INV_NO, l.LINE_NO`;

async function q1({ id }: Variables) {
  const { rows: [company] } = await main.query<CompanyRow>(companyWithUsers(false), [id]);
  if (!company) return { company: null };
  const [fixes, invoiceRows] = await Promise.all([
    telemetry.query<PositionRow & { userId: string }>(lastFixOfUsers, [TENANT, company.users.map((u) => u.id)]),
    company.code ? legacy.query(openInvoicesWithLines, [company.code]).then(([rows]) => rows as (InvoiceRow & Partial<LineRow>)[]) : [],
  ]);
  const fixOf = new Map(fixes.rows.map((fix) => [fix.userId, position(fix)]));
  return {
    company: {
      id: company.id,
      name: company.name,
      users: edges(company.users.map((user) => ({ ...user, lastPosition: fixOf.get(user.id) ?? null }))),
      invoices: [...groupBy(invoiceRows, (row) => row.number).values()].map((rows) => ({
        ...invoice(rows[0]!),
        lines: rows[0]!.lineNo === null ? [] : rows.map((row) => line(row as LineRow)),
      })),
    },
  };
}

async function q2({ id, from, to }: Variables) {
  const { rows } = await telemetry.query<PositionRow & { id: string }>(`
    SELECT d.id::text, p.recorded_at, p.lat, p.lon, p.speed_kmh, p.heading
    FROM devices d LEFT JOIN positions p ON p.device_id = d.id AND p.recorded_at BETWEEN $3 AND $4
    WHERE d.id = $1 AND d.tenant = $2 ORDER BY p.recorded_at`, [id, TENANT, from, to]);
  if (rows.length === 0) return { device: null };
  return { device: { id: rows[0]!.id, track: rows[0]!.recorded_at === null ? [] : rows.map(fullPosition) } };
}

async function q3({ id, from, to }: Variables) {
  const { rows: [company] } = await main.query<CompanyRow>(companyWithUsers(true), [id, from, to]);
  if (!company) return { company: null };
  const [devices, balance] = await Promise.all([
    telemetry.query<Partial<PositionRow> & { id: string; userId: string }>(`
      SELECT d.id::text, d.user_id::text AS "userId", p.recorded_at, p.lat, p.lon
      FROM devices d LEFT JOIN device_last_position p ON p.device_id = d.id
      WHERE d.tenant = $1 AND d.user_id = ANY($2::bigint[]) ORDER BY d.id`, [TENANT, company.users.map((u) => u.id)]),
    company.code
      ? legacy.query("SELECT COALESCE(SUM(TOT_AMT), 0) AS total FROM INV_HDR WHERE CUST_CD = ? AND STAT = 'O'", [company.code])
        .then(([rows]) => decimalToCents(String((rows as { total: string }[])[0]!.total)))
      : null,
  ]);
  const devicesOf = groupBy(devices.rows, (d) => d.userId);
  return {
    company: {
      id: company.id,
      name: company.name,
      openBalanceCents: balance,
      users: edges(company.users.map((user) => ({
        ...user,
        devices: (devicesOf.get(user.id) ?? []).map((d) => ({ id: d.id, lastPosition: d.recorded_at ? position(d as PositionRow) : null })),
      }))),
    },
  };
}

async function q4({ from, to }: Variables) {
  const { rows } = await main.query<{ cid: string; cname: string; uid: string | null; uname: string; tid: string | null; started_at: Date; ended_at: Date | null }>(`
    SELECT c.id::text AS cid, c.name AS cname, u.id::text AS uid, u.name AS uname, t.id::text AS tid, t.started_at, t.ended_at
    FROM (SELECT id, name FROM companies ORDER BY id LIMIT 20) c
    LEFT JOIN LATERAL (SELECT id, name FROM users WHERE company_id = c.id ORDER BY id LIMIT 50) u ON true
    LEFT JOIN time_entries t ON t.user_id = u.id AND tstzrange(t.started_at, t.ended_at, '[]') && tstzrange($1, $2, '[]')
    ORDER BY c.id, u.id, t.started_at, t.id`, [from, to]);
  const companies = [...groupBy(rows, (r) => r.cid).values()].map((companyRows) => ({
    id: companyRows[0]!.cid,
    name: companyRows[0]!.cname,
    users: edges([...groupBy(companyRows.filter((r) => r.uid !== null), (r) => r.uid).values()].map((userRows) => ({
      id: userRows[0]!.uid,
      name: userRows[0]!.uname,
      timeEntries: userRows.filter((r) => r.tid !== null).map((r) => ({ id: r.tid, startedAt: r.started_at.toISOString(), endedAt: r.ended_at?.toISOString() ?? null })),
    }))),
  }));
  return { companies: edges(companies) };
}

async function q5({ id }: Variables) {
  const { rows: [row] } = await main.query<{ id: string; name: string; cid: string; cname: string }>(`
    SELECT u.id::text, u.name, c.id::text AS cid, c.name AS cname FROM users u JOIN companies c ON c.id = u.company_id WHERE u.id = $1`, [id]);
  return { user: row ? { id: row.id, name: row.name, company: { id: row.cid, name: row.cname } } : null };
}

async function q6() {
  const { rows } = await telemetry.query<Partial<PositionRow> & { id: string }>(`
    SELECT d.id::text, p.recorded_at, p.lat, p.lon FROM devices d LEFT JOIN device_last_position p ON p.device_id = d.id
    WHERE d.tenant = $1 ORDER BY d.id LIMIT 500`, [TENANT]);
  return { devices: edges(rows.map((d) => ({ id: d.id, lastPosition: d.recorded_at ? position(d as PositionRow) : null }))) };
}

const handlers: Record<string, (variables: Variables) => Promise<unknown>> = { Q1: q1, Q2: q2, Q3: q3, Q4: q4, Q5: q5, Q6: q6 };

const server = createServer((request, response) => {
  if (serveQueryCount(request, response)) return;
  readJson(request)
    .then(async (body) => {
      const handler = handlers[body.operationName];
      if (!handler) throw new Error(`unknown operation ${body.operationName}`);
      const data = await handler(body.variables ?? {});
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data }));
    })
    .catch((error: Error) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ message: error.message }] }));
    });
});
announce(server);
