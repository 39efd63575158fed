// server.mjs PORT_EDDSA PORT_ES256 - two real Better Auth servers (memory
// adapter, email + password, the jwt plugin) for mod_tasks' integration
// tests, on 127.0.0.1 only:
//
//   PORT_EDDSA  the plugin's defaults: EdDSA (Ed25519) keys
//   PORT_ES256  jwks.keyPairConfig { alg: "ES256" }
//
// Each has its own issuer (its base URL, which is also the default "aud").
// Tokens come from the real flow (POST /api/auth/sign-up/email, then
// GET /api/auth/token with the session cookie), JWKS from
// GET /api/auth/jwks. For cases the flow cannot produce, a test-only
// endpoint signs with the plugin's own signJWT and keys:
//
//   POST /api/auth/test/mint {"payload":{...}, "newKey": bool}
//        -> {"token", "kid"}; newKey first creates a key (createJwk): a new
//           kid then appears in the JWKS, as when Better Auth rotates keys
//   POST /test/jwks-down | /test/jwks-up   GET .../jwks answers 503 / works
//
// Prints "ready" on stdout once both listen.
import http from "node:http";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { createAuthEndpoint } from "better-auth/api";
import { toNodeHandler } from "better-auth/node";
import { createJwk, jwt, signJWT } from "better-auth/plugins/jwt";

const SECRET = "mod-tasks-integration-tests-only-secret-0123456789";

function makeServer(port, jwtOptions) {
  const baseURL = `http://127.0.0.1:${port}`;
  const testPlugin = {
    id: "mod-tasks-test",
    endpoints: {
      testMint: createAuthEndpoint("/test/mint", { method: "POST" }, async (ctx) => {
        const body = ctx.body ?? {};
        let signingKeyId;
        if (body.newKey) signingKeyId = (await createJwk(ctx, jwtOptions)).id;
        const token = await signJWT(ctx, {
          options: jwtOptions,
          payload: body.payload ?? {},
          signingKeyId,
        });
        const kid = JSON.parse(Buffer.from(token.split(".")[0], "base64url")).kid;
        return ctx.json({ token, kid });
      }),
    },
  };
  const auth = betterAuth({
    baseURL,
    secret: SECRET,
    database: memoryAdapter({ user: [], session: [], account: [], verification: [], jwks: [] }),
    emailAndPassword: { enabled: true, requireEmailVerification: false },
    plugins: [jwt(jwtOptions), testPlugin],
    telemetry: { enabled: false },
    logger: { level: "error" },
  });
  const handler = toNodeHandler(auth);
  let jwksDown = false;
  const server = http.createServer((req, res) => {
    if (req.method === "POST" && (req.url === "/test/jwks-down" || req.url === "/test/jwks-up")) {
      jwksDown = req.url === "/test/jwks-down";
      res.writeHead(204).end();
      return;
    }
    if (jwksDown && req.url.startsWith("/api/auth/jwks")) {
      res.writeHead(503, { "content-type": "text/plain" }).end("down for the test");
      return;
    }
    handler(req, res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

const [portEd, portEs] = process.argv.slice(2).map(Number);
if (!portEd || !portEs) {
  console.error("usage: node server.mjs PORT_EDDSA PORT_ES256");
  process.exit(2);
}
await makeServer(portEd, {});
await makeServer(portEs, { jwks: { keyPairConfig: { alg: "ES256" } } });
console.log("ready");
process.on("SIGTERM", () => process.exit(0));
