/**
 * What each field of this subgraph reads and who may not see it: the one declaration per field.
 * The class schemas, each class's statements (sql.ts), the start-up grant check and the privilege
 * tests derive from it; grants.sql must agree, and the grant check fails when it does not.
 */
import type { FieldAccess } from '../../src/subgraph-kit/subgraph.js';

export const fields: Record<string, FieldAccess> = {
  'Company.id': { columns: ['companies.id'] },
  'Company.name': { columns: ['companies.name'] },
  'Company.legacyCustomerCode': { columns: ['companies.legacy_customer_code'] },
  'Company.createdAt': { columns: ['companies.created_at'] },
  'Company.users': { columns: ['users.id', 'users.company_id', 'users.name', 'users.created_at'] },
  'Company.projects': { columns: ['projects.id', 'projects.company_id', 'projects.name'] },
  'User.id': { columns: ['users.id'] },
  'User.name': { columns: ['users.name'] },
  // Services see no personal data: no e-mail addresses, no notes.
  'User.email': { columns: ['users.email'], hiddenFrom: ['api'] },
  'User.company': { columns: ['users.company_id', 'companies.id'] },
  'User.timeEntries': { columns: ['time_entries.id', 'time_entries.user_id', 'time_entries.project_id', 'time_entries.started_at', 'time_entries.ended_at'] },
  'User.trackedSeconds': { columns: ['time_entries.user_id', 'time_entries.started_at', 'time_entries.ended_at'] },
  'Project.id': { columns: ['projects.id'] },
  'Project.name': { columns: ['projects.name'] },
  'Project.company': { columns: ['projects.company_id'] },
  'TimeEntry.note': { columns: ['time_entries.note'], hiddenFrom: ['api'] },
  'StartTimeEntryInput.note': { hiddenFrom: ['api'] },
  'UpdateTimeEntryInput.note': { hiddenFrom: ['api'] },
  'Query.companies': { columns: ['companies.id'] },
  'Query.users': { columns: ['users.id'] },
  'Mutation.startTimeEntry': { columns: ['time_entries.user_id', 'projects.id', 'users.company_id'] },
};
