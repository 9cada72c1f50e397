/** The Golden Path prod names, as the catalog and the fake AWS account both know them. */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const CLUSTER = 'golden-path-cluster-prod';
export const SERVICE = 'golden-path-service-prod';
export const DB_CLUSTER = 'golden-path-aurora-prod';
export const LOG_GROUP = '/ecs/golden-path-app-prod';
export const PARAM = '/golden/failure_mode';
export const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${SERVICE}`;
