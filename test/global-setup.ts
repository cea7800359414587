/** One real stack for the whole suite: started (or reused) and seeded before any test file runs. */
import { stackUp } from '../dev/stack/stack.js';

export default async function setup(): Promise<void> {
  await stackUp((line) => console.log(line));
}
