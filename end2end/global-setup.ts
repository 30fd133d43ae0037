// cargo leptos end-to-end starts the server without waiting for it: wait until it answers.
export default async function globalSetup() {
  const base = process.env.ATELIER_BASE_URL ?? "http://127.0.0.1:3000";
  const deadline = Date.now() + 120_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/login`);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Atelier did not answer at ${base} within 2 minutes: ${last}`);
}
