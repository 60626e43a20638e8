import type { ScheduleStep } from "./partition-schedule.ts";
import { sortSchedule } from "./partition-schedule.ts";
import { seededRandom } from "./seeded-random.ts";

/**
 * A random partition schedule over `durationMs`, the same for the same seed, registers and
 * duration. Every outage it starts it also ends before the duration is over, so the simulation's
 * own final heal only has to reset what a hand-written schedule left open:
 *
 * - each register is cut and healed with probability 0.7;
 * - one register is killed and restarted from its storage;
 * - the server is SIGKILLed and restarted with probability 0.5;
 * - one register's messages are delayed for a while with probability 0.4;
 * - one register loses messages at random for a while with probability 0.3.
 */
export function randomPartitionSchedule(input: {
  readonly seed: number;
  readonly registerIds: readonly string[];
  readonly durationMs: number;
}): ScheduleStep[] {
  const random = seededRandom(input.seed, "schedule");
  const duration = Math.max(1_000, Math.floor(input.durationMs));
  const span = (from: number, to: number) =>
    random.int(Math.floor(duration * from), Math.floor(duration * to));
  const steps: ScheduleStep[] = [];
  for (const register of input.registerIds) {
    if (!random.chance(0.7)) continue;
    const start = span(0.1, 0.5);
    steps.push({ at: start, action: "cut", register });
    steps.push({ at: start + span(0.1, 0.3), action: "heal", register });
  }
  if (input.registerIds.length > 0) {
    const register = random.pick(input.registerIds);
    const start = span(0.2, 0.6);
    steps.push({ at: start, action: "kill-register", register });
    steps.push({ at: start + span(0.05, 0.2), action: "restart-register", register });
  }
  if (random.chance(0.5)) {
    const start = span(0.3, 0.6);
    steps.push({ at: start, action: "kill-server" });
    steps.push({ at: start + span(0.1, 0.25), action: "restart-server" });
  }
  if (input.registerIds.length > 0 && random.chance(0.4)) {
    const register = random.pick(input.registerIds);
    const start = span(0.05, 0.5);
    steps.push({ at: start, action: "delay", register, ms: random.int(20, 200) });
    steps.push({ at: start + span(0.1, 0.3), action: "delay", register, ms: 0 });
  }
  if (input.registerIds.length > 0 && random.chance(0.3)) {
    const register = random.pick(input.registerIds);
    const start = span(0.05, 0.5);
    const probability = Math.round(random.int(5, 20)) / 100;
    steps.push({ at: start, action: "drop", register, probability });
    steps.push({ at: start + span(0.1, 0.3), action: "drop", register, probability: 0 });
  }
  return sortSchedule(steps);
}
