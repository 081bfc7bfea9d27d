// The dev stack (Pulumi.dev.yaml) under mocks; see stack-invariants.ts for what is checked.
import { stackInvariants } from './stack-invariants.js';

stackInvariants('dev');
