import { type Command, InvalidArgumentError } from "commander";
import { backOfficeRequest, type PosCommandDependencies } from "./pos-command.ts";

/**
 * Back office edits from the command line, each one call of the same HTTP API the back office
 * uses (so validation and error messages are the server's):
 *
 * - `pos product <id> [--name] [--price] [--active | --inactive]`
 * - `pos customer <id> --name <name> [--email] [--phone]` or `pos customer <id> --remove`
 * - `pos discount <id> --name --kind percent|amount --value --scope line|sale [--inactive]`
 *   or `pos discount <id> --remove`
 * - `pos operator <id> --name --role cashier|manager --pin <digits>`
 * - `pos offline-profile <id> --name --switch-timeout <ms> --reconnect-interval <ms>`
 * - `pos register <id> --offline-support on|off`
 *
 * Changes to master data go out with the next distribution run (`pos distribute`).
 */

function integer(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError("Give a whole number.");
  return Number(value);
}

function onOff(value: string): boolean {
  if (value === "on") return true;
  if (value === "off") return false;
  throw new InvalidArgumentError('Give "on" or "off".');
}

const json = (body: unknown): RequestInit => ({
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** Adds the edit commands to the `pos` program (a `PosCommandExtension`). */
export function addMasterDataCommands(program: Command, deps: PosCommandDependencies): void {
  const request = backOfficeRequest(program, deps);
  const path = (kind: string, id: string) => `/api/back-office/${kind}/${encodeURIComponent(id)}`;
  const later = "It goes out with the next distribution (pos distribute).";

  program
    .command("product")
    .description("Change a product's name, price (minor units) or on/off state.")
    .argument("<id>", "the product id")
    .option("--name <name>", "new name")
    .option("--price <minorUnits>", "new price in minor units, e.g. 249", integer)
    .option("--active", "put the product on sale")
    .option("--inactive", "take the product off sale")
    .action(
      async (
        id: string,
        o: { name?: string; price?: number; active?: boolean; inactive?: boolean },
      ) => {
        if (o.active && o.inactive)
          throw new InvalidArgumentError("Give --active or --inactive, not both.");
        const patch = {
          ...(o.name === undefined ? {} : { name: o.name }),
          ...(o.price === undefined ? {} : { price: o.price }),
          ...(o.active ? { active: true } : o.inactive ? { active: false } : {}),
        };
        await request(path("products", id), { method: "PATCH", ...json(patch) });
        deps.print(`Product ${id} changed. ${later}`);
      },
    );

  program
    .command("customer")
    .description("Add or change a customer, or remove one.")
    .argument("<id>", "the customer id")
    .option("--name <name>", "the customer's name")
    .option("--email <email>", "e-mail address")
    .option("--phone <phone>", "phone number")
    .option("--remove", "remove the customer")
    .action(
      async (
        id: string,
        o: { name?: string; email?: string; phone?: string; remove?: boolean },
      ) => {
        if (o.remove) {
          await request(path("customers", id), { method: "DELETE" });
          deps.print(`Customer ${id} removed. ${later}`);
          return;
        }
        const body = {
          name: o.name,
          ...(o.email ? { email: o.email } : {}),
          ...(o.phone ? { phone: o.phone } : {}),
        };
        await request(path("customers", id), { method: "PUT", ...json(body) });
        deps.print(`Customer ${id} saved. ${later}`);
      },
    );

  program
    .command("discount")
    .description("Add or change a discount, or remove one.")
    .argument("<id>", "the discount id")
    .option("--name <name>", "the discount's name")
    .option("--kind <kind>", "percent or amount")
    .option(
      "--value <value>",
      "basis points for percent (1000 = 10 %), minor units for amount",
      integer,
    )
    .option("--scope <scope>", "line or sale")
    .option("--inactive", "save it switched off")
    .option("--remove", "remove the discount")
    .action(
      async (
        id: string,
        o: {
          name?: string;
          kind?: string;
          value?: number;
          scope?: string;
          inactive?: boolean;
          remove?: boolean;
        },
      ) => {
        if (o.remove) {
          await request(path("discounts", id), { method: "DELETE" });
          deps.print(`Discount ${id} removed. ${later}`);
          return;
        }
        const body = {
          name: o.name,
          kind: o.kind,
          value: o.value,
          scope: o.scope,
          active: !o.inactive,
        };
        await request(path("discounts", id), { method: "PUT", ...json(body) });
        deps.print(`Discount ${id} saved. ${later}`);
      },
    );

  program
    .command("operator")
    .description("Add or change an operator; the PIN is stored only as a hash.")
    .argument("<id>", "the operator id, e.g. 1002")
    .requiredOption("--name <name>", "the operator's name")
    .requiredOption("--role <role>", "cashier or manager")
    .requiredOption("--pin <digits>", "4 to 12 digits")
    .action(async (id: string, o: { name: string; role: string; pin: string }) => {
      await request(path("operators", id), { method: "PUT", ...json(o) });
      deps.print(`Operator ${id} saved. Registers can sign them in once the change has synced.`);
    });

  program
    .command("offline-profile")
    .description("Add or change an offline profile: switch timeout and reconnect interval.")
    .argument("<id>", "the profile id")
    .requiredOption("--name <name>", "the profile's name")
    .requiredOption("--switch-timeout <ms>", "switch to offline after this many ms", integer)
    .requiredOption("--reconnect-interval <ms>", "try to reconnect after this many ms", integer)
    .action(
      async (id: string, o: { name: string; switchTimeout: number; reconnectInterval: number }) => {
        const body = {
          name: o.name,
          switchTimeoutMs: o.switchTimeout,
          reconnectIntervalMs: o.reconnectInterval,
        };
        await request(path("offline-profiles", id), { method: "PUT", ...json(body) });
        deps.print(`Offline profile ${id} saved.`);
      },
    );

  program
    .command("register")
    .description("Turn a register's Offline support on or off.")
    .argument("<id>", "the register, e.g. R3")
    .requiredOption("--offline-support <onOff>", "on or off", onOff)
    .action(async (id: string, o: { offlineSupport: boolean }) => {
      await request(path("registers", id), {
        method: "PATCH",
        ...json({ offlineSupport: o.offlineSupport }),
      });
      deps.print(
        `Register ${id}: Offline support ${o.offlineSupport ? "on (offline replica entry created)" : "off"}.`,
      );
    });
}
