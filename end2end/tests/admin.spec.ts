import { expect, test, type Page } from "@playwright/test";
import { ADMIN, PASSWORD, adminToken, configure, hydrated, logIn, signUp } from "./helpers";

// Runs after accounts.spec.ts (which made ADMIN and bo@example.com).
async function logInAs(page: Page, email: string) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/$/);
}

test.describe.serial("administration", () => {
  test("the admin changes the Fast cost and a user's Generate page shows it", async ({ page, browser, request }) => {
    try {
      await logIn(page, ADMIN.email);
      await page.goto("/admin");
      await hydrated(page);
      const fastCost = page.getByLabel("Fast Cost");
      await expect(fastCost).toHaveValue("8");
      await fastCost.fill("-1");
      await expect(page.getByText("Use a whole number from 0 to 1000000.")).toBeVisible();
      await expect(page.getByRole("button", { name: "Save" })).toBeDisabled();
      await fastCost.fill("11");
      await expect(page.getByTestId("save-status")).toHaveText("You have unsaved changes.");
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.getByTestId("save-status")).toHaveText("Saved.");

      const context = await browser.newContext();
      const user = await context.newPage();
      await logInAs(user, "bo@example.com");
      await expect(user.locator("label[for=mode-fast]")).toContainText("11 credits");
      await context.close();
    } finally {
      await configure(request, { modes: [{ mode: "fast", cost: 8 }] });
    }
  });

  test("the admin prices one button and puts it back to the default", async ({ page, request }) => {
    const config = async () => {
      const token = await adminToken(request);
      const res = await request.get("/api/v1/midjourney/config", { headers: { authorization: `Bearer ${token}` } });
      return await res.json();
    };
    try {
      await logIn(page, ADMIN.email);
      await page.goto("/admin");
      await hydrated(page);
      const table = page.getByTestId("action-prices");
      await table.getByText("Price of each button").click();
      const region = table.getByLabel("Vary (Region)", { exact: true });
      await expect(region).toHaveValue("");
      await expect(region).toHaveAttribute("placeholder", "2");
      await region.fill("9");
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.getByTestId("save-status")).toHaveText("Saved.");
      let c = await config();
      expect(c.action_costs.vary_region).toBe(9);
      expect(c.action_costs_set).toEqual({ vary_region: 9 });
      // After a reload it is the admin's own; emptied, it follows the follow-up cost again.
      await page.reload();
      await hydrated(page);
      await table.getByText("Price of each button").click();
      await expect(region).toHaveValue("9");
      await region.fill("");
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.getByTestId("save-status")).toHaveText("Saved.");
      c = await config();
      expect(c.action_costs.vary_region).toBe(c.action_cost);
      expect(c.action_costs_set).toEqual({});
    } finally {
      await configure(request, { action_costs: { vary_region: null } });
    }
  });

  test("the admin approves a pending user", async ({ page, browser, request }) => {
    try {
      await logIn(page, ADMIN.email);
      await page.goto("/admin");
      await hydrated(page);
      await page.getByLabel("New sign-ups are pending approval").check();
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.getByTestId("save-status")).toHaveText("Saved.");

      const context = await browser.newContext();
      const dana = await context.newPage();
      await signUp(dana, "Dana Pending", "dana@example.com");
      await expect(dana.getByText("waiting for an administrator's approval").first()).toBeVisible();

      await page.goto("/admin/users");
      await hydrated(page);
      const row = page.locator('[data-testid=user-row][data-email="dana@example.com"]');
      await expect(row).toContainText("pending approval");
      await row.getByRole("button", { name: "Approve" }).click();
      await expect(row).toContainText("user");
      await expect(row.getByRole("button", { name: "Make admin" })).toBeVisible();

      await dana.reload();
      await hydrated(dana);
      await expect(dana.getByText("waiting for an administrator's approval")).toHaveCount(0);
      await expect(dana.getByRole("button", { name: "Generate" })).toBeVisible();
      await context.close();
    } finally {
      await configure(request, { new_user_role: "user" });
    }
  });

  test("Test connection in a channel's form: success against the simulator, failure for a wrong secret", async ({ page }) => {
    await logIn(page, ADMIN.email);
    // The settings tab no longer has an upstream of its own: it points to the channels.
    await page.goto("/admin");
    await expect(page.getByLabel("API URL")).toHaveCount(0);
    await page.getByTestId("upstream-moved").getByRole("link", { name: "Channels" }).click();
    await expect(page).toHaveURL(/\/admin\/channels$/);
    await hydrated(page);
    const channel = page.getByTestId("channel").first();
    await channel.getByRole("button", { name: /^Edit/ }).click();
    const form = channel.getByTestId("channel-form");
    const report = form.getByTestId("connection-report");
    await form.getByLabel("API URL").fill("http://127.0.0.1:3901");
    await form.getByLabel("API secret").fill("e2e-sim-secret");
    await form.getByRole("button", { name: "Test connection" }).click();
    await expect(report).toContainText("Reachable and authorised");
    await form.getByLabel("API secret").fill("not-the-secret");
    await form.getByRole("button", { name: "Test connection" }).click();
    await expect(report).toHaveText("Wrong secret: the upstream answered HTTP 401.");
    await form.getByLabel("API URL").fill("http://127.0.0.1:1");
    await form.getByRole("button", { name: "Test connection" }).click();
    await expect(report).toHaveText("Unreachable: no answer from this address.");
  });

  test("an API key is shown once, works, and stops working when revoked", async ({ page, request }) => {
    await logIn(page, ADMIN.email);
    await page.goto("/account");
    await hydrated(page);
    await page.getByLabel("Key name").fill("e2e script");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.getByTestId("new-key").textContent())?.trim() ?? "";
    expect(key).toMatch(/^atl_/);
    const me = await request.get("/api/v1/auths/me", { headers: { authorization: `Bearer ${key}` } });
    expect(me.status()).toBe(200);
    await expect(page.getByTestId("api-key")).toContainText("e2e script");
    await page.getByTestId("api-key").getByRole("button", { name: "Revoke" }).click();
    await expect(page.getByTestId("api-key")).toHaveCount(0);
    const after = await request.get("/api/v1/auths/me", { headers: { authorization: `Bearer ${key}` } });
    expect(after.status()).toBe(401);

    // An admin's key for Open WebUI that charges the users it forwards.
    await page.getByLabel("Key name").fill("open webui");
    await page.getByLabel("Acts for other users (for Open WebUI)").check();
    await page.getByRole("button", { name: "Create key" }).click();
    await expect(page.getByTestId("new-key")).toBeVisible();
    const owui = page.getByTestId("api-key").filter({ hasText: "open webui" });
    await expect(owui).toContainText("acts for users");
    await owui.getByRole("button", { name: "Revoke" }).click();
    await expect(page.getByTestId("api-key")).toHaveCount(0);
  });

  test("sign-up by invitation: the admin makes a code, a newcomer signs up with its link", async ({ page, browser, request }) => {
    try {
      await logIn(page, ADMIN.email);
      await page.goto("/admin");
      await hydrated(page);
      await page.getByRole("combobox", { name: "Sign-up", exact: true }).selectOption("invite");
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.getByTestId("save-status")).toHaveText("Saved.");

      await page.goto("/admin/invites");
      await hydrated(page);
      await page.getByLabel("Note (who it is for)").fill("for Erin");
      await page.getByRole("button", { name: "Create invite code" }).click();
      const invite = page.getByTestId("invite");
      await expect(invite).toContainText("used 0 of 1");
      await expect(invite).toContainText("for Erin");
      const code = (await page.getByTestId("invite-code").textContent())?.trim() ?? "";
      expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);

      const context = await browser.newContext();
      const erin = await context.newPage();
      // Without a code the form asks for one.
      await erin.goto("/signup");
      await hydrated(erin);
      await expect(erin.getByLabel("Invite code")).toBeVisible();
      await erin.goto(`/signup?invite=${code}`);
      await hydrated(erin);
      await expect(erin.getByLabel("Invite code")).toHaveValue(code);
      await erin.getByLabel("Name").fill("Erin Invited");
      await erin.getByLabel("Email").fill("erin@example.com");
      await erin.getByLabel("Password").fill(PASSWORD);
      await erin.getByRole("button", { name: "Sign up" }).click();
      await expect(erin.getByRole("heading", { name: "Generate" })).toBeVisible();
      await context.close();

      await page.reload();
      await hydrated(page);
      await expect(page.getByTestId("invite")).toContainText("used 1 of 1");
      await expect(page.getByTestId("invite")).toContainText("no longer valid");
    } finally {
      await configure(request, { signup_mode: "open" });
    }
  });

  test("a password change keeps this session and signs out the others", async ({ page, browser }) => {
    const context = await browser.newContext();
    const other = await context.newPage();
    await logIn(other, "bo@example.com");
    await logIn(page, "bo@example.com");
    await page.goto("/account");
    await hydrated(page);
    // Both browsers' sessions are listed (and any earlier test's), this one marked.
    await expect(page.getByTestId("session").filter({ hasText: "this session" })).toHaveCount(1);
    expect(await page.getByTestId("session").count()).toBeGreaterThanOrEqual(2);
    await page.getByLabel("Current password").fill("not my password");
    await page.getByLabel("New password", { exact: true }).fill("a brand new password");
    await page.getByLabel("New password again").fill("a brand new password");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByTestId("password-status")).toHaveText("Current password: This is not your current password.");
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByTestId("password-status")).toHaveText("Password changed. Your other sessions were signed out.");
    await page.reload();
    await hydrated(page);
    await expect(page.getByTestId("session")).toHaveCount(1);
    await other.goto("/history");
    await expect(other).toHaveURL(/\/login$/);
    await context.close();

    // Back to the shared password, then sign out everywhere.
    await page.getByLabel("Current password").fill("a brand new password");
    await page.getByLabel("New password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("New password again").fill(PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByTestId("password-status")).toHaveText("Password changed. Your other sessions were signed out.");
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(page).toHaveURL(/\/login$/);
  });
});
