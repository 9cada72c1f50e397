import { ConnbotError } from '../errors.js';
import type { EnvTarget } from '../catalog/schema.js';
import { RedisTargetClient } from './redis/redis-target.js';
import { K8sCluster } from './k8s/k8s-cluster.js';
import { AwsTargetClient } from './aws/aws-target.js';
import { PrometheusClient } from './prometheus/prometheus-client.js';
import { HttpTargetClient } from './http/http-target.js';
import { WebSocketTargetClient } from './websocket/websocket-target.js';

/**
 * The adapters one diagnosis of one service env may use, built on first use from the catalog's targets and
 * closed together. A runbook never builds a client itself.
 */
export class Integrations {
  private redisClient: RedisTargetClient | undefined;
  private k8sCluster: K8sCluster | undefined;
  private prometheusClient: PrometheusClient | undefined;
  private httpClient: HttpTargetClient | undefined;
  private websocketClient: WebSocketTargetClient | undefined;
  private publicWebsocketClient: WebSocketTargetClient | undefined;
  private awsTarget: AwsTargetClient | undefined;
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(
    private readonly target: EnvTarget,
    private readonly where: string,
  ) {}

  redis(): RedisTargetClient {
    if (!this.target.redis) throw notConfigured(this.where, 'redis');
    if (!this.redisClient) {
      const client = new RedisTargetClient(this.target.redis);
      this.closers.push(() => client.close());
      this.redisClient = client;
    }
    return this.redisClient;
  }

  hasK8s(): boolean {
    return this.target.k8s !== undefined;
  }

  k8s(): K8sCluster {
    if (!this.target.k8s) throw notConfigured(this.where, 'k8s');
    this.k8sCluster ??= new K8sCluster(this.target.k8s.context);
    return this.k8sCluster;
  }

  prometheus(): PrometheusClient {
    if (!this.target.prometheus) throw notConfigured(this.where, 'prometheus');
    this.prometheusClient ??= new PrometheusClient(this.target.prometheus);
    return this.prometheusClient;
  }

  http(): HttpTargetClient {
    if (!this.target.http) throw notConfigured(this.where, 'http');
    this.httpClient ??= new HttpTargetClient(this.target.http, this.where);
    return this.httpClient;
  }

  /** The catalog's `http.websocket` URL; each probe opens and closes its own socket. */
  websocket(): WebSocketTargetClient {
    const url = this.target.http?.websocket;
    if (!url) throw notConfigured(this.where, 'http.websocket');
    this.websocketClient ??= new WebSocketTargetClient(url);
    return this.websocketClient;
  }

  /** The catalog's `http.publicWebsocket` URL: the same endpoint through the ingress, as clients reach it. */
  publicWebsocket(): WebSocketTargetClient {
    const url = this.target.http?.publicWebsocket;
    if (!url) throw notConfigured(this.where, 'http.publicWebsocket');
    this.publicWebsocketClient ??= new WebSocketTargetClient(url);
    return this.publicWebsocketClient;
  }

  aws(): AwsTargetClient {
    if (!this.target.aws) throw notConfigured(this.where, 'aws');
    if (!this.awsTarget) {
      const client = new AwsTargetClient(this.target.aws);
      this.onClose(() => client.close());
      this.awsTarget = client;
    }
    return this.awsTarget;
  }

  /** Integrations added by later runbooks register their cleanup here. */
  onClose(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async close(): Promise<void> {
    const closers = this.closers.splice(0);
    await Promise.allSettled(closers.map((c) => c()));
  }
}

function notConfigured(where: string, kind: string): ConnbotError {
  return new ConnbotError('TARGET_NOT_CONFIGURED', `${where} has no ${kind} target in the catalog`, {
    hint: `add a ${kind}: block under ${where} in the catalog`,
  });
}
