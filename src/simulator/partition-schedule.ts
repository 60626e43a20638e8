import { z } from "zod";

/** What a step of a partition schedule does. */
export const SCHEDULE_ACTIONS = [
  "cut",
  "heal",
  "cut-all",
  "heal-all",
  "delay",
  "drop",
  "kill-register",
  "restart-register",
  "kill-server",
  "restart-server",
] as const;
export type ScheduleAction = (typeof SCHEDULE_ACTIONS)[number];

const at = z.int().min(0).max(3_600_000);
const register = z.string().regex(/^R\d{1,3}$/, 'a register id such as "R1"');

/**
 * One step of a partition schedule, at `at` ms after the simulation starts.
 *
 * - `cut` / `heal` one register's link to the retail server (sync and the reconnect probe);
 *   `cut-all` / `heal-all` every register's.
 * - `delay` delivers the register's messages `ms` late (`ms: 0` ends it); `drop` loses each
 *   message with `probability` (0 ends it).
 * - `kill-register` closes the register (its repo and master data index) as if the process
 *   ended; `restart-register` starts it again from its storage.
 * - `kill-server` SIGKILLs the retail server process; `restart-server` starts it again on the
 *   same port and data directory.
 */
export const scheduleStepSchema = z.discriminatedUnion("action", [
  z.strictObject({ at, action: z.literal("cut"), register }),
  z.strictObject({ at, action: z.literal("heal"), register }),
  z.strictObject({ at, action: z.literal("cut-all") }),
  z.strictObject({ at, action: z.literal("heal-all") }),
  z.strictObject({ at, action: z.literal("delay"), register, ms: z.int().min(0).max(60_000) }),
  z.strictObject({
    at,
    action: z.literal("drop"),
    register,
    probability: z.number().min(0).max(1),
  }),
  z.strictObject({ at, action: z.literal("kill-register"), register }),
  z.strictObject({ at, action: z.literal("restart-register"), register }),
  z.strictObject({ at, action: z.literal("kill-server") }),
  z.strictObject({ at, action: z.literal("restart-server") }),
]);
export type ScheduleStep = z.infer<typeof scheduleStepSchema>;

/** A partition schedule: a JSON list of steps, in any order (they run sorted by `at`). */
export const partitionScheduleSchema = z.array(scheduleStepSchema).max(10_000);

/** A schedule that cannot be used; the message lists every problem with its step. */
export class PartitionScheduleError extends Error {
  override readonly name = "PartitionScheduleError";
  readonly code = "POS_SIM_SCHEDULE";
  readonly issues: readonly string[];
  constructor(source: string, issues: readonly string[], options?: { cause?: unknown }) {
    super(
      `The partition schedule ${source} cannot be used. Fix these and run again:\n${issues
        .map((issue) => `  - ${issue}`)
        .join("\n")}`,
      options,
    );
    this.issues = issues;
  }
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const [index, field] = issue.path;
  if (typeof index !== "number") return issue.message;
  const step: unknown = Array.isArray(input) ? input[index] : undefined;
  const action =
    typeof step === "object" && step !== null && "action" in step ? String(step.action) : "?";
  const where = `step ${index + 1} (action "${action}")`;
  if (issue.code === "invalid_union" && field === "action") {
    return `${where}: action must be one of ${SCHEDULE_ACTIONS.join(", ")}`;
  }
  return field === undefined
    ? `${where}: ${issue.message}`
    : `${where}, field "${String(field)}": ${issue.message}`;
}

/**
 * Parses a schedule file's text: JSON, a list of steps, every step checked, and the register ids
 * checked against `registerIds` when given. Returns the steps sorted by `at` (stable).
 * Throws {@link PartitionScheduleError} listing every problem.
 */
export function parsePartitionSchedule(
  text: string,
  options: { readonly source?: string; readonly registerIds?: readonly string[] } = {},
): ScheduleStep[] {
  const source = options.source ?? "(inline)";
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new PartitionScheduleError(source, [`not valid JSON: ${String(cause)}`], { cause });
  }
  const parsed = partitionScheduleSchema.safeParse(json);
  if (!parsed.success) {
    throw new PartitionScheduleError(
      source,
      parsed.error.issues.map((issue) => describeIssue(issue, json)),
      { cause: parsed.error },
    );
  }
  if (options.registerIds) checkScheduleRegisters(parsed.data, options.registerIds, source);
  return sortSchedule(parsed.data);
}

/** Throws {@link PartitionScheduleError} when a step names a register the simulation lacks. */
export function checkScheduleRegisters(
  steps: readonly ScheduleStep[],
  registerIds: readonly string[],
  source = "(inline)",
): void {
  const issues: string[] = [];
  steps.forEach((step, index) => {
    if ("register" in step && !registerIds.includes(step.register)) {
      issues.push(
        `step ${index + 1} (action "${step.action}"): register ${step.register} is not simulated; use one of ${registerIds.join(", ")}`,
      );
    }
  });
  if (issues.length > 0) throw new PartitionScheduleError(source, issues);
}

/** The steps ordered by `at`; steps at the same time keep their order. */
export function sortSchedule(steps: readonly ScheduleStep[]): ScheduleStep[] {
  return steps
    .map((step, index) => ({ step, index }))
    .sort((a, b) => a.step.at - b.step.at || a.index - b.index)
    .map(({ step }) => step);
}
