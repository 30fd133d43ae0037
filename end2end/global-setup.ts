import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

// cargo leptos end-to-end starts Atelier without waiting for it: wait until it answers. It also
// starts a stand-alone simulator (the release binary's `simulate` command) on a known address and
// secret, for the admin's "Test connection".
export const SIM_ADDR = "127.0.0.1:3901";
export const SIM_SECRET = "e2e-sim-secret";

export default async function globalSetup() {
  const base = process.env.ATELIER_BASE_URL ?? "http://127.0.0.1:3000";
  const bin = path.resolve(__dirname, "../target/release/atelier");
  let stop = () => {};
  if (existsSync(bin)) {
    const sim = spawn(bin, ["simulate", "--addr", SIM_ADDR, "--secret", SIM_SECRET], { stdio: "ignore" });
    stop = () => sim.kill();
  }
  const deadline = Date.now() + 120_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/login`);
      if (res.ok) return stop;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error(`Atelier did not answer at ${base} within 2 minutes: ${last}`);
}
