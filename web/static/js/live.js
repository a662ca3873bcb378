// Live updates: the event stream (notifications, new tweets, messages) on every signed-in page,
// and the WebSocket that carries direct messages both ways on a conversation page.

/** Opens /api/v1/stream; the browser reconnects by itself and sends Last-Event-ID to catch up. */
export function openStream(handlers) {
  const stream = new EventSource('/api/v1/stream');
  // The page says whether it is live, for people (and tests) to know new events will show.
  stream.addEventListener('open', () => { document.body.dataset.stream = 'open'; });
  stream.addEventListener('error', () => { document.body.dataset.stream = 'reconnecting'; });
  for (const [type, handle] of Object.entries(handlers)) {
    stream.addEventListener(type, (event) => handle(JSON.parse(event.data)));
  }
  // The session ended (signed out, revoked, password changed): no reconnecting. The page's next
  // API call answers 401, which sends it to the sign-in page (api.js).
  stream.addEventListener('ended', () => { stream.close(); document.body.dataset.stream = 'ended'; });
  return stream;
}

/** Opens /api/v1/ws and keeps it open, reconnecting with a growing pause; returns a sender. */
export function openSocket({ onFrame, onState }) {
  let socket;
  let pause = 500;
  let ended = false;
  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(`${scheme}//${location.host}/api/v1/ws`);
    socket.addEventListener('open', () => { pause = 500; document.body.dataset.socket = 'open'; onState(true); });
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === 'error' && frame.error.code === 'session_ended') {
        ended = true; // no reconnecting: the page's next API call answers 401 and signs in again
        return;
      }
      onFrame(frame);
    });
    socket.addEventListener('close', () => {
      if (ended) return;
      document.body.dataset.socket = 'reconnecting';
      onState(false);
      setTimeout(connect, pause);
      pause = Math.min(pause * 2, 10_000);
    });
  }
  connect();
  return {
    get open() { return socket.readyState === WebSocket.OPEN; },
    send(frame) { socket.send(JSON.stringify(frame)); },
  };
}
