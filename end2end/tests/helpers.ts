import { expect, type APIRequestContext, type Page } from "@playwright/test";

export const PASSWORD = "correct horse battery";
/** The first account of the run (accounts.spec.ts signs it up): the admin. */
export const ADMIN = { name: "Ada Admin", email: "ada@example.com" };

/** A bearer token for the admin, for setting things up through the API. */
export async function adminToken(request: APIRequestContext): Promise<string> {
  const res = await request.post("/api/v1/auths/signin", { data: { email: ADMIN.email, password: PASSWORD } });
  expect(res.status()).toBe(200);
  return (await res.json()).token;
}

export async function configure(request: APIRequestContext, patch: object) {
  const token = await adminToken(request);
  const res = await request.post("/api/v1/midjourney/config", { data: patch, headers: { authorization: `Bearer ${token}` } });
  expect(res.status()).toBe(200);
}

/** Waits until the WASM has hydrated the page (the app marks <body> when it has). */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
}

export async function signUp(page: Page, name: string, email: string) {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Generate" })).toBeVisible();
}

export async function logIn(page: Page, email: string) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Generate" })).toBeVisible();
}
