import { probeWebSocket, type WebSocketProbeOptions, type WebSocketProbeResult } from './websocket-probe.js';

/** The WebSocket endpoint the catalog names for one service env (`http.websocket`). */
export class WebSocketTargetClient {
  constructor(readonly url: string) {}

  /** Handshake, ping, first reply; failures come back in the result, not as exceptions. */
  probe(opts: WebSocketProbeOptions = {}): Promise<WebSocketProbeResult> {
    return probeWebSocket(this.url, opts);
  }
}
