// proxy.mjs - a pass-through proxy for the conformance suite, which
// cannot send a token: every request to PORT goes to TARGET's origin
// with the same method, path, headers and body, plus
// "Authorization: Bearer TOKEN"; the answer comes back as it was.
import http from 'node:http';

const target = new URL(process.env.TARGET);
const token = process.env.TOKEN;

http.createServer((req, res) => {
  const headers = { ...req.headers, authorization: `Bearer ${token}` };
  delete headers.host;      // the module's own, not the proxy's
  const up = http.request({ host: target.hostname, port: target.port, method: req.method,
                            path: req.url, headers }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  up.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
  req.pipe(up);
}).listen(Number(process.env.PORT), '127.0.0.1');
