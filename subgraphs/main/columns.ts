/**
 * The columns behind each field this subgraph serves: what a client class's role must be
 * allowed to SELECT for the field to work. The start-up grant check reads this.
 */
export const fieldColumns: Record<string, string[]> = {
  'Company.id': ['companies.id'],
  'Company.name': ['companies.name'],
  'Company.legacyCustomerCode': ['companies.legacy_customer_code'],
  'Company.createdAt': ['companies.created_at'],
  'Company.users': ['users.id', 'users.company_id', 'users.name', 'users.created_at'],
  'Company.projects': ['projects.id', 'projects.company_id', 'projects.name'],
  'User.id': ['users.id'],
  'User.name': ['users.name'],
  'User.email': ['users.email'],
  'User.company': ['users.company_id', 'companies.id'],
  'User.timeEntries': ['time_entries.id', 'time_entries.user_id', 'time_entries.project_id', 'time_entries.started_at', 'time_entries.ended_at'],
  'User.trackedSeconds': ['time_entries.user_id', 'time_entries.started_at', 'time_entries.ended_at'],
  'Project.id': ['projects.id'],
  'Project.name': ['projects.name'],
  'Project.company': ['projects.company_id'],
  'TimeEntry.note': ['time_entries.note'],
  'Query.companies': ['companies.id'],
  'Query.users': ['users.id'],
  'Mutation.startTimeEntry': ['time_entries.user_id', 'projects.id', 'users.company_id'],
};
