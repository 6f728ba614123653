export { ReplicaSetController, type ReplicaSetControllerOptions } from './replicaset.ts';
export { DeploymentController, type DeploymentControllerOptions } from './deployment.ts';
export { computeTemplateHash, POD_TEMPLATE_HASH_LABEL } from './deployment-hash.ts';
