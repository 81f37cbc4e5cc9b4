// Runs the GraphQL-over-HTTP reference audits (graphql-http's auditServer) against the URL
// given as the first argument and prints one JSON array: [{ id, name, status, reason }].
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const results = await auditServer({ url });
const report = [];
for (const result of results) {
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    entry.reason = result.reason;
    if (result.response) {
      entry.responseStatus = result.response.status;
      try {
        entry.responseBody = await result.response.text();
      } catch {
        entry.responseBody = null;
      }
    }
  }
  report.push(entry);
}
console.log(JSON.stringify(report));
