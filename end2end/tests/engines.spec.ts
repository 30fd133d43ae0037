import { expect, test } from "@playwright/test";
import { ADMIN, adminToken, hydrated, logIn } from "./helpers";

// Runs after accounts.spec.ts (which made ADMIN).
test("the admin prices a model per quality and switches one off from the Engines tab", async ({ page, request }) => {
  const token = await adminToken(request);
  const headers = { authorization: `Bearer ${token}` };
  const offers = async () => {
    const res = await request.get("/api/v1/engines", { headers });
    expect(res.status()).toBe(200);
    const openai = (await res.json()).engines.find((e: { kind: string }) => e.kind === "openai");
    return openai.models as Array<{ model: string; enabled: boolean; cost: number | Record<string, number> }>;
  };
  const before = await offers();
  try {
    await logIn(page, ADMIN.email);
    await page.goto("/admin/engines");
    await hydrated(page);
    const openai = page.getByTestId("engine-openai");
    await expect(openai.getByRole("heading", { name: "OpenAI" })).toBeVisible();
    await openai.getByLabel("GPT Image 1: Low").fill("3");
    await openai.getByLabel("DALL·E 3: Offered").uncheck();
    await openai.getByRole("button", { name: "Save" }).click();
    await expect(openai.getByRole("status")).toHaveText("Saved.");

    const after = await offers();
    expect(after.find((m) => m.model === "gpt-image-1")!.cost).toMatchObject({ low: 3, medium: 4 });
    expect(after.find((m) => m.model === "dall-e-3")!.enabled).toBe(false);

    // A price that is not a whole number cannot be saved.
    await openai.getByLabel("GPT Image 1: High").fill("-1");
    await expect(openai.getByRole("button", { name: "Save" })).toBeDisabled();

    // The page reads back what was saved.
    await page.reload();
    await hydrated(page);
    await expect(page.getByTestId("engine-openai").getByLabel("GPT Image 1: Low")).toHaveValue("3");
    await expect(page.getByTestId("engine-openai").getByLabel("DALL·E 3: Offered")).not.toBeChecked();
  } finally {
    const res = await request.patch("/api/v1/engines/openai", {
      headers,
      data: { models: before.map((m) => ({ model: m.model, enabled: m.enabled, cost: m.cost })) },
    });
    expect(res.status()).toBe(200);
  }
});
