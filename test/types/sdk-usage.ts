/**
 * Compiled, never run: proves the SDK's types are real. `npm test` type-checks this file (tsc
 * over the project), and test/sdk-types.test.ts shows that without the @ts-expect-error lines
 * it does not compile.
 */
import { createClient, type InvoiceStatus, type RepogateErrorCode } from '../../src/sdk/client.js';

export async function usesTheSdk(): Promise<void> {
  const repogate = createClient({ url: 'http://127.0.0.1:4000/graphql' });

  const { data, errors } = await repogate.Company({ id: '1', invoiceStatus: 'OPEN' });
  const name: string | undefined = data?.company?.name;
  const balance: number | null | undefined = data?.company?.openBalanceCents;
  const status: InvoiceStatus | undefined = data?.company?.invoices?.[0]?.status;
  const code: RepogateErrorCode | undefined = errors[0]?.code;
  const path: readonly (string | number)[] | undefined = errors[0]?.path;
  void [name, balance, status, code, path];

  // @ts-expect-error Company has no field `revenue`: a schema change that breaks a caller fails here
  void data?.company?.revenue;

  // @ts-expect-error `id` is required by the Company operation
  await repogate.Company({});

  // @ts-expect-error InvoiceStatus is OPEN | PAID | VOID
  await repogate.Company({ id: '1', invoiceStatus: 'LATE' });

  // Operations whose variables are all optional can be called without any.
  await repogate.CompanyPage();
}
