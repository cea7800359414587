/** CPU a local process has used so far (user + system), from /proc; undefined where /proc cannot tell (another host, another OS). */
import { readFileSync } from 'node:fs';

export function processCpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks of 10 ms.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
