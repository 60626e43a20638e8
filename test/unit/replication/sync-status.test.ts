import { describe, expect, it } from "vitest";
import {
  INITIAL_SYNC_STATUS,
  recordDownload,
  recordPendingUpload,
  recordPublishedPackages,
  recordSyncError,
  recordUpload,
} from "../../../replication/sync-status.ts";

describe("sync status", () => {
  it("tracks downloads against the latest published package", () => {
    let status = recordPublishedPackages(INITIAL_SYNC_STATUS, 5);
    expect(status.pendingDownloads).toBe(5);
    status = recordDownload(status, {
      at: 10,
      packages: 3,
      rows: 300,
      result: "partial",
      appliedPackageSeq: 3,
    });
    expect(status).toMatchObject({
      appliedPackageSeq: 3,
      latestPackageSeq: 5,
      pendingDownloads: 2,
    });
    expect(status.lastDownload).toEqual({ at: 10, packages: 3, rows: 300, result: "partial" });
    status = recordDownload(status, {
      at: 20,
      packages: 2,
      rows: 10,
      result: "succeeded",
      appliedPackageSeq: 5,
    });
    expect(status.pendingDownloads).toBe(0);
  });

  it("keeps the last error until that direction succeeds", () => {
    let status = recordPendingUpload(INITIAL_SYNC_STATUS, { sales: 2, events: 18 });
    status = recordSyncError(status, {
      at: 5,
      code: "TIMEOUT",
      message: "no answer",
      direction: "upload",
    });
    status = recordDownload(status, {
      at: 6,
      packages: 0,
      rows: 0,
      result: "succeeded",
      appliedPackageSeq: null,
    });
    expect(status.lastError?.code).toBe("upload:TIMEOUT");
    status = recordUpload(status, {
      at: 7,
      eventsAccepted: 18,
      result: "succeeded",
      pendingUploadSales: 0,
      pendingUploadEvents: 0,
    });
    expect(status.lastError).toBeNull();
    expect(status.lastUpload).toEqual({ at: 7, eventsAccepted: 18, result: "succeeded" });
    expect(status.pendingUploadEvents).toBe(0);
    expect(INITIAL_SYNC_STATUS.lastError).toBeNull();
  });
});
