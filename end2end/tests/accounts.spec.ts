import { expect, test } from "@playwright/test";
import { ADMIN, PASSWORD, hydrated, logIn, signUp } from "./helpers";

// A fresh database per run (scripts/test.sh): the first account created here becomes the admin.
const admin = ADMIN;
const user = { name: "Bo User", email: "bo@example.com" };

test.describe.serial("accounts", () => {
  test("a fresh install: the front page shows sample pictures and asks to set it up", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByTestId("landing")).toBeVisible();
    await expect(page.getByTestId("landing-samples").locator("img")).toHaveCount(8);
    const sample = await page.request.get("/samples/1");
    expect(sample.status()).toBe(200);
    expect(sample.headers()["content-type"]).toBe("image/png");
    expect((await page.request.get("/samples/9")).status()).toBe(404);
    await page.getByRole("link", { name: "Set up this installation" }).click();
    await expect(page).toHaveURL(/\/signup$/);
    await expect(page.getByTestId("first-account")).toContainText("the first account becomes its administrator");
  });

  test("the first person to sign up lands on Generate with an Admin link", async ({ page }) => {
    await signUp(page, admin.name, admin.email);
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link", { name: "Admin" })).toBeVisible();
    await expect(page.getByTestId("user-name")).toHaveText(admin.name);
    await expect(page.getByTestId("credit-badge")).toHaveText("100 credits");
  });

  test("a second person sees no Admin link and gets the 403 page at /admin", async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signUp(page, user.name, user.email);
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link", { name: "History" })).toBeVisible();
    await expect(nav.getByRole("link", { name: "Admin" })).toHaveCount(0);
    const res = await page.goto("/admin");
    expect(res?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
    await context.close();
  });

  test("logging out and back in", async ({ page }) => {
    await logIn(page, admin.email);
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    // Signed out, the front page says what Atelier is, with the ways in; no administrator
    // hint once the installation has one.
    await page.goto("/");
    await expect(page.getByTestId("landing")).toBeVisible();
    await expect(page.getByRole("link", { name: "Create an account" })).toBeVisible();
    await page.getByRole("link", { name: "Log in" }).first().click();
    await expect(page).toHaveURL(/\/login$/);
    await hydrated(page);
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("heading", { name: "Generate" })).toBeVisible();
    await expect(page.getByTestId("user-name")).toHaveText(admin.name);
  });

  test("a user lets apps (Open WebUI) make pictures for them, and it is remembered", async ({ page }) => {
    await logIn(page, user.email);
    await page.goto("/account");
    await hydrated(page);
    const allow = page.getByRole("checkbox", { name: /Let apps your administrator set up/ });
    await expect(allow).not.toBeChecked();
    await allow.check();
    await expect(allow).toBeChecked();
    await expect(allow).toBeEnabled();
    await page.reload();
    await expect(page.getByRole("checkbox", { name: /Let apps your administrator set up/ })).toBeChecked();
    const me = await page.request.get("/api/v1/auths/me/apps");
    expect(await me.json()).toEqual({ allowed: true });
  });

  test("switching the language to Chinese and back", async ({ page }) => {
    await logIn(page, admin.email);
    await page.getByRole("button", { name: "简体中文" }).click();
    await expect(page.getByRole("heading", { name: "生成" })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(page.getByRole("button", { name: "退出登录" })).toBeVisible();
    // Remembered across pages.
    await page.goto("/history");
    await expect(page.getByRole("heading", { name: "历史" })).toBeVisible();
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByRole("heading", { name: "History" })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
  });
});
