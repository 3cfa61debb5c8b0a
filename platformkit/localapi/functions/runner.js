// Runs one request through a deployed function, outside any server: Deno.serve is replaced so
// the function's handler is captured, the request comes on stdin as JSON and the response goes
// to stdout as JSON; console output goes to stderr as JSON lines (the function logs).
const encoder = new TextEncoder();
for (const level of ["log", "info", "warn", "error", "debug"]) {
  console[level] = (...args) => {
    const message = args.map((a) => (typeof a === "string" ? a : Deno.inspect(a))).join(" ");
    Deno.stderr.writeSync(encoder.encode(JSON.stringify({ level, message }) + "\n"));
  };
}
let handler = null;
Deno.serve = (first, second) => {
  handler = typeof first === "function" ? first : typeof second === "function" ? second : first?.handler;
  return { finished: Promise.resolve(), shutdown: async () => {}, ref() {}, unref() {}, addr: { transport: "tcp", hostname: "127.0.0.1", port: 0 } };
};
const toBase64 = (bytes) => {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
};
// fetch wraps the reason (a refused address, a DNS failure) in its cause: the caller needs both.
const describe = (error) => {
  const message = String(error?.message ?? error);
  const cause = error?.cause ? String(error.cause?.message ?? error.cause) : "";
  return cause && !message.includes(cause) ? `${message}: ${cause}` : message;
};
const input = JSON.parse(await new Response(Deno.stdin.readable).text());
try {
  await import(Deno.args[0]);
  if (!handler) throw new Error("The function never called Deno.serve(handler)");
  const body = input.body_b64 ? Uint8Array.from(atob(input.body_b64), (c) => c.charCodeAt(0)) : undefined;
  const request = new Request(input.url, { method: input.method, headers: input.headers, body: ["GET", "HEAD"].includes(input.method) ? undefined : body });
  const response = await handler(request, { remoteAddr: { transport: "tcp", hostname: input.remote_addr || "127.0.0.1", port: 0 } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  Deno.stdout.writeSync(encoder.encode(JSON.stringify({ status: response.status, headers: Object.fromEntries(response.headers), body_b64: toBase64(bytes) })));
} catch (error) {
  console.error(String(error?.stack ?? error) + (error?.cause ? `\ncaused by: ${error.cause}` : ""));
  Deno.stdout.writeSync(encoder.encode(JSON.stringify({ crashed: describe(error) })));
}
