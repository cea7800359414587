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
