/** Scalars shared by the subgraphs, from graphql-scalars (validated parsing and serialising). */
import { DateResolver, DateTimeResolver, LatitudeResolver, LongitudeResolver, SafeIntResolver } from 'graphql-scalars';

export const scalarResolvers = {
  DateTime: DateTimeResolver,
  Date: DateResolver,
  Latitude: LatitudeResolver,
  Longitude: LongitudeResolver,
  SafeInt: SafeIntResolver,
};
