/** Scalars shared by the subgraphs, from graphql-scalars (validated parsing and serialising). */
import { GraphQLScalarType } from 'graphql';
import { DateResolver, DateTimeResolver, LatitudeResolver, LongitudeResolver, SafeIntResolver } from 'graphql-scalars';

/**
 * The same scalar with a fast path for serialising numbers already in range and at most 8
 * decimals (what a fix read from the database always is): the answer graphql-scalars would give,
 * without its string round trip per value. That round trip was a tenth of the CPU of a list of
 * 500 devices (BENCHMARKS.md). Anything else goes through graphql-scalars unchanged.
 */
function withFastNumericSerialize(scalar: GraphQLScalarType, min: number, max: number): GraphQLScalarType {
  const config = scalar.toConfig();
  return new GraphQLScalarType({
    ...config,
    serialize(value) {
      if (typeof value === 'number' && value >= min && value <= max && Math.round(value * 1e8) / 1e8 === value) return value;
      return config.serialize!(value);
    },
  });
}

export const scalarResolvers = {
  DateTime: DateTimeResolver,
  Date: DateResolver,
  Latitude: withFastNumericSerialize(LatitudeResolver, -90, 90),
  Longitude: withFastNumericSerialize(LongitudeResolver, -180, 180),
  SafeInt: SafeIntResolver,
};
