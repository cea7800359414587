/** The checked-in contracts under schemas/ match the running schemas (`npm run schemas` updates them). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printContracts, schemasDir } from '../src/gateway/contracts.js';

describe('schema contracts', () => {
  for (const [file, printed] of Object.entries(printContracts())) {
    it(`schemas/${file} matches the running schema`, () => {
      const checkedIn = readFileSync(path.join(schemasDir, file), 'utf8');
      expect(printed, `schemas/${file} drifted: run npm run schemas and review the diff`).toBe(checkedIn);
    });
  }

  it('the gateway exposes the DOMAIN.md contract and hides merge entry points', () => {
    const sdl = printContracts()['gateway.graphql']!;
    for (const field of [
      'companies(after: String, first: Int = 20): CompanyConnection!',
      'company(id: ID!): Company',
      'user(id: ID!): User',
      'users(ids: [ID!]!): [User]!',
      'device(id: ID!): Device',
      'devices(after: String, first: Int = 50): DeviceConnection!',
      'invoice(number: ID!): Invoice',
      'track(from: DateTime!, maxPoints: Int, to: DateTime!): [Position!]!',
      'trackedSeconds(from: DateTime!, to: DateTime!): Int!',
      'totalCents: SafeInt!',
      'latitude: Latitude!',
    ]) {
      expect(sdl).toContain(field);
    }
    expect(sdl).not.toMatch(/\b_\w+\(/);
    expect(sdl).not.toContain('LegacyCompanyRef');
  });
});
