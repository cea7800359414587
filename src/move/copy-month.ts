/**
 * Step (a) of a month: its rows stream out of the source (COPY (SELECT …) TO STDOUT) straight
 * into training (COPY … FROM STDIN), never held in memory, inside ONE training transaction that
 * also writes the ledger row `copied` with the figures training computes of what it received.
 * A kill anywhere before the COMMIT leaves neither rows nor ledger row: the rerun copies again.
 *
 * The source's figures for step (b) are read while training computes its own (two clusters, two
 * CPUs): the checksum costs about as much as the copy, so this saves a third of a month's time.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { figuresSql, queryFigures, type Figures } from './figures.js';
import { ledgerDate } from './months.js';
import { inMonth, type MoveSource } from './moved-tables.js';
import type { SourceMonth } from './plan.js';

const newline = 0x0a;

/**
 * Counts rows as they pass (COPY's text format escapes newlines inside values, so each raw
 * newline ends a row). `holdAfterRows`, the test hook's mid-copy: once some rows went on, the
 * stream stops (and never finishes) and the hook is called to kill the process.
 */
class RowCounter extends Transform {
  rows = 0;

  constructor(private readonly onRows: (rows: number) => void, private readonly holdAfterRows?: (rows: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (let at = chunk.indexOf(newline); at !== -1; at = chunk.indexOf(newline, at + 1)) this.rows += 1;
    this.onRows(this.rows);
    if (this.holdAfterRows && this.rows > 0) {
      this.push(chunk);
      return this.holdAfterRows(this.rows);
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    // An empty month streams no rows: held at its end instead, still before the COMMIT.
    if (this.holdAfterRows) return this.holdAfterRows(this.rows);
    callback();
  }
}

/** Training's rows of `source` in a month (all columns, named as the source query names them). */
export function trainingRows(source: MoveSource, month: string): string {
  const { table } = source;
  const columns = table.columns.map((column) => pg.escapeIdentifier(column)).join(', ');
  return `SELECT ${columns} FROM ${pg.escapeIdentifier(table.table)} WHERE ${inMonth(pg.escapeIdentifier(table.timeColumn), month)} AND ${table.trainingScope(source)}`;
}

export interface CopiedMonth {
  /** Training's figures of what it received, as the ledger records them. */
  figures: Figures;
  /** The source's figures of the month, read once the rows had streamed. */
  sourceFigures: Figures;
  copySeconds: number;
}

export async function copyMonth(
  source: MoveSource,
  held: SourceMonth,
  clients: { source: pg.Client; training: pg.Client },
  onRows: (rows: number) => void,
  holdAfterRows?: (rows: number) => void,
): Promise<CopiedMonth> {
  const { table } = source;
  const { training } = clients;
  await table.prepareTraining?.(training, held.month);
  const started = performance.now();
  await training.query('BEGIN');
  try {
    const columns = table.columns.map((column) => pg.escapeIdentifier(column)).join(', ');
    await pipeline(
      clients.source.query(copyTo(`COPY (${table.sourceRows(source, held)}) TO STDOUT`)),
      new RowCounter(onRows, holdAfterRows),
      training.query(copyFrom(`COPY ${pg.escapeIdentifier(table.table)} (${columns}) FROM STDIN`)),
    );
    const copySeconds = (performance.now() - started) / 1000;
    const sourceFigures = queryFigures(clients.source, figuresSql(table.columns, table.sourceRows(source, held)));
    // Awaited below; until then a failure on training's side must not leave it unhandled.
    sourceFigures.catch(() => undefined);
    // Computed by training of what it holds now, inside the transaction: what it will keep.
    const figures = await queryFigures(training, figuresSql(table.columns, trainingRows(source, held.month)));
    await training.query(
      `INSERT INTO move_ledger (source, table_name, month, state, rows, checksum, copy_seconds) VALUES ($1, $2, $3, 'copied', $4, $5, $6)`,
      [source.name, table.table, ledgerDate(held.month), figures.rows, figures.checksum, copySeconds],
    );
    await training.query('COMMIT');
    return { figures, sourceFigures: await sourceFigures, copySeconds };
  } catch (error) {
    await training.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
