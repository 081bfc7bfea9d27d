// The prod stack (Pulumi.prod.yaml) under mocks; see stack-invariants.ts for what is checked.
import { stackInvariants } from './stack-invariants.js';

stackInvariants('prod');
