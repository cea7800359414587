/** Checks of arguments that GraphQL types cannot express; each names the argument at fault. */
import { BadUserInputError } from '../errors.js';

export interface TimeWindow {
  from: Date;
  to: Date;
}

/** A window at most `widest` wide (when given): `widest.hours`, or `widest.days`, from the topology. */
export function timeWindow(args: { from: Date; to: Date }, widest?: { days: number } | { hours: number }): TimeWindow {
  if (args.from.getTime() > args.to.getTime()) {
    throw new BadUserInputError('Argument "from" must not be after "to".', 'from');
  }
  if (widest) {
    const [amount, unit, ms] = 'days' in widest ? [widest.days, 'days', 86_400_000] : [widest.hours, 'hours', 3_600_000];
    if (args.to.getTime() - args.from.getTime() > amount * ms) {
      throw new BadUserInputError(`Arguments "from" and "to" may be at most ${amount} ${amount === 1 ? unit.slice(0, -1) : unit} apart.`, 'to');
    }
  }
  return { from: args.from, to: args.to };
}

export function intInRange(value: number, min: number, max: number, argumentName: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadUserInputError(`Argument "${argumentName}" must be between ${min} and ${max}, got ${value}.`, argumentName);
  }
  return value;
}

/**
 * Ids of bigint primary keys. A string that cannot be such an id names no row, so lookups
 * answer null for it instead of sending it to the database.
 */
export function isBigintId(id: string): boolean {
  return /^\d{1,18}$/.test(id);
}

/** Most ids a filter argument (`deviceIds`, `userIds`) may list. */
export const MAX_FILTER_IDS = 1000;

/**
 * An optional id filter: null stays "no filter"; ids that cannot be bigint ids name no rows and
 * are left out (an empty list then matches nothing); longer lists than MAX_FILTER_IDS are refused.
 */
export function idFilter(ids: readonly string[] | null | undefined, argumentName: string): string[] | null {
  if (ids == null) return null;
  if (ids.length > MAX_FILTER_IDS) throw new BadUserInputError(`Argument "${argumentName}" may list at most ${MAX_FILTER_IDS} ids, got ${ids.length}.`, argumentName);
  return ids.filter(isBigintId);
}
