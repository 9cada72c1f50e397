import { ConnbotError } from '../../errors.js';
import type { HttpTarget } from '../../catalog/schema.js';
import { probeHttp, type HttpProbeResult, type ProbeOptions } from './http-probe.js';

export type HttpEndpointName = 'health' | 'detailedHealth' | 'metrics';

/** The HTTP endpoints the catalog names for one service env. */
export class HttpTargetClient {
  constructor(
    private readonly target: HttpTarget,
    private readonly where: string,
  ) {}

  has(name: HttpEndpointName): boolean {
    return this.target[name] !== undefined;
  }

  url(name: HttpEndpointName): string {
    const url = this.target[name];
    if (!url) {
      throw new ConnbotError('TARGET_NOT_CONFIGURED', `${this.where}.http has no ${name} URL`, {
        hint: `add http.${name} under ${this.where} in the catalog`,
      });
    }
    return url;
  }

  /** GET one of the catalog's endpoints; network failures come back in the result, not as exceptions. */
  probe(name: HttpEndpointName, opts: ProbeOptions = {}): Promise<HttpProbeResult> {
    return probeHttp(this.url(name), opts);
  }
}
