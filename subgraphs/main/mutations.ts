/**
 * Time-entry writes, each one transaction on the tenant's primary. Rules checked here and held
 * by the database too: a user has at most one running entry (a partial unique index), an entry
 * ends after it starts (a CHECK), a project belongs to the user's company.
 */
import { BadUserInputError } from '../../src/subgraph-kit/errors.js';
import type { Executor } from '../../src/repo/repo.js';
import { isBigintId } from '../../src/subgraph-kit/arguments.js';
import { behindHorizon } from '../../src/subgraph-kit/horizon.js';
import type { MainContext } from './resolvers.js';
import * as sql from './sql.js';

interface StartInput {
  userId: string;
  projectId: string;
  startedAt?: Date | null;
  note?: string | null;
}

interface UpdateInput {
  id: string;
  projectId?: string | null;
  startedAt?: Date | null;
  endedAt?: Date | null;
  note?: string | null;
}

const MAX_NOTE_LENGTH = 2000;

function checkId(value: string, argumentName: string): string {
  if (!isBigintId(value)) throw new BadUserInputError(`Argument "${argumentName}" is not a valid id.`, argumentName);
  return value;
}

function checkNote(note: string | null | undefined): string | null {
  if (note == null) return null;
  if (note.length > MAX_NOTE_LENGTH || note.includes('\u0000')) {
    throw new BadUserInputError(`Argument "note" must be at most ${MAX_NOTE_LENGTH} characters of text.`, 'note');
  }
  return note;
}

async function checkProject(tx: Executor, userId: string, projectId: string): Promise<void> {
  const [project] = await tx.query(sql.projectOfUsersCompany, [userId, projectId]);
  if (!project) {
    throw new BadUserInputError(`Project ${projectId} does not exist or does not belong to user ${userId}'s company.`, 'projectId');
  }
}

function checkOrder(startedAt: Date, endedAt: Date | null): void {
  if (endedAt !== null && endedAt.getTime() <= startedAt.getTime()) {
    throw new BadUserInputError('Argument "endedAt" must be after "startedAt".', 'endedAt');
  }
}

/** The database refuses an entry starting behind the horizon (migration 0004): say so, naming it. */
function refusedBehindHorizon(error: unknown): never {
  const { code, detail } = error as { code?: string; detail?: string };
  if (code === 'RG001' && detail) throw behindHorizon('the entry would start', 'startedAt', new Date(detail));
  throw error;
}

type Resolver<A> = (root: unknown, args: A, context: MainContext) => Promise<sql.TimeEntryRow>;

export const startTimeEntry: Resolver<{ input: StartInput }> = (_root, { input }, { main }) => {
  const userId = checkId(input.userId, 'userId');
  const projectId = checkId(input.projectId, 'projectId');
  const note = checkNote(input.note);
  const statements = main.loaders.statements;
  return main.repo.transaction(async (tx) => {
    await checkProject(tx, userId, projectId);
    const [running] = await tx.query<sql.TimeEntryRow>(statements.runningEntryForUpdate, [userId]);
    if (running) {
      throw new BadUserInputError(`User ${userId} already has a running entry (${running.id}); stop it first.`, 'userId');
    }
    const values = [userId, projectId, input.startedAt ?? new Date(), ...(statements.writesNote ? [note] : [])];
    const [entry] = await tx.query<sql.TimeEntryRow>(statements.insertTimeEntry, values).catch((error: unknown) => {
      // A concurrent start for the same user got in first: the partial unique index says no.
      if ((error as { code?: string }).code === '23505') {
        throw new BadUserInputError(`User ${userId} already has a running entry; stop it first.`, 'userId');
      }
      return refusedBehindHorizon(error);
    });
    return entry!;
  });
};

export const stopTimeEntry: Resolver<{ userId: string; endedAt?: Date | null }> = (_root, args, { main }) => {
  const userId = checkId(args.userId, 'userId');
  const statements = main.loaders.statements;
  return main.repo.transaction(async (tx) => {
    const [running] = await tx.query<sql.TimeEntryRow>(statements.runningEntryForUpdate, [userId]);
    if (!running) throw new BadUserInputError(`User ${userId} has no running entry.`, 'userId');
    const endedAt = args.endedAt ?? new Date();
    checkOrder(running.startedAt, endedAt);
    const [entry] = await tx.query<sql.TimeEntryRow>(statements.stopTimeEntry, [running.id, endedAt]);
    return entry!;
  });
};

export const updateTimeEntry: Resolver<{ input: UpdateInput }> = (_root, { input }, { main }) => {
  const id = checkId(input.id, 'id');
  const statements = main.loaders.statements;
  return main.repo.transaction(async (tx) => {
    const [current] = await tx.query<sql.TimeEntryRow>(statements.timeEntryForUpdate, [id]);
    if (!current) throw new BadUserInputError(`Time entry ${id} does not exist.`, 'id');
    const projectId = input.projectId == null ? current.projectId : checkId(input.projectId, 'projectId');
    if (projectId !== current.projectId) await checkProject(tx, current.userId, projectId);
    const startedAt = input.startedAt ?? current.startedAt;
    const endedAt = input.endedAt ?? current.endedAt;
    checkOrder(startedAt, endedAt);
    const note = input.note === undefined ? current.note : checkNote(input.note);
    const values = [id, projectId, startedAt, endedAt, ...(statements.writesNote ? [note] : [])];
    const [entry] = await tx.query<sql.TimeEntryRow>(statements.updateTimeEntry, values).catch(refusedBehindHorizon);
    return entry!;
  });
};
