import type { DocHandle } from "@automerge/automerge-repo";
import type { ChannelProjection } from "../domain/channel-projection.ts";
import type { PosEvent } from "../domain/events.ts";
import { parsePosEvent } from "../replication/documents/pos-event-schema.ts";
import {
  type SalesLogDoc,
  type SalesLogKey,
  SalesLogReader,
} from "../replication/documents/sales-log.ts";

/**
 * The retail server's side of the sales figures: follows a register's sales log on the server's
 * handle and ingests each newly arrived event into the channel projection, validating only the
 * entries appended since the last read (as the retail server's sales ingestion does). Changes arriving in a
 * burst are read once (on the next turn of the event loop), not once per change.
 */
export function followSalesLog(
  handle: DocHandle<SalesLogDoc>,
  key: SalesLogKey,
  projection: ChannelProjection,
): () => void {
  const reader = new SalesLogReader(handle.documentId, key);
  let ingested = 0;
  let scheduled = false;
  const intake = (): void => {
    scheduled = false;
    const { events } = reader.read(handle.doc());
    for (let i = ingested; i < events.length; i++) projection.ingest(events[i] as PosEvent);
    ingested = Math.max(ingested, events.length);
  };
  const onChange = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(intake);
  };
  handle.on("change", onChange);
  onChange();
  return () => handle.off("change", onChange);
}

/** The baseline's boundary: a JSON array of events from an HTTP body, each validated. */
export function parseEventArray(body: Buffer): PosEvent[] {
  const parsed: unknown = JSON.parse(body.toString("utf8"));
  if (!Array.isArray(parsed)) throw new Error("the body is not a JSON array of events");
  return parsed.map((value, i) => {
    const event = parsePosEvent(value);
    if (!event.success) throw new Error(`event ${i}: ${event.error.message}`);
    return event.data;
  });
}
