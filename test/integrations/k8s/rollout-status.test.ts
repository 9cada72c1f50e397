import { describe, expect, it } from 'vitest';
import type { WorkloadStatus } from '../../../src/integrations/k8s/k8s-cluster.js';
import { rolloutStatus, scaleStatus } from '../../../src/integrations/k8s/rollout-status.js';

const deployment = (s: Partial<WorkloadStatus>): WorkloadStatus => ({
  ref: { namespace: 'vectorizer', kind: 'deployment', name: 'vectorizer' },
  desiredReplicas: 3,
  replicas: 3,
  readyReplicas: 3,
  availableReplicas: 3,
  updatedReplicas: 3,
  generation: 5,
  observedGeneration: 5,
  currentRevision: undefined,
  updateRevision: undefined,
  partition: undefined,
  updateStrategy: 'RollingUpdate',
  progressDeadlineExceeded: false,
  selector: 'app=vectorizer',
  restartedAt: undefined,
  containers: [],
  ...s,
});
const statefulset = (s: Partial<WorkloadStatus>): WorkloadStatus =>
  deployment({ ref: { namespace: 'vectorizer', kind: 'statefulset', name: 'vectorizer' }, currentRevision: 'vectorizer-7f8b9c', updateRevision: 'vectorizer-7f8b9c', partition: 0, ...s });

describe('rolloutStatus, as kubectl rollout status decides it', () => {
  it('a Deployment is not done while the old ReplicaSet still has pods, even with every replica ready', () => {
    // Surge: 3 new pods ready, 1 old one still counted — ready and updated both reach the desired 3.
    const s = deployment({ replicas: 4, readyReplicas: 4, availableReplicas: 4, updatedReplicas: 3 });
    expect(rolloutStatus(s)).toEqual({
      done: false,
      stuck: false,
      message: 'Waiting for deployment "vectorizer" rollout to finish: 1 old replicas are pending termination...',
    });
  });

  it('a Deployment waits for its spec to be observed, its pods to be updated, then available', () => {
    expect(rolloutStatus(deployment({ generation: 6 })).message).toBe('Waiting for deployment spec update to be observed...');
    expect(rolloutStatus(deployment({ updatedReplicas: 1, replicas: 3 })).message).toBe(
      'Waiting for deployment "vectorizer" rollout to finish: 1 out of 3 new replicas have been updated...',
    );
    expect(rolloutStatus(deployment({ availableReplicas: 2 })).message).toBe(
      'Waiting for deployment "vectorizer" rollout to finish: 2 of 3 updated replicas are available...',
    );
    expect(rolloutStatus(deployment({}))).toEqual({ done: true, stuck: false, message: 'deployment "vectorizer" successfully rolled out' });
  });

  it('a Deployment past its progress deadline will not finish by waiting', () => {
    expect(rolloutStatus(deployment({ availableReplicas: 1, progressDeadlineExceeded: true }))).toMatchObject({ done: false, stuck: true });
  });

  it('a StatefulSet is done when every replica is ready and the pods run the update revision', () => {
    expect(rolloutStatus(statefulset({ readyReplicas: 2 })).message).toBe('Waiting for 1 pods to be ready...');
    // Ready and updated, but the controller has not moved currentRevision yet.
    expect(rolloutStatus(statefulset({ updateRevision: 'vectorizer-84d1e0' }))).toEqual({
      done: false,
      stuck: false,
      message: 'waiting for statefulset rolling update to complete 3 pods at revision vectorizer-84d1e0...',
    });
    expect(rolloutStatus(statefulset({})).done).toBe(true);
  });

  it('a partitioned StatefulSet is done when the ordinals above the partition are updated', () => {
    expect(rolloutStatus(statefulset({ partition: 2, updatedReplicas: 0, updateRevision: 'vectorizer-84d1e0' })).done).toBe(false);
    expect(rolloutStatus(statefulset({ partition: 2, updatedReplicas: 1, updateRevision: 'vectorizer-84d1e0' })).done).toBe(true);
  });

  it('an OnDelete StatefulSet is stuck: its pods change only when deleted', () => {
    expect(rolloutStatus(statefulset({ updateStrategy: 'OnDelete', updateRevision: 'vectorizer-84d1e0' }))).toMatchObject({ done: false, stuck: true });
  });

  it('a scale is judged on counts, so an OnDelete StatefulSet with a template change pending is scaled once its replicas are there and ready', () => {
    // Two pods still on the old revision, three new ones: rollout status would wait for ever (OnDelete).
    const s = statefulset({ updateStrategy: 'OnDelete', updateRevision: 'vectorizer-84d1e0', desiredReplicas: 5, replicas: 5, readyReplicas: 5, availableReplicas: 5, updatedReplicas: 3 });
    expect(rolloutStatus(s)).toMatchObject({ done: false, stuck: true });
    expect(scaleStatus(s, 5)).toEqual({ done: true, stuck: false, message: 'statefulset "vectorizer" scaled to 5 replicas, all ready' });
  });

  it('a scale waits for the spec, the controller, the pods to exist, be ready and available, and surplus pods to go', () => {
    const five = { desiredReplicas: 5, replicas: 5, readyReplicas: 5, availableReplicas: 5 };
    const waits = (s: Partial<WorkloadStatus>) => scaleStatus(statefulset({ ...five, ...s }), 5);
    expect(waits({ desiredReplicas: 3 })).toEqual({ done: false, stuck: false, message: 'Waiting for statefulset "vectorizer" to be set to 5 replicas (spec.replicas is 3)...' });
    expect(waits({ generation: 6 }).message).toBe('Waiting for statefulset spec update to be observed...');
    expect(waits({ replicas: 4 }).message).toBe('Waiting for statefulset "vectorizer" to scale: 4 of 5 replicas created...');
    expect(waits({ readyReplicas: 3 }).message).toBe('Waiting for statefulset "vectorizer" to scale: 3 of 5 replicas are ready...');
    expect(waits({ availableReplicas: 4 }).message).toBe('Waiting for statefulset "vectorizer" to scale: 4 of 5 replicas are available...');
    // A Deployment mid-rollout: the old ReplicaSet's pods still counted beside five ready new ones.
    expect(scaleStatus(deployment({ ...five, replicas: 6, readyReplicas: 6, availableReplicas: 6 }), 5).message).toBe(
      'Waiting for deployment "vectorizer" to scale: 1 surplus replicas pending termination...',
    );
    // Not stuck on a progress deadline a failed rollout left behind: the counts decide, or the wait times out.
    expect(scaleStatus(deployment({ ...five, progressDeadlineExceeded: true }), 5).done).toBe(true);
  });
});
