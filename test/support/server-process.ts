export {
  freePort,
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../../src/simulator/server-process.ts";
