import type { DocHandle, Message, PeerId } from "@automerge/automerge-repo";
import { NetworkAdapter } from "@automerge/automerge-repo";
import { afterEach, describe, expect, it } from "vitest";
import { waitForHeads } from "../../../replication/documents/wait-for-heads.ts";
import { PartitionableNetworkAdapter } from "../../../replication/network/partitionable-network-adapter.ts";
import { startWsPeers, type WsPeers, waitUntil } from "./ws-peers.ts";

type Tally = { items: string[] };

let peers: WsPeers | undefined;
afterEach(async () => {
  await peers?.close();
  peers = undefined;
});

async function sharedDoc(p: WsPeers): Promise<[DocHandle<Tally>, DocHandle<Tally>]> {
  await p.connected();
  const onClient = p.client.create<Tally>({ items: [] });
  const onServer = await p.server.find<Tally>(onClient.url);
  await waitForHeads([onClient, onServer], { timeoutMs: 5_000 });
  return [onClient, onServer];
}

describe("PartitionableNetworkAdapter over a real WebSocket", () => {
  it("delivers changes made on both sides while cut once healed", async () => {
    peers = await startWsPeers();
    const [onClient, onServer] = await sharedDoc(peers);
    peers.link.cut();
    expect(peers.client.peers).toEqual([]);
    onClient.change((d) => {
      d.items.push("client-offline");
    });
    onServer.change((d) => {
      d.items.push("server-offline");
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(onServer.doc().items).not.toContain("client-offline");
    expect(onClient.doc().items).not.toContain("server-offline");
    peers.link.heal();
    await waitForHeads([onClient, onServer], { timeoutMs: 5_000 });
    expect([...onServer.doc().items].sort()).toEqual(["client-offline", "server-offline"]);
  });

  it("converges after a cut of both ends that keeps the transport up", async () => {
    let serverLink: PartitionableNetworkAdapter | undefined;
    peers = await startWsPeers({
      transport: "keep",
      wrapServer: (adapter) => {
        serverLink = new PartitionableNetworkAdapter(adapter);
        return serverLink;
      },
    });
    const [onClient, onServer] = await sharedDoc(peers);
    peers.link.cut();
    serverLink?.cut();
    expect(peers.server.peers).toEqual([]);
    onClient.change((d) => {
      d.items.push("client-offline");
    });
    onServer.change((d) => {
      d.items.push("server-offline");
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    serverLink?.heal();
    peers.link.heal();
    await waitForHeads([onClient, onServer], { timeoutMs: 5_000 });
    expect([...onClient.doc().items].sort()).toEqual(["client-offline", "server-offline"]);
  });

  it("delivers a change made in the same tick as the heal", async () => {
    peers = await startWsPeers();
    const [onClient, onServer] = await sharedDoc(peers);
    for (let round = 0; round < 5; round++) {
      peers.link.cut();
      peers.link.heal();
      onClient.change((d) => {
        d.items.push(`during-${round}`);
      });
    }
    await waitForHeads([onClient, onServer], { timeoutMs: 5_000 });
    expect(onServer.doc().items).toEqual([
      "during-0",
      "during-1",
      "during-2",
      "during-3",
      "during-4",
    ]);
  });

  it("delivers a change made while the socket itself is reconnecting", async () => {
    peers = await startWsPeers({ retryIntervalMs: 100 });
    const [onClient, onServer] = await sharedDoc(peers);
    const p = peers;
    for (const socket of p.wss.clients) socket.terminate();
    await waitUntil(() => p.client.peers.length === 0);
    onClient.change((d) => {
      d.items.push("while-reconnecting");
    });
    await p.connected();
    onClient.change((d) => {
      d.items.push("just-after");
    });
    await waitForHeads([onClient, onServer], { timeoutMs: 5_000 });
    expect(onServer.doc().items).toEqual(["while-reconnecting", "just-after"]);
  });

  it("finds a document first requested while no peer was connected once the peer appears", async () => {
    peers = await startWsPeers();
    await peers.connected();
    const original = peers.server.create<Tally>({ items: ["from-server"] });
    peers.link.cut();
    const handle = await peers.client.find<Tally>(original.url, {
      allowableStates: ["ready", "unavailable"],
    });
    expect(handle.state).toBe("unavailable");
    peers.link.heal();
    await handle.whenReady(["ready"]);
    await waitForHeads([handle, original], { timeoutMs: 5_000 });
    expect(handle.doc().items).toEqual(["from-server"]);
  });

  it("delays delivery and keeps order", async () => {
    peers = await startWsPeers();
    const [onClient, onServer] = await sharedDoc(peers);
    peers.link.delay(300);
    const started = Date.now();
    for (let i = 0; i < 10; i++) {
      onClient.change((d) => {
        d.items.push(`n${i}`);
      });
    }
    await waitForHeads([onClient, onServer], { timeoutMs: 5_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(onServer.doc().items).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`));
    peers.link.delay(0);
  });
});

class RecordingAdapter extends NetworkAdapter {
  readonly sent: Message[] = [];
  isReady(): boolean {
    return true;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  connect(peerId: PeerId): void {
    this.peerId = peerId;
  }
  send(message: Message): void {
    this.sent.push(message);
  }
  disconnect(): void {}
}

function message(n: number): Message {
  return {
    type: "sync",
    senderId: "remote" as PeerId,
    targetId: "local" as PeerId,
    data: new Uint8Array([n]),
  };
}

/** Deterministic pseudo-random source (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("PartitionableNetworkAdapter conditions", () => {
  function wrapped() {
    const inner = new RecordingAdapter();
    const link = new PartitionableNetworkAdapter(inner);
    const received: Message[] = [];
    const events: string[] = [];
    link.on("message", (m) => received.push(m));
    link.on("peer-candidate", ({ peerId }) => events.push(`+${peerId}`));
    link.on("peer-disconnected", ({ peerId }) => events.push(`-${peerId}`));
    link.connect("local" as PeerId);
    inner.emit("peer-candidate", { peerId: "remote" as PeerId, peerMetadata: {} });
    return { inner, link, received, events };
  }

  it("drops the same messages for the same seed, at about the given rate", () => {
    const run = () => {
      const { inner, link } = wrapped();
      link.drop(0.3, seeded(42));
      for (let i = 0; i < 1_000; i++)
        link.send({ ...message(i % 256), targetId: "remote" as PeerId });
      return inner.sent.map((m) => m.data?.[0]);
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first.length).toBeGreaterThan(620);
    expect(first.length).toBeLessThan(780);
  });

  it("drops every message both ways while cut and re-announces peers on heal", () => {
    const { inner, link, received, events } = wrapped();
    link.cut();
    inner.emit("message", message(1));
    link.send({ ...message(2), targetId: "remote" as PeerId });
    expect(received).toEqual([]);
    expect(inner.sent).toEqual([]);
    link.heal();
    inner.emit("message", message(3));
    expect(received.map((m) => m.data?.[0])).toEqual([3]);
    expect(events).toEqual(["+remote", "-remote", "+remote"]);
    expect(link.conditions.dropped).toBe(2);
  });

  it("does not announce a peer that left during the cut", () => {
    const { inner, link, events } = wrapped();
    link.cut();
    inner.emit("peer-disconnected", { peerId: "remote" as PeerId });
    link.heal();
    expect(events).toEqual(["+remote", "-remote"]);
    expect(link.visiblePeers).toEqual([]);
  });

  it("loses messages in flight when cut", async () => {
    const { inner, link, received } = wrapped();
    link.delay(20);
    inner.emit("message", message(1));
    link.send({ ...message(2), targetId: "remote" as PeerId });
    link.cut();
    link.heal();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual([]);
    expect(inner.sent).toEqual([]);
  });
});
