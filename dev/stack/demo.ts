/**
 * The demo data set of DOMAIN.md, shared by the three seeds so the repos agree with each other:
 * which companies have legacy codes, which users own devices. Everything is derived from fixed
 * numbers and a seeded PRNG, so every machine gets the same rows.
 */

/** The seed's fixed end instant: positions cover the 7 days before it. */
export const SEED_END = new Date('2026-11-01T00:00:00Z');

export interface DemoTenant {
  slug: string;
  /** Prefix of the tenant's legacy customer codes (codes are unique across tenants). */
  codePrefix: string;
  /** Where the tenant's devices drive around. */
  home: { lat: number; lon: number };
  /** Latin-1 only: the legacy CUST_MASTER.CUST_NM column stores them as latin1. */
  companyNames: readonly string[];
}

export const demoTenants: readonly DemoTenant[] = [
  {
    slug: 'acme',
    codePrefix: 'AC',
    home: { lat: 52.52, lon: 13.405 },
    companyNames: [
      'Müller GmbH', 'Acme Logistics', 'Société Générale de Transport', 'Ångström Instruments AB',
      'Weiß & Söhne KG', 'Northwind Freight', 'Bäckerei Schäfer', 'Øresund Shipping ApS',
      'Café Crème SARL', 'Blue Harbor Ltd', 'Zürich Vermessung AG', 'Peña Construcciones',
      'Riverside Couriers', 'Hernández Logística SL', 'Tallinn Taxi OÜ', 'Summit Fleet Services',
      'Grünwald Energie', 'Harbor Lights Inc', 'Ørsted Kørsel ApS', 'Evergreen Haulage',
    ],
  },
  {
    slug: 'globex',
    codePrefix: 'GX',
    home: { lat: 42.3601, lon: -71.0589 },
    companyNames: [
      'Globex Corporation', 'Initech', 'Hooli Transit', 'Umbrella Movers', 'Stark Delivery',
      'Wayne Freight', 'Cyberdyne Logistics', 'Soylent Foods', 'Tyrell Trucking', 'Vandelay Imports',
      'Gringotts Armored', 'Oceanic Cargo', 'Massive Dynamic', 'Duff Distribution', 'Pied Piper Couriers',
      'Aperture Field Service', 'Nakatomi Trading', 'Wonka Industries', 'Dunder Mifflin', 'Monarch Routes',
    ],
  },
];

export const demoSizes = {
  companiesPerTenant: 20,
  usersPerTenant: 400,
  projectsPerTenant: 30,
  timeEntriesPerTenant: 50_000,
  devices: 1_000,
  positions: 1_000_000,
  invoices: 5_000,
  linesPerInvoice: 4,
} as const;

/** Companies whose number is a multiple of 4 have no legacy customer: 15 of 20 do. */
export function legacyCodeOf(tenant: DemoTenant, companyId: number): string | null {
  return companyId % 4 === 0 ? null : `${tenant.codePrefix}${String(companyId).padStart(6, '0')}`;
}

export function companyOfUser(userId: number): number {
  return ((userId - 1) % demoSizes.companiesPerTenant) + 1;
}

export interface DemoDevice {
  id: number;
  tenant: string;
  userId: number | null;
}

/**
 * 1,000 devices, alternating tenants. Per tenant: users 1–360 have one device, users 1–130 a
 * second one, users 361–400 none, and 10 devices are unassigned.
 */
export function demoDevices(): DemoDevice[] {
  const devices: DemoDevice[] = [];
  const perTenant = demoSizes.devices / demoTenants.length;
  demoTenants.forEach((tenant, tenantIndex) => {
    for (let n = 0; n < perTenant; n += 1) {
      const userId = n < 360 ? n + 1 : n < 490 ? n - 359 : null;
      devices.push({ id: n * demoTenants.length + tenantIndex + 1, tenant: tenant.slug, userId });
    }
  });
  return devices.sort((a, b) => a.id - b.id);
}

/** mulberry32: a tiny, fast, seedable PRNG; good enough for demo data, not for secrets. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function intBetween(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
