// The visits counter: an HTTP server that answers "Number of visits is N"
// and keeps N in Redis. It uses only Node's standard library, so
// `npm install` needs no registry: the Redis client below speaks just
// enough of RESP (the Redis protocol) over a plain TCP socket.
'use strict';

const http = require('http');
const net = require('net');

const PORT = Number(process.env.PORT || 8081);
const REDIS_HOST = process.env.REDIS_HOST || 'redis-server';
const REDIS_PORT = Number(process.env.REDIS_PORT || 6379);

// RedisClient sends one command at a time per caller and matches replies to
// commands in order, as Redis answers them. It connects on first use and
// again after the connection drops, so a Redis restart costs the requests
// in flight, not the server.
class RedisClient {
  constructor(host, port) {
    this.host = host;
    this.port = port;
    this.socket = null;
    this.pending = [];
    this.buffer = Buffer.alloc(0);
  }

  connect() {
    const socket = net.createConnection({ host: this.host, port: this.port });
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.fail(socket, err));
    socket.on('close', () => this.fail(socket, new Error('connection to Redis closed')));
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    return socket;
  }

  // fail rejects what waits on a socket that is gone; the next command
  // opens a new one.
  fail(socket, err) {
    if (this.socket !== socket) return;
    this.socket = null;
    socket.destroy();
    const waiting = this.pending;
    this.pending = [];
    for (const p of waiting) p.reject(err);
  }

  command(...args) {
    const socket = this.socket || this.connect();
    let request = `*${args.length}\r\n`;
    for (const arg of args) {
      const s = String(arg);
      request += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      socket.write(request);
    });
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const parsed = parseReply(this.buffer, 0);
      if (!parsed) return; // wait for the rest of the reply
      this.buffer = this.buffer.subarray(parsed.end);
      const p = this.pending.shift();
      if (!p) continue;
      if (parsed.value instanceof Error) p.reject(parsed.value);
      else p.resolve(parsed.value);
    }
  }
}

// parseReply reads one RESP reply at offset; it returns null when the
// buffer does not hold all of it yet.
function parseReply(buf, offset) {
  const eol = buf.indexOf('\r\n', offset);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[offset]);
  const line = buf.toString('utf8', offset + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+': return { value: line, end: next };
    case '-': return { value: new Error(line), end: next };
    case ':': return { value: Number(line), end: next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return null;
      return { value: buf.toString('utf8', next, next + len), end: next + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, end);
        if (!item) return null;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      return { value: new Error(`unexpected reply from Redis: ${JSON.stringify(line)}`), end: next };
  }
}

// The line each visit reads. Edit it while `berth up --watch` runs: the
// develop.watch rule in compose.yaml syncs this file into the container and
// restarts the server.
const GREETING = 'Number of visits is';

const redis = new RedisClient(REDIS_HOST, REDIS_PORT);

const server = http.createServer(async (req, res) => {
  if (req.method !== 'GET' || req.url !== '/') {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not found\n');
    return;
  }
  try {
    const visits = await redis.command('INCR', 'visits');
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`${GREETING} ${visits}\n`);
  } catch (err) {
    res.writeHead(503, { 'Content-Type': 'text/plain' });
    res.end(`Redis at ${REDIS_HOST}:${REDIS_PORT} is unavailable: ${err.message}\n`);
  }
});

server.listen(PORT, () => {
  console.log(`Listening on port ${PORT}, counting in Redis at ${REDIS_HOST}:${REDIS_PORT}`);
});

// Stop at once on `docker stop` instead of waiting for the engine's kill.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`${signal}: shutting down`);
    process.exit(0);
  });
}
