/** Demo billing rows (DOMAIN.md): the customers of both tenants' coded companies, 5,000 invoices. */
import type mysql from 'mysql2/promise';
import {
  SEED_END, demoSizes, demoTenants, intBetween, legacyCodeOf, pick, prng,
} from '../stack/demo.js';

const DAY = 86_400_000;
const items = ['GPS tracker rental', 'SIM data plan', 'Installation', 'Support hours', 'Route report', 'Überführung'];

const isoDate = (date: Date) => date.toISOString().slice(0, 10);

export async function seedLegacy(connection: mysql.Connection): Promise<boolean> {
  const [existing] = await connection.query('SELECT COUNT(*) AS n FROM CUST_MASTER');
  if (Number((existing as { n: number }[])[0]?.n) > 0) return false;
  const random = prng(3);
  // The legacy system stores zero dates; strict modes would refuse them.
  await connection.query("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
  await connection.beginTransaction();

  const customers = demoTenants.flatMap((tenant) =>
    tenant.companyNames.flatMap((name, i) => {
      const code = legacyCodeOf(tenant, i + 1);
      return code ? [[code, name, `${isoDate(new Date(SEED_END.getTime() - (3000 - i) * DAY))} 08:00:00`]] : [];
    }),
  );
  await connection.query('INSERT INTO CUST_MASTER (CUST_CD, CUST_NM, CRT_DT) VALUES ?', [customers]);

  const headers: unknown[][] = [];
  const lines: unknown[][] = [];
  for (let number = 1; number <= demoSizes.invoices; number += 1) {
    const customer = pick(random, customers)[0];
    const issued = new Date(SEED_END.getTime() - intBetween(random, 1, 730) * DAY);
    const due = number % 50 === 0 ? '0000-00-00' : isoDate(new Date(issued.getTime() + 30 * DAY));
    const roll = random();
    const status = roll < 0.3 ? 'O' : roll < 0.9 ? 'P' : 'V';
    let totalCents = 0;
    for (let lineNo = 1; lineNo <= demoSizes.linesPerInvoice; lineNo += 1) {
      const quantity = intBetween(random, 1, 20);
      const unitCents = intBetween(random, 100, 50_000);
      totalCents += quantity * unitCents;
      lines.push([number, lineNo, pick(random, items), `${quantity}.00`, (unitCents / 100).toFixed(2)]);
    }
    headers.push([number, customer, isoDate(issued), due, status, (totalCents / 100).toFixed(2)]);
  }
  await connection.query('INSERT INTO INV_HDR (INV_NO, CUST_CD, INV_DT, DUE_DT, STAT, TOT_AMT) VALUES ?', [headers]);
  for (let start = 0; start < lines.length; start += 5_000) {
    await connection.query('INSERT INTO INV_LINE (INV_NO, LINE_NO, DESCR, QTY, UNIT_PRC) VALUES ?', [
      lines.slice(start, start + 5_000),
    ]);
  }
  await connection.commit();
  process.stdout.write(`  legacy: ${customers.length} customers, ${headers.length} invoices, ${lines.length} lines\n`);
  return true;
}
