import { expect, test, type Page } from "@playwright/test";
import { ADMIN, hydrated, logIn } from "./helpers";

// Runs after accounts.spec.ts (which made ADMIN).

/** Console errors, page errors and Content-Security-Policy violations while `visit` runs. */
async function problemsDuring(page: Page, visit: () => Promise<void>): Promise<string[]> {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await visit();
  return problems;
}

test("every page runs under its Content-Security-Policy with a clean console", async ({ page, browser }) => {
  const pages = ["/", "/history", "/collections", "/gallery", "/account", "/admin", "/admin/channels", "/admin/users", "/admin/invites", "/admin/overview"];
  const problems = await problemsDuring(page, async () => {
    await logIn(page, ADMIN.email);
    for (const path of pages) {
      const res = await page.goto(path);
      const policy = res?.headers()["content-security-policy"] ?? "";
      expect(policy, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=_-]+' 'wasm-unsafe-eval'/);
      expect(policy, path).not.toMatch(/script-src[^;]*unsafe-inline/);
      await hydrated(page);
    }
  });
  expect(problems).toEqual([]);

  // Signed out too: the log-in and sign-up forms.
  const context = await browser.newContext();
  const visitor = await context.newPage();
  const signedOut = await problemsDuring(visitor, async () => {
    for (const path of ["/login", "/signup", "/gallery"]) {
      await visitor.goto(path);
      await hydrated(visitor);
    }
  });
  expect(signedOut).toEqual([]);
  await context.close();
});
