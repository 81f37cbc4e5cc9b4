// A TCP proxy in front of PostgreSQL that counts the statements a client sends:
// every simple Query ('Q') and every extended-protocol Execute ('E') message.
// The benchmark puts it only in front of a separate, unloaded PostGraphile instance,
// so it measures statements per request without slowing the timed runs.
const net = require("net");

function countingProxy(targetHost, targetPort) {
  const counter = { statements: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    let buffer = Buffer.alloc(0);
    let started = false; // the first message (startup or SSL request) has no type byte
    client.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 4) break;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) break;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          if (code !== 80877103) started = true; // an SSL request is followed by the startup
          continue;
        }
        if (buffer.length < 5) break;
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) break;
        const type = String.fromCharCode(buffer[0]);
        if (type === "Q" || type === "E") counter.statements += 1;
        buffer = buffer.subarray(length + 1);
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => client.write(chunk));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  return { server, counter };
}

module.exports = { countingProxy };
