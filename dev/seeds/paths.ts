/**
 * Where a device is at any instant: a smooth, deterministic path around its home, so any hour of
 * history can be generated on its own (the seed is resumable and chunks can run in any order)
 * and still join up with the hours either side of it.
 *
 * The path is two superposed loops in latitude and two in longitude: a city-sized loop that takes
 * one to three hours and a small wiggle on top. Devices park from 20:00 to 06:00 UTC: the path's
 * clock only runs while driving, so the car stands still overnight and sets off where it stopped.
 * Speed and heading are the path's derivative, so they agree with the fixes around them.
 */
import { prng } from '../stack/demo.js';

const KM_PER_DEGREE = 111.2;
const DRIVING_FROM_HOUR = 6;
const DRIVING_HOURS = 14;
const HOUR_MS = 3_600_000;

export interface Fix {
  lat: number;
  lon: number;
  speedKmh: number;
  heading: number;
}

interface Loop {
  amplitude: number; // degrees
  omega: number; // radians per driving hour
  phase: number;
}

export interface DevicePath {
  fixAt(epochMs: number): Fix;
}

/** Hours the device has driven since the epoch, and whether it is driving now. */
function drivingClock(epochMs: number): { hours: number; driving: boolean } {
  const day = Math.floor(epochMs / (24 * HOUR_MS));
  const hourOfDay = (epochMs - day * 24 * HOUR_MS) / HOUR_MS;
  const intoShift = hourOfDay - DRIVING_FROM_HOUR;
  const driving = intoShift > 0 && intoShift < DRIVING_HOURS;
  return { hours: day * DRIVING_HOURS + Math.min(Math.max(intoShift, 0), DRIVING_HOURS), driving };
}

export function devicePath(deviceId: number, home: { lat: number; lon: number }): DevicePath {
  const random = prng(70_000 + deviceId);
  const loop = (minAmplitude: number, maxAmplitude: number, minOmega: number, maxOmega: number): Loop => ({
    amplitude: minAmplitude + random() * (maxAmplitude - minAmplitude),
    omega: minOmega + random() * (maxOmega - minOmega),
    phase: random() * 2 * Math.PI,
  });
  const centre = { lat: home.lat + (random() - 0.5) * 0.3, lon: home.lon + (random() - 0.5) * 0.45 };
  const lonScale = 1 / Math.cos((centre.lat * Math.PI) / 180);
  const latLoops = [loop(0.04, 0.12, 2, 4.5), loop(0.002, 0.008, 12, 30)];
  const lonLoops = [loop(0.04, 0.12, 2, 4.5), loop(0.002, 0.008, 12, 30)];
  const value = (loops: Loop[], t: number) => loops.reduce((sum, l) => sum + l.amplitude * Math.sin(l.omega * t + l.phase), 0);
  const rate = (loops: Loop[], t: number) => loops.reduce((sum, l) => sum + l.amplitude * l.omega * Math.cos(l.omega * t + l.phase), 0);

  return {
    fixAt(epochMs) {
      const { hours, driving } = drivingClock(epochMs);
      const lat = centre.lat + value(latLoops, hours);
      const lon = centre.lon + value(lonLoops, hours) * lonScale;
      // Degrees per driving hour → km/h north and east; the heading is where that points.
      const northKmh = rate(latLoops, hours) * KM_PER_DEGREE;
      const eastKmh = rate(lonLoops, hours) * KM_PER_DEGREE;
      const heading = Math.round(((Math.atan2(eastKmh, northKmh) * 180) / Math.PI + 360) % 360) % 360;
      const speedKmh = driving ? Math.round(Math.hypot(northKmh, eastKmh) * 10) / 10 : 0;
      return { lat, lon, speedKmh, heading };
    },
  };
}
