// The baseline for bench/rtc: a bare node:http server that does the least a token service must do —
// read the body, parse JSON, sign the same LiveKit JWT with the same library — and nothing else
// (no validation, no OpenID check, no cache, no metrics). Started by bench/rtc/run.mjs.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { AccessToken } from 'livekit-server-sdk';

const [, , port, key, secret, livekitUrl] = process.argv;
const b64 = (s) => createHash('sha256').update(s).digest('base64').replace(/=+$/, '');

createServer((req, res) => {
  if (req.url === '/empty') {
    res.end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const at = new AccessToken(key, secret, {
      identity: b64(
        JSON.stringify([body.member.claimed_user_id, body.member.claimed_device_id, body.member.id]),
      ),
      ttl: 3600,
    });
    at.addGrant({
      room: b64(JSON.stringify([body.room_id, body.slot_id])),
      roomJoin: true,
      canPublish: true,
      canSubscribe: true,
      canUpdateOwnMetadata: true,
    });
    const jwt = await at.toJwt();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ url: livekitUrl, jwt }));
  });
}).listen(Number(port), '127.0.0.1');
