import pg from 'pg';

/** One short-lived PostgreSQL connection for tools (stack provisioning, tenant admin), closed after `work`. */
export async function withPgClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
