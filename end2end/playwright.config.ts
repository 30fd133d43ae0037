import { defineConfig } from "@playwright/test";

// The server is started by `cargo leptos end-to-end` (see ../scripts/test.sh); these tests only drive
// Debian's Chromium against it. Playwright never downloads a browser here.
const baseURL = process.env.ATELIER_BASE_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  // The first sign-up of a fresh database becomes admin: the files run in order, one at a time.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // Generous: a loaded 2-core machine can make one generation test take a while.
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
