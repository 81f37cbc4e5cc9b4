// GraphiQL in a real browser with no route to the internet: every request that leaves the
// server's origin is refused and recorded. Opens the page, waits for the editor, runs a
// query, reads the answer on the page, opens the documentation explorer, and keeps a
// screenshot. Prints one JSON report line.
import { chromium } from "playwright-core";

const [origin, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    // No route out: anything not bypassed goes to a proxy that does not exist.
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1;localhost",
  ],
});
const report = { external: [], consoleErrors: [] };
let page;
try {
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("ws://127.0.0.1")) return route.continue();
    report.external.push(url);
    return route.abort();
  });
  page.on("console", (message) => {
    if (message.type() === "error") report.consoleErrors.push(message.text());
  });
  await page.goto(`${origin}/graphql`, { waitUntil: "load" });
  await page.waitForSelector(".graphiql-query-editor .CodeMirror", { timeout: 30000 });
  report.title = await page.title();
  // The page's own example query, run as a newcomer does: the run button.
  await page.click(".graphiql-execute-button");
  await page.waitForFunction(
    () => document.querySelector(".graphiql-response")?.innerText.includes('"objective"'),
    null,
    { timeout: 30000 },
  );
  const answer = await page.evaluate(
    () => document.querySelector(".graphiql-response .CodeMirror").CodeMirror.getValue(),
  );
  report.answer = JSON.parse(answer);
  // The documentation explorer reads the schema the page introspected.
  await page.click('button[aria-label="Show Documentation Explorer"]');
  await page.waitForSelector(".graphiql-doc-explorer", { timeout: 30000 });
  report.docs = await page.innerText(".graphiql-doc-explorer");
  report.headersEditor = (await page.getByRole("button", { name: "Headers" }).count()) > 0;
  report.history = (await page.locator('button[aria-label="Show History"]').count()) > 0;
  await page.screenshot({ path: screenshot, fullPage: true });
} catch (error) {
  report.error = String(error && error.stack ? error.stack : error);
  if (page) await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
