/** Checks of arguments that GraphQL types cannot express; each names the argument at fault. */
import { BadUserInputError } from '../errors.js';

export interface TimeWindow {
  from: Date;
  to: Date;
}

export function timeWindow(args: { from: Date; to: Date }): TimeWindow {
  if (args.from.getTime() > args.to.getTime()) {
    throw new BadUserInputError('Argument "from" must not be after "to".', 'from');
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
