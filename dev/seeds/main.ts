/** Demo rows of one tenant's main database (DOMAIN.md): deterministic, loaded with COPY. */
import type pg from 'pg';
import { copyRows } from '../stack/copy-rows.js';
import {
  SEED_END, companyOfUser, demoSizes, intBetween, legacyCodeOf, pick, prng, type DemoTenant,
} from '../stack/demo.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const firstNames = ['Anna', 'Ben', 'Chloé', 'David', 'Elif', 'Fatima', 'Jörg', 'Hana', 'Ivan', 'Júlia', 'Kenji', 'Lena'];
const lastNames = ['Schmidt', 'Nguyen', 'García', 'Smith', 'Kowalski', 'Øster', 'Rossi', 'Dubois', 'Yılmaz', 'Tanaka'];
const projectNames = ['Route planning', 'Fleet upkeep', 'Customer visits', 'Warehouse', 'Night shift', 'Audit'];
const notes = ['traffic on the ring road', 'loading dock 3', 'customer not home', 'fuel stop', 'handover'];

/** Projects per company: company c owns project c, and companies 1–10 one more each. */
function projectsOf(companyId: number): number[] {
  const extra = demoSizes.projectsPerTenant - demoSizes.companiesPerTenant;
  return companyId <= extra ? [companyId, demoSizes.companiesPerTenant + companyId] : [companyId];
}

export async function seedMain(client: pg.ClientBase, tenant: DemoTenant): Promise<boolean> {
  const { rows } = await client.query<{ seeded: boolean }>('SELECT EXISTS (SELECT 1 FROM companies) AS seeded');
  if (rows[0]?.seeded) return false;
  const random = prng(tenant.slug === 'acme' ? 1 : 2);
  const createdAt = (n: number) => new Date(SEED_END.getTime() - (400 - n) * DAY);

  await client.query('BEGIN');
  await copyRows(
    client,
    'companies (id, name, legacy_customer_code, created_at)',
    tenant.companyNames.map((name, i) => [i + 1, name, legacyCodeOf(tenant, i + 1), createdAt(i)]),
    { label: `main/${tenant.slug} companies` },
  );
  await copyRows(
    client,
    'users (id, company_id, name, email, created_at)',
    Array.from({ length: demoSizes.usersPerTenant }, (_, i) => {
      const id = i + 1;
      const name = `${pick(random, firstNames)} ${pick(random, lastNames)}`;
      return [id, companyOfUser(id), name, id % 10 === 0 ? null : `user${id}@${tenant.slug}.example`, createdAt(50 + (id % 300))];
    }),
    { label: `main/${tenant.slug} users` },
  );
  await copyRows(
    client,
    'projects (id, company_id, name)',
    Array.from({ length: demoSizes.projectsPerTenant }, (_, i) => {
      const id = i + 1;
      const companyId = id <= demoSizes.companiesPerTenant ? id : id - demoSizes.companiesPerTenant;
      return [id, companyId, `${pick(random, projectNames)} ${id}`];
    }),
    { label: `main/${tenant.slug} projects` },
  );
  // Entries over the 90 days before SEED_END; the newest entry of users 1–40 is still running.
  function* timeEntries() {
    const total = demoSizes.timeEntriesPerTenant;
    for (let id = 1; id <= total; id += 1) {
      const userId = ((id - 1) % demoSizes.usersPerTenant) + 1;
      const projectId = pick(random, projectsOf(companyOfUser(userId)));
      const running = id > total - demoSizes.usersPerTenant && userId <= 40;
      // Each user's entries follow one another in time, so a user never overlaps itself.
      const slot = Math.floor((id - 1) / demoSizes.usersPerTenant);
      const slots = Math.ceil(total / demoSizes.usersPerTenant);
      const slotMs = (90 * DAY) / slots;
      const startedAt = new Date(SEED_END.getTime() - 90 * DAY + slot * slotMs + intBetween(random, 0, HOUR));
      const endedAt = running ? null : new Date(startedAt.getTime() + intBetween(random, 15, 240) * 60_000);
      yield [id, userId, projectId, startedAt, endedAt, random() < 0.3 ? pick(random, notes) : null] as const;
    }
  }
  await copyRows(client, 'time_entries (id, user_id, project_id, started_at, ended_at, note)', timeEntries(), {
    label: `main/${tenant.slug} time_entries`,
    total: demoSizes.timeEntriesPerTenant,
  });
  await client.query('COMMIT');
  return true;
}
