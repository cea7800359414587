/**
 * training.move_ledger: one row per (source, table, month), how far its move got. `copied` is
 * written in the copy's own transaction; `verified` and `dropped` only after the work they
 * name, so a kill between the work and the write leaves the earlier state, whose step the rerun
 * repeats (plan.ts).
 */
import type pg from 'pg';
import type { Figures } from './figures.js';
import { ledgerDate, monthOf } from './months.js';
import type { MoveSource } from './moved-tables.js';
import type { LedgerEntry, LedgerState } from './plan.js';

export async function readLedger(training: pg.ClientBase, source: MoveSource): Promise<LedgerEntry[]> {
  const { rows } = await training.query<{ month: string; state: LedgerState; rows: string; checksum: string }>(
    "SELECT to_char(month, 'YYYY-MM-DD') AS month, state, rows, checksum FROM move_ledger WHERE source = $1 AND table_name = $2",
    [source.name, source.table.table],
  );
  return rows.map((row) => ({ month: monthOf(new Date(`${row.month}T00:00:00Z`)), state: row.state, rows: Number(row.rows), checksum: String(row.checksum) }));
}

export async function setLedgerState(training: pg.ClientBase, source: MoveSource, month: string, state: LedgerState, figures: Figures): Promise<void> {
  const { rowCount } = await training.query(
    'UPDATE move_ledger SET state = $4, rows = $5, checksum = $6, updated_at = now() WHERE source = $1 AND table_name = $2 AND month = $3',
    [source.name, source.table.table, ledgerDate(month), state, figures.rows, figures.checksum],
  );
  if (rowCount !== 1) throw new Error(`${source.name} ${source.table.table} ${month}: no move_ledger row to mark ${state}`);
}
